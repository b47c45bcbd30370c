//! The HTML document around every server-rendered page.

use leptos::prelude::*;
use leptos_meta::MetaTags;

use crate::App;

/// The document: head with manifest, icons and styles, body with the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
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
