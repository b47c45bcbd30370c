//! The JSON contract between pages, the server, tests and any future client. Every piece of
//! data crosses it through a route under `/api/`, described in `GET /api/openapi.json`.

mod admin;
pub mod client;
mod figures;
mod review;
mod types;

pub use admin::*;
pub use figures::*;
pub use review::*;
pub use types::*;

/// Most visits in one push; a bigger batch gets 413 and the client splits it.
pub const MAX_PUSH_BATCH: usize = 500;
/// Largest request body the push route reads, in bytes; a bigger one gets 413.
pub const MAX_PUSH_BYTES: usize = 2 * 1024 * 1024;
/// How many visits the browser sends per request (well under the limits above).
pub const CLIENT_PUSH_BATCH: usize = 100;
/// Most feed items one pull returns.
pub const MAX_PULL_LIMIT: u32 = 500;
/// Feed items per pull when the client does not say.
pub const DEFAULT_PULL_LIMIT: u32 = 200;
