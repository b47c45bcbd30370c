//! The approval queue (`GET /api/review/queue`) and bulk approval (`POST /api/review/approve`)
//! for commune staff, province staff and administrators, within their scope.

use app::api::{BulkApprove, BulkApproved, QueueFilter, QueueKind, ReviewQueue};
use app::domain::policy::Action;
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::input::ApiQuery;
use crate::auth::Principal;
use crate::db::review::MAX_PAGE;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// `GET /api/review/queue` query: the filter, and the page.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Village (unit id).
    pub village: Option<i64>,
    /// Team.
    pub team: Option<Uuid>,
    /// Member (author).
    pub member: Option<Uuid>,
    /// An activity code the visit includes.
    pub activity: Option<String>,
    /// Visited on or after (`yyyy-mm-dd`, Vietnam time).
    pub from: Option<String>,
    /// Visited on or before (`yyyy-mm-dd`, Vietnam time).
    pub to: Option<String>,
    /// `submitted` or `amendment`.
    pub kind: Option<QueueKind>,
    /// Items to skip (default 0).
    pub offset: Option<u32>,
    /// Items per page, 1–200 (default 50).
    pub limit: Option<u32>,
}

/// What awaits review in the caller's scope — submitted visits and pending amendments (with
/// the edit to decide) — oldest first, with filters, the total and `as_of` for bulk approval.
#[utoipa::path(get, path = "/api/review/queue", tag = "review", params(QueueQuery),
    responses(
        (status = 200, body = ReviewQueue),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: members and leaders do not approve"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query, date_invalid"),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<ReviewQueue>, ApiError> {
    let scope = principal.scope(Action::ReviewVisits)?;
    let limit = query.limit.unwrap_or(50);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::InvalidQuery(format!("limit is 1 to {MAX_PAGE}")));
    }
    let filter = QueueFilter {
        village: query.village,
        team: query.team,
        member: query.member,
        activity: query.activity,
        from: query.from,
        to: query.to,
        kind: query.kind,
    };
    let offset = query.offset.unwrap_or(0);
    Ok(Json(state.store.queue(scope, filter, offset, limit).await?))
}

/// Approves the chosen visits (`ids`), or every visit of the queue matching `filter` after a
/// confirmation of `expected` visits. If the set changed after `as_of` — a visit edited,
/// decided, added or gone — the answer is `409 set_changed` and nothing is approved. Runs in
/// slices of 100 visits per write, each approval audited.
#[utoipa::path(post, path = "/api/review/approve", tag = "review", request_body = BulkApprove,
    responses(
        (status = 200, body = BulkApproved),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: members and leaders do not approve"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: a chosen visit is not in the caller's scope"),
        (status = 409, body = app::api::ErrorBody, description = "set_changed: the visits changed since they were shown"),
        (status = 422, body = app::api::ErrorBody, description = "ids_or_filter, ids_invalid, too_many, date_invalid"),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<BulkApprove>,
) -> Result<Json<BulkApproved>, ApiError> {
    let scope = principal.scope(Action::ReviewVisits)?;
    Ok(Json(
        state
            .store
            .bulk_approve(scope, principal.by(), request)
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(queue))
        .routes(routes!(approve))
}
