//! What every handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::auth::limits::{SignInLimiter, TrustedProxies};
use crate::auth::passwords::Hasher;
use crate::db::Store;
use crate::sw::ServiceWorker;

/// Shared state of the running server.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos settings (site root, output name).
    pub leptos_options: LeptosOptions,
    /// Storage.
    pub store: Store,
    /// Told it runs behind TLS: every answer is treated as sent over HTTPS
    /// (`crate::security`, rule 1).
    pub behind_tls: bool,
    /// How many revisions a visit and a member's day may hold (`sync::plan`, rule 8).
    pub revision_bounds: crate::sync::plan::RevisionBounds,
    /// How long a request may take (`crate::serve`, rule 3).
    pub request_timeout: std::time::Duration,
    /// The service worker script, stamped with this build (absent without a built site).
    pub service_worker: Arc<Option<ServiceWorker>>,
    /// The password hashing pool.
    pub hasher: Hasher,
    /// Sign-in attempts per phone number and per address.
    pub sign_in: SignInLimiter,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<TrustedProxies>,
}
