//! The HTML document around every server-rendered page.

use leptos::prelude::*;
use leptos_meta::MetaTags;

use crate::App;

/// The document: head with manifest, icons and styles, body with the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="vi">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#0b4f8a" />
                <meta name="description" content="Sổ Tay Số: sổ tay của Tổ công nghệ số cộng đồng" />
                <title>"Sổ Tay Số"</title>
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/icon-192.png" type="image/png" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <link rel="stylesheet" id="leptos" href="/pkg/sotay.css" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The Content-Security-Policy of a page, around the nonce of its inline hydration script:
/// scripts from this origin and that one inline script, WebAssembly compiled from this
/// origin's files (`'wasm-unsafe-eval'`), styles, images, data and workers from this origin
/// only, never framed. (The server's other answers get `server::security::DEFAULT_POLICY`.)
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; worker-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'"
    )
}

/// A fresh nonce for this page's inline scripts (Leptos adds it to each), and the header
/// that names it. The service worker keeps a page's copy with its header, so an offline page
/// and its policy keep the same nonce (`docs/security.md`).
#[cfg(feature = "ssr")]
fn content_security_policy() {
    leptos::nonce::provide_nonce();
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
