//! A village's households with their likely duplicates, and merging a duplicate.

use app::api::{HouseholdList, MergeHousehold};
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

/// The households of a village, sorted by head name the Vietnamese way; households with the
/// same folded head name and house number share a `duplicate_group`. Team leaders (their
/// team's villages), commune staff, province staff and administrators, within their scope.
#[utoipa::path(get, path = "/api/units/{id}/households", tag = "households",
    params(("id" = i64, Path, description = "Village id")),
    responses(
        (status = 200, body = HouseholdList),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such village in the caller's scope"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(village): ApiPath<i64>,
) -> Result<Json<HouseholdList>, ApiError> {
    let scope = principal.scope(Action::ReadHouseholds)?;
    Ok(Json(HouseholdList {
        households: state.store.households(scope, village).await?,
    }))
}

/// Merges household `id` into `into` (same village): its visits follow the survivor, devices
/// learn it from the feed (`merged_into`), and a visit that later names the merged household
/// is stored against the survivor. Team leaders, commune staff and administrators. Audited.
#[utoipa::path(post, path = "/api/households/{id}/merge", tag = "households",
    request_body = MergeHousehold,
    params(("id" = Uuid, Path, description = "The duplicate household")),
    responses(
        (status = 204, description = "Merged"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such household in the caller's scope"),
        (status = 409, body = app::api::ErrorBody, description = "already_merged"),
        (status = 422, body = app::api::ErrorBody, description = "same_household, household_unknown, household_elsewhere"),
    ))]
pub async fn merge(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<MergeHousehold>,
) -> Result<StatusCode, ApiError> {
    let scope = principal.scope(Action::MergeHouseholds)?;
    state
        .store
        .merge_household(scope, id, request.into, principal.by())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(merge))
}
