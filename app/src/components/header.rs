//! The top bar of member screens: app name, the member's village, language switch, sign out.

use leptos::prelude::*;

use crate::api::client;
use crate::i18n::{t_string, use_i18n, Locale};
use crate::offline::store;
use crate::offline::sync_client::SyncStatus;
use crate::Session;

/// The language switch: Vietnamese ⇄ English, remembered on the device.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let switch = move |_| {
        let next = match i18n.get_locale_untracked() {
            Locale::vi => Locale::en,
            Locale::en => Locale::vi,
        };
        i18n.set_locale(next);
        let _ = store::set_language(match next {
            Locale::vi => "vi",
            Locale::en => "en",
        });
    };
    view! {
        <button type="button" class="link-button" data-testid="switch-language" on:click=switch>
            {t_string!(i18n, switch_language)}
        </button>
    }
}

/// The header bar.
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let nav = crate::router::use_nav();
    let place = move || {
        session.profile.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.team
                        .as_ref()
                        .and_then(|t| t.village.as_ref())
                        .map_or(p.unit.name.clone(), |v| v.name.clone())
                })
                .unwrap_or_default()
        })
    };
    let sign_out = move |_| {
        // The outbox stays on the device, keyed to its author, for their next sign-in.
        store::clear_identity();
        session.profile.set(None);
        sync.refresh(None);
        leptos::task::spawn_local(client::logout());
        nav.go("/login");
    };
    view! {
        <header class="app-header">
            <span class="app-name">{t_string!(i18n, app_name)}</span>
            <span class="app-place" data-testid="place">{place}</span>
            <nav class="app-actions">
                <LanguageSwitch />
                {move || session.profile.with(Option::is_some).then(|| view! {
                    <button type="button" class="link-button" data-testid="sign-out" on:click=sign_out>
                        {t_string!(i18n, nav_sign_out)}
                    </button>
                })}
            </nav>
        </header>
    }
}
