//! Sync: `POST /api/sync/push` (devices send visit revisions in batches; each gets its own
//! result, and the answer comes only after the batch's transaction committed),
//! `GET /api/sync/pull` (the feed of what a device keeps) and `GET /api/sync/conflicts`.

use app::api::{
    ConflictList, PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
    MAX_PUSH_BATCH, MAX_PUSH_BYTES,
};
use app::domain::policy::{Action, Scope};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header::CONTENT_TYPE, HeaderMap, StatusCode};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::input::ApiQuery;
use crate::auth::Principal;
use crate::db::feed::Reach;
use crate::db::visits::Pusher;
use crate::error::{parse_json, ApiError};
use crate::state::AppState;

/// Most visits a device may report waiting (`unsent`).
const MAX_UNSENT: i64 = 100_000;

/// How often pulling alone refreshes a user's "last sync" (a push always does).
const SYNC_MARK_EVERY_MS: i64 = 15 * 60 * 1000;

/// Stores a batch of visit revisions. Replays are acknowledged as `already_had`; see
/// docs/sync-protocol.md for every result.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest,
    responses(
        (status = 200, body = PushResponse, description = "One result per revision, after commit"),
        (status = 400, body = app::api::ErrorBody, description = "invalid_body: not JSON"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated: sign in again; keep the queue"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden (staff do not log visits), no_team (on no team's roster), password_change_required"),
        (status = 413, body = app::api::ErrorBody, description = "too_large: over 2 MiB or 500 visits; `limit` says which; split the batch"),
        (status = 415, body = app::api::ErrorBody, description = "invalid_body: not application/json"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_body: JSON of the wrong shape"),
    ))]
pub async fn push(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<PushResponse>, ApiError> {
    principal.scope(Action::LogVisits)?;
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(ApiError::InvalidBody {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: "expected Content-Type: application/json".into(),
        });
    }
    let bytes = axum::body::to_bytes(body, MAX_PUSH_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge {
            what: "bytes",
            limit: MAX_PUSH_BYTES as u64,
        })?;
    let request: PushRequest = parse_json(&bytes)?;
    if request.visits.len() > MAX_PUSH_BATCH {
        return Err(ApiError::TooLarge {
            what: "visits",
            limit: MAX_PUSH_BATCH as u64,
        });
    }
    let pusher = Pusher {
        bounds: state.revision_bounds,
        ..Pusher::of(principal.account())
    };
    let now = app::domain::time::now_ms();
    let results = state.store.push(pusher, request.visits, now).await?;
    Ok(Json(PushResponse {
        results,
        server_time: app::domain::time::now_ms(),
    }))
}

/// `GET /api/sync/pull` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct PullQuery {
    /// The `next_cursor` of the last page applied; 0 (the default) for a new device.
    #[serde(default)]
    pub cursor: i64,
    /// Items per page, 1–500 (default 200).
    pub limit: Option<u32>,
    /// Visits waiting in the device's outbox (0–100000): the team leader's roster shows it.
    pub unsent: Option<i64>,
    /// The protocol the client speaks (1 when absent; 2 receives `difficulty_category`).
    pub v: Option<u8>,
}

/// The feed of what changed for the signed-in user since `cursor`: their visits' review
/// states, their team's roster and the households of its villages, their province's activity
/// catalogue. Store `next_cursor` only after applying the items; ask again while `more` is
/// true; start again from 0 when `team_id` is not the team pulled for before.
#[utoipa::path(get, path = "/api/sync/pull", tag = "sync", params(PullQuery),
    responses(
        (status = 200, body = PullResponse),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "password_change_required, account_closed"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query: cursor below 0 or limit outside 1–500"),
    ))]
pub async fn pull(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    principal.scope(Action::PullFeed)?;
    let limit = query.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if query.cursor < 0 || limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(ApiError::InvalidQuery(format!(
            "cursor must be 0 or more and limit 1 to {MAX_PULL_LIMIT}"
        )));
    }
    if query.unsent.is_some_and(|n| !(0..=MAX_UNSENT).contains(&n)) || query.v == Some(0) {
        return Err(ApiError::InvalidQuery(format!(
            "unsent must be 0 to {MAX_UNSENT} and v 1 or more"
        )));
    }
    let profile = principal.profile();
    let now = app::domain::time::now_ms();
    let reach = Reach {
        team: profile.team.as_ref().map(|t| t.id),
        member: profile.user_id,
        province: profile.province.as_ref().map(|p| p.id),
        // Whoever may read their team's visits (the leader) gets them in the feed too.
        leads: matches!(principal.scope(Action::ReadVisits), Ok(Scope::Team(_))),
        protocol: query.v.unwrap_or(1),
        now,
    };
    let page = state.store.pull(reach, query.cursor, limit).await?;
    let account = principal.account();
    let stale_mark = account
        .last_sync_at
        .is_none_or(|at| now - at > SYNC_MARK_EVERY_MS);
    match query.unsent {
        // A new figure is written at once: the leader must see who has visits waiting.
        Some(unsent) if stale_mark || account.unsent_count != Some(unsent) => {
            state
                .store
                .record_unsent(principal.id(), now, unsent)
                .await?
        }
        None if stale_mark => state.store.record_sync(principal.id(), now).await?,
        _ => {}
    }
    Ok(Json(page))
}

/// Visits with conflicting revisions: a member's own; a leader's team's; commune staff their
/// commune's; province staff their province's; administrators all.
#[utoipa::path(get, path = "/api/sync/conflicts", tag = "sync",
    responses(
        (status = 200, body = ConflictList),
        (status = 401, body = app::api::ErrorBody),
        (status = 403, body = app::api::ErrorBody),
    ))]
pub async fn conflicts(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<ConflictList>, ApiError> {
    let scope = principal.scope(Action::ReadConflicts)?;
    Ok(Json(ConflictList {
        conflicts: state.store.conflicts(scope).await?,
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push))
        .routes(routes!(pull))
        .routes(routes!(conflicts))
}
