//! What every handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::db::Db;
use crate::sw::ServiceWorker;

/// Shared state of the running server.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos settings (site root, output name).
    pub leptos_options: LeptosOptions,
    /// Storage.
    pub db: Db,
    /// Mark the session cookie `Secure`.
    pub secure_cookies: bool,
    /// The service worker script, stamped with this build (absent without a built site).
    pub service_worker: Arc<Option<ServiceWorker>>,
}
