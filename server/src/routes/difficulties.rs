//! Difficulties raised on visits: the list in the caller's scope, handling one, and the kinds
//! of difficulty of the caller's province.

use app::api::{DifficultyCategoryList, DifficultyList, HandleDifficulty};
use app::domain::policy::Action;
use app::domain::text::{char_len, clean_multiline};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::input::{ApiPath, ApiQuery};
use crate::auth::Principal;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// `GET /api/difficulties` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DifficultyQuery {
    /// `open` (the default) or `handled`; `all` for both.
    pub status: Option<String>,
}

/// Difficulties raised on visits in the caller's scope, oldest first: a leader's team's,
/// commune staff their commune's, province staff their province's, administrators all.
#[utoipa::path(get, path = "/api/difficulties", tag = "difficulties", params(DifficultyQuery),
    responses(
        (status = 200, body = DifficultyList),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: members see theirs on their visits"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<DifficultyQuery>,
) -> Result<Json<DifficultyList>, ApiError> {
    let scope = principal.scope(Action::ReadDifficulties)?;
    let status = match query.status.as_deref() {
        None | Some("open") => Some("open".to_string()),
        Some("handled") => Some("handled".to_string()),
        Some("all") => None,
        Some(_) => {
            return Err(ApiError::InvalidQuery(
                "status is open, handled or all".into(),
            ))
        }
    };
    Ok(Json(DifficultyList {
        difficulties: state.store.difficulties(scope, status).await?,
    }))
}

/// Marks a difficulty handled with a comment (1–500 characters) that reaches the team through
/// the feed. Commune staff and administrators, within their scope. Audited.
#[utoipa::path(post, path = "/api/difficulties/{id}/handle", tag = "difficulties",
    request_body = HandleDifficulty,
    params(("id" = Uuid, Path, description = "The visit that raised it")),
    responses(
        (status = 204, description = "Handled"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no difficulty on that visit in the caller's scope"),
        (status = 409, body = app::api::ErrorBody, description = "already_handled"),
        (status = 422, body = app::api::ErrorBody, description = "comment_required"),
    ))]
pub async fn handle(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(visit): ApiPath<Uuid>,
    ApiJson(request): ApiJson<HandleDifficulty>,
) -> Result<StatusCode, ApiError> {
    let scope = principal.scope(Action::HandleDifficulties)?;
    let comment = clean_multiline(&request.comment);
    if comment.is_empty() || char_len(&comment) > 500 {
        return Err(ApiError::invalid(
            "comment_required",
            "comment",
            "say what was done, in 1 to 500 characters",
        ));
    }
    state
        .store
        .handle_difficulty(scope, visit, principal.by(), comment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The kinds of difficulty a visit may raise in the caller's province: the national list and
/// the province's own, retired ones marked inactive.
#[utoipa::path(get, path = "/api/difficulty-categories", tag = "difficulties",
    responses(
        (status = 200, body = DifficultyCategoryList),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "password_change_required, account_closed"),
    ))]
pub async fn categories(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<DifficultyCategoryList>, ApiError> {
    principal.scope(Action::ReadCatalogue)?;
    let province = principal.profile().province.as_ref().map(|p| p.id);
    Ok(Json(DifficultyCategoryList {
        categories: state.store.difficulty_categories(province).await?,
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(handle))
        .routes(routes!(categories))
}
