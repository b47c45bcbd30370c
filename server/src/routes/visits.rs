//! `GET /api/visits`: the visits the signed-in user may see.

use app::api::{ReviewAction, ReviewRequest, Role, VisitList};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::db::visits::ReviewRefusal;
use crate::db::{users, visits};
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Members and leaders: their own visits. Commune and province staff, administrators: every
/// visit in their unit. Newest first, at most 500.
#[utoipa::path(get, path = "/api/visits", tag = "visits",
    responses((status = 200, body = VisitList), (status = 401, body = app::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<VisitList>, ApiError> {
    let visits = state
        .db
        .read(move |conn| {
            let Some(profile) = users::profile(conn, user.id)? else {
                return Ok(None);
            };
            let list = match profile.role {
                Role::Member | Role::Leader => visits::list_own(conn, user.id)?,
                Role::CommuneStaff | Role::ProvinceStaff | Role::Admin => {
                    visits::list_in_unit(conn, profile.unit.id)?
                }
            };
            Ok(Some(list))
        })
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Json(VisitList { visits }))
}

/// Approves or returns a submitted visit. Commune staff, province staff and administrators,
/// for visits in their unit. Returning needs a reason (1–500 characters). The author's
/// devices learn of it from the pull feed.
#[utoipa::path(post, path = "/api/visits/{id}/review", tag = "visits", request_body = ReviewRequest,
    params(("id" = Uuid, Path, description = "Visit id")),
    responses(
        (status = 204, description = "Reviewed"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: members and leaders do not approve"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such visit in the reviewer's unit"),
        (status = 409, body = app::api::ErrorBody, description = "conflict: the visit is not awaiting review"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_body: returning without a reason"),
    ))]
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<StatusCode, ApiError> {
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
        return Err(ApiError::InvalidBody {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: "returning a visit needs a reason of 1 to 500 characters".into(),
        });
    }
    state
        .db
        .write(move |conn| {
            let Some(profile) = users::profile(conn, user.id)? else {
                return Ok(Err(ApiError::Unauthenticated));
            };
            if matches!(profile.role, Role::Member | Role::Leader) {
                return Ok(Err(ApiError::Forbidden(
                    "only commune or province staff review visits",
                )));
            }
            let now = app::domain::time::now_ms();
            Ok(
                match visits::review(
                    conn,
                    id,
                    user.id,
                    profile.unit.id,
                    request.action,
                    reason.as_deref(),
                    now,
                )? {
                    Ok(()) => Ok(()),
                    Err(ReviewRefusal::NotFound) => Err(ApiError::NotFound),
                    Err(ReviewRefusal::NotSubmitted) => {
                        Err(ApiError::Conflict("the visit is not awaiting review"))
                    }
                },
            )
        })
        .await??;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visits", get(list))
        .route("/visits/{id}/review", post(review))
}
