//! `GET /api/audit`: the audit log within the user's scope.

use app::api::AuditList;
use app::domain::policy::Action;
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::input::ApiQuery;
use crate::auth::Principal;
use crate::db::audit::PAGE_LIMIT;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/audit` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// The `next_before` of the previous page; omit for the newest entries.
    pub before: Option<i64>,
    /// Entries per page, 1–200 (default 100).
    pub limit: Option<u32>,
}

/// Who did what, when, newest first: sign-ins (failed ones too), accounts created, changed,
/// reset, closed or moved, roster and team changes, villages, catalogue changes. Commune
/// staff read their commune's, province staff their province's, administrators everything
/// (also failed sign-ins with unknown phone numbers and what the command line did).
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, body = AuditList),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditList>, ApiError> {
    let scope = principal.scope(Action::ReadAudit)?;
    let limit = query.limit.unwrap_or(100);
    if limit == 0 || limit > PAGE_LIMIT {
        return Err(ApiError::InvalidQuery(format!(
            "limit is 1 to {PAGE_LIMIT}"
        )));
    }
    Ok(Json(
        state.store.audit_log(scope, query.before, limit).await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}
