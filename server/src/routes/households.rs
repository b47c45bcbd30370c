//! A village's households with their likely duplicates, merging a duplicate, and a
//! household's personal data: its export and its erasure.

use app::api::{Erased, HouseholdExport, HouseholdList, MergeHousehold};
use app::domain::policy::Action;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
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
        (status = 409, body = app::api::ErrorBody, description = "already_merged, household_erased"),
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

/// Everything the server holds about household `id` and the households merged into it: the
/// households as stored, their visits as they stand, every revision naming them, and what was
/// done to them. Sent as a file to save (`Content-Disposition: attachment`). Commune staff and
/// administrators, within their scope. Audited (`household_exported`), and the export lists
/// itself in `history`.
#[utoipa::path(get, path = "/api/households/{id}/export", tag = "households",
    params(("id" = Uuid, Path, description = "The household")),
    responses(
        (status = 200, body = HouseholdExport),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such household in the caller's scope"),
        (status = 409, body = app::api::ErrorBody, description = "already_merged: export the household it was merged into"),
    ))]
pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let scope = principal.scope(Action::ExportHouseholdData)?;
    let export = state
        .store
        .export_household(scope, id, principal.by())
        .await?;
    let mut response = Json(export).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"ho-{id}.json\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Erases the personal data of household `id` and of the households merged into it: names
/// and addresses become "—", phone numbers and consent go, every free text of their visits
/// goes, and every stored revision naming them is scrubbed. The visits stay and stay counted.
/// Devices learn it from the feed; a revision that arrives later naming the household is
/// stored scrubbed. Cannot be undone. Commune staff and administrators, within their scope.
/// Audited (`household_erased`).
#[utoipa::path(post, path = "/api/households/{id}/erase", tag = "households",
    params(("id" = Uuid, Path, description = "The household")),
    responses(
        (status = 200, body = Erased),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such household in the caller's scope"),
        (status = 409, body = app::api::ErrorBody, description = "already_erased; already_merged: erase the household it was merged into"),
    ))]
pub async fn erase(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Erased>, ApiError> {
    let scope = principal.scope(Action::EraseHouseholdData)?;
    Ok(Json(
        state
            .store
            .erase_household(scope, id, principal.by())
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(merge))
        .routes(routes!(export))
        .routes(routes!(erase))
}
