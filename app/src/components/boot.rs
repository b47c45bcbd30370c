//! Runs once in the browser after hydration: reads the device store, applies the chosen
//! language, starts the sync loop and registers the service worker.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Locale};
use crate::offline::store;
use crate::offline::sync_client::SyncStatus;
use crate::Session;

/// Invisible; its effect only runs in the browser.
#[component]
pub fn Boot() -> impl IntoView {
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let i18n = use_i18n();

    Effect::new(move |_| {
        let profile = store::identity();
        let user = profile.as_ref().map(|p| p.user_id);
        session.profile.set(profile);
        session.ready.set(true);
        if store::language().as_deref() == Some("en") {
            i18n.set_locale(Locale::en);
        }
        sync.refresh(user);
        #[cfg(feature = "hydrate")]
        {
            crate::offline::sync_client::start(sync, session.profile);
            register_service_worker();
            mark_hydrated();
        }
    });

    // Keep <html lang> in step with the language shown.
    Effect::new(move |_| {
        let lang = match i18n.get_locale() {
            Locale::vi => "vi",
            Locale::en => "en",
        };
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = lang;
    });
}

/// Registers `/sw.js` (root scope) and asks the browser to keep this site's storage.
#[cfg(feature = "hydrate")]
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let _ = navigator.service_worker().register("/sw.js");
    if let Ok(storage) = js_sys::Reflect::get(&navigator, &"storage".into()) {
        if !storage.is_undefined() {
            let _ = navigator.storage().persist();
        }
    }
}

/// Marks the body once hydrated, for people debugging and for the browser tests.
#[cfg(feature = "hydrate")]
fn mark_hydrated() {
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
