//! Sổ Tay Số, the field notebook of Vietnam's community digital technology teams: the Leptos
//! app shared by the server (feature `ssr`) and the browser (feature `hydrate`).
//!
//! The server-rendered HTML of every page is the same for everyone: it never depends on the
//! session or on what the device holds. The device's state (who is signed in, the outbox) is
//! read after hydration. That is what lets the service worker hand out a cached page offline,
//! on any route, and have it hydrate without mismatch.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod offline;
pub mod pages;
pub mod router;
#[cfg(feature = "ssr")]
mod shell;

// `pub mod i18n`, generated from `locales/*.json` by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::either::EitherOf5;
use leptos::prelude::*;
use leptos_i18n::context::UseLocalesOptions;

use crate::api::Profile;
use crate::i18n::{use_i18n, I18nContextProvider};
use crate::offline::sync_client::SyncStatus;
use crate::router::{provide_nav, use_nav, Screen};
#[cfg(feature = "ssr")]
pub use shell::shell;

pub use router::ROUTES;

/// Who is signed in on this device, read from the device store after hydration.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in user's cached profile.
    pub profile: RwSignal<Option<Profile>>,
    /// True once the device store has been read (in the browser, after hydration).
    pub ready: RwSignal<bool>,
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Session {
        profile: RwSignal::new(None),
        ready: RwSignal::new(false),
    });
    provide_context(SyncStatus::new());
    provide_nav();
    // The page language never follows the request: the server renders Vietnamese, and a
    // switched device applies its choice after hydration.
    let no_header = UseLocalesOptions::default().ssr_lang_header_getter(|| None::<String>);

    view! {
        <I18nContextProvider set_lang_attr_on_html=false enable_cookie=false ssr_lang_header_getter=no_header>
            <components::boot::Boot />
            <CurrentPage />
        </I18nContextProvider>
    }
}

/// The page for the current path. Text is rendered once per page; switching the language
/// renders the page again (rare, and cheaper in the WASM than a reactive node per string).
#[component]
fn CurrentPage() -> impl IntoView {
    let nav = use_nav();
    let i18n = use_i18n();
    move || {
        i18n.get_locale();
        let page = nav.page();
        match page.screen {
            Screen::Home => EitherOf5::A(view! { <pages::home::HomePage /> }),
            Screen::Login => EitherOf5::B(view! { <pages::login::LoginPage /> }),
            Screen::Team => EitherOf5::C(view! { <pages::team::TeamPage param=page.param /> }),
            Screen::Password
            | Screen::NewVisit
            | Screen::Visit
            | Screen::EditVisit
            | Screen::TeamLog
            | Screen::Unit
            | Screen::Catalogue
            | Screen::Admin
            | Screen::Users
            | Screen::Audit
            | Screen::Review
            | Screen::Difficulties
            | Screen::Households
            | Screen::Figures => EitherOf5::D(view! { <pages::lazy::LazyPage page /> }),
            Screen::NotFound => EitherOf5::E(view! { <pages::not_found::NotFound /> }),
        }
    }
}
