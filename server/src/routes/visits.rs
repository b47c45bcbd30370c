//! `GET /api/visits` and `POST /api/visits/{id}/review`.

use app::api::{ReviewAction, ReviewRequest, VisitList};
use app::domain::policy::Action;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::input::ApiPath;
use crate::auth::Principal;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// The visits the user may see, newest first, at most 500: a member's own; a leader's team's;
/// commune staff their commune's; province staff their province's; administrators all.
#[utoipa::path(get, path = "/api/visits", tag = "visits",
    responses(
        (status = 200, body = VisitList),
        (status = 401, body = app::api::ErrorBody),
        (status = 403, body = app::api::ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<VisitList>, ApiError> {
    let scope = principal.scope(Action::ReadVisits)?;
    Ok(Json(VisitList {
        visits: state.store.visits(scope).await?,
    }))
}

/// Approves or returns a submitted visit. Commune staff, province staff and administrators,
/// for visits in their scope. Returning needs a reason (1–500 characters). The author's
/// devices learn of it from the pull feed.
#[utoipa::path(post, path = "/api/visits/{id}/review", tag = "visits", request_body = ReviewRequest,
    params(("id" = Uuid, Path, description = "Visit id")),
    responses(
        (status = 204, description = "Reviewed"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: members and leaders do not approve"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such visit in the reviewer's scope"),
        (status = 409, body = app::api::ErrorBody, description = "not_submitted: the visit is not awaiting review"),
        (status = 422, body = app::api::ErrorBody, description = "reason_required: returning without a reason of 1–500 characters"),
    ))]
pub async fn review(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<StatusCode, ApiError> {
    let scope = principal.scope(Action::ReviewVisits)?;
    let reason = request
        .reason
        .as_deref()
        .map(app::domain::text::clean)
        .filter(|r| !r.is_empty());
    if request.action == ReviewAction::Return
        && reason
            .as_deref()
            .is_none_or(|r| app::domain::text::char_len(r) > 500)
    {
        return Err(ApiError::invalid(
            "reason_required",
            "reason",
            "returning a visit needs a reason of 1 to 500 characters",
        ));
    }
    let now = app::domain::time::now_ms();
    state
        .store
        .review(scope, id, principal.id(), request.action, reason, now)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(review))
}
