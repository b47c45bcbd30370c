//! What lives on the device: the cached identity and catalogue, the per-user outbox of visits,
//! and the loop that sends it. Everything here is read only after hydration, so the HTML the
//! server (or the service worker) hands out never depends on it.

pub mod store;
pub mod sync_client;
