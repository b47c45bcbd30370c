//! `POST /api/sync/push`: devices send visit revisions in batches; each gets its own result,
//! and the answer comes only after the batch's transaction committed.

use app::api::{PushRequest, PushResponse, MAX_PUSH_BATCH, MAX_PUSH_BYTES};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header::CONTENT_TYPE, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};

use crate::auth::CurrentUser;
use crate::db::{users, visits};
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

pub fn router() -> Router<AppState> {
    Router::new().route("/sync/push", post(push))
}
