//! `POST /api/sync/push`: devices send visit revisions in batches; each gets its own result,
//! and the answer comes only after the batch's transaction committed.

use app::api::{
    ConflictList, PullResponse, PushRequest, PushResponse, Role, DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT, MAX_PUSH_BATCH, MAX_PUSH_BYTES,
};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::extract::State;
use axum::http::{header::CONTENT_TYPE, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::auth::CurrentUser;
use crate::db::visits::ConflictScope;
use crate::db::{feed, users, visits};
use crate::error::{parse_json, ApiError};
use crate::state::AppState;

/// Stores a batch of visit revisions. Replays are acknowledged as `already_had`; see
/// docs/sync-protocol.md for every result.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest,
    responses(
        (status = 200, body = PushResponse, description = "One result per revision, after commit"),
        (status = 400, body = app::api::ErrorBody, description = "invalid_body: not JSON"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated: sign in again; keep the queue"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: the user is on no team"),
        (status = 413, body = app::api::ErrorBody, description = "too_large: over 2 MiB or 500 visits; `limit` says which; split the batch"),
        (status = 415, body = app::api::ErrorBody, description = "invalid_body: not application/json"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_body: JSON of the wrong shape"),
    ))]
pub async fn push(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<PushResponse>, ApiError> {
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
    let results = state
        .db
        .write(move |conn| {
            let Some(author) = users::author(conn, user.id)? else {
                return Ok(None);
            };
            let now = app::domain::time::now_ms();
            visits::push(conn, author, &request.visits, now).map(Some)
        })
        .await?
        .ok_or(ApiError::Forbidden("only team members log visits"))?;
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
}

/// The feed of what changed for the signed-in member since `cursor`: their visits' review
/// states, their village's households, their team's roster, the activity catalogue. Store
/// `next_cursor` only after applying the items; ask again while `more` is true.
#[utoipa::path(get, path = "/api/sync/pull", tag = "sync", params(PullQuery),
    responses(
        (status = 200, body = PullResponse),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query: cursor below 0 or limit outside 1–500"),
    ))]
pub async fn pull(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::InvalidQuery(e.body_text()))?;
    let limit = query.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if query.cursor < 0 || limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(ApiError::InvalidQuery(format!(
            "cursor must be 0 or more and limit 1 to {MAX_PULL_LIMIT}"
        )));
    }
    let page = state
        .db
        .read(move |conn| {
            let village = users::author(conn, user.id)?.map(|a| a.village_id);
            feed::page(
                conn,
                feed::Scope {
                    village,
                    member: user.id,
                },
                query.cursor,
                limit,
            )
        })
        .await?;
    Ok(Json(page))
}

/// Visits with conflicting revisions: a member's own; for a leader, their village's; for
/// commune and province staff, their unit's.
#[utoipa::path(get, path = "/api/sync/conflicts", tag = "sync",
    responses((status = 200, body = ConflictList), (status = 401, body = app::api::ErrorBody)))]
pub async fn conflicts(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ConflictList>, ApiError> {
    let conflicts = state
        .db
        .read(move |conn| {
            let Some(profile) = users::profile(conn, user.id)? else {
                return Ok(None);
            };
            let scope = match (profile.role, profile.team) {
                (Role::Member, _) => ConflictScope::Own(user.id),
                (Role::Leader, Some(team)) => ConflictScope::Unit(team.village.id),
                (Role::Leader, None) => ConflictScope::Own(user.id),
                (Role::CommuneStaff | Role::ProvinceStaff | Role::Admin, _) => {
                    ConflictScope::Unit(profile.unit.id)
                }
            };
            visits::conflicts(conn, scope).map(Some)
        })
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Json(ConflictList { conflicts }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
        .route("/sync/conflicts", get(conflicts))
}
