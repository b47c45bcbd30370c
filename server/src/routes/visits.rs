//! `GET /api/visits`, and deciding on one visit: review, a leader's mark, settling a conflict.

use app::api::{
    MarkKind, MarkRequest, ResolveRequest, ReviewAction, ReviewRequest, VisitList, VisitStatus,
};
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
    state
        .store
        .review(scope, id, principal.by(), request.action, reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A team leader marks a visit of their team: `reviewed`, or `has_issues` with a comment
/// (1–500 characters). A mark, not a gate: the review status does not change; the author sees
/// it through the feed.
#[utoipa::path(post, path = "/api/visits/{id}/mark", tag = "visits", request_body = MarkRequest,
    params(("id" = Uuid, Path, description = "Visit id")),
    responses(
        (status = 204, description = "Marked"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: only team leaders mark visits"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such visit in the leader's team"),
        (status = 422, body = app::api::ErrorBody, description = "comment_required: has_issues without a comment of 1–500 characters"),
    ))]
pub async fn mark(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<MarkRequest>,
) -> Result<StatusCode, ApiError> {
    let scope = principal.scope(Action::MarkVisits)?;
    let comment = request
        .comment
        .as_deref()
        .map(app::domain::text::clean)
        .filter(|c| !c.is_empty());
    if comment
        .as_deref()
        .is_some_and(|c| app::domain::text::char_len(c) > 500)
        || (request.mark == MarkKind::HasIssues && comment.is_none())
    {
        return Err(ApiError::invalid(
            "comment_required",
            "comment",
            "a visit with issues needs a comment of 1 to 500 characters",
        ));
    }
    state
        .store
        .mark(scope, id, principal.by(), request.mark, comment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Settles a conflict: the author or the leader of the visit's team keeps one revision
/// (`keep`, a `number` from `GET /api/sync/conflicts`). The server writes it as a new revision
/// on the author's behalf, makes it current (back to review) and clears the flag; the
/// author's devices learn it from the feed. Answers the visit's new state.
#[utoipa::path(post, path = "/api/visits/{id}/resolve", tag = "visits", request_body = ResolveRequest,
    params(("id" = Uuid, Path, description = "Visit id")),
    responses(
        (status = 200, body = VisitStatus),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: staff do not settle conflicts"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such visit of the user (member) or team (leader)"),
        (status = 409, body = app::api::ErrorBody, description = "no_conflict: the visit is not flagged"),
        (status = 422, body = app::api::ErrorBody, description = "revision_unknown: keep is not a revision of this visit"),
    ))]
pub async fn resolve(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ResolveRequest>,
) -> Result<Json<VisitStatus>, ApiError> {
    let scope = principal.scope(Action::ResolveConflicts)?;
    Ok(Json(
        state
            .store
            .resolve(scope, id, principal.by(), request.keep)
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(review))
        .routes(routes!(mark))
        .routes(routes!(resolve))
}
