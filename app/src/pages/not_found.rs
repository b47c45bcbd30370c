//! The page for unknown routes.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{t, use_i18n};

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
            <h1>{t!(i18n, not_found)}</h1>
            <p>
                <A href="/">{t!(i18n, not_found_home)}</A>
            </p>
        </main>
    }
}
