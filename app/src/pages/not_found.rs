//! The page for unknown routes.

use leptos::prelude::*;

use crate::i18n::{t_string, use_i18n};
use crate::router::{follow, use_nav};

/// 404.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page narrow">
            <h1>{t_string!(i18n, not_found)}</h1>
            <p>
                <a href="/" on:click=follow(use_nav(), "/")>{t_string!(i18n, not_found_home)}</a>
            </p>
        </main>
    }
}
