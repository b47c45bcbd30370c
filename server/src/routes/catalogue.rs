//! A province's lists: the activity catalogue (what the form offers in the user's province)
//! and the kinds of difficulty a visit may raise, and the province's own keeping of both (add,
//! rename, retire).

use app::api::{
    ActivityChange, Catalogue, CatalogueAdmin, CatalogueEntry, DifficultyKindEntry,
    DifficultyKinds, NewActivity, NewDifficultyKind,
};
use app::domain::policy::Action;
use app::domain::text::{char_len, clean};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::input::ApiPath;
use crate::auth::Principal;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Longest name of an entry of a list.
const MAX_ENTRY_NAME: usize = 200;

fn entry_name(raw: &str, field: &'static str) -> Result<String, ApiError> {
    let name = clean(raw);
    if name.is_empty() {
        return Err(ApiError::invalid("name_required", field, "enter a name"));
    }
    if char_len(&name) > MAX_ENTRY_NAME {
        return Err(ApiError::invalid(
            "name_too_long",
            field,
            "a name has at most 200 characters",
        ));
    }
    Ok(name)
}

/// Checks the names of a change to an entry (an activity or a kind of difficulty).
fn checked_change(mut change: ActivityChange) -> Result<ActivityChange, ApiError> {
    change.name_vi = change
        .name_vi
        .as_deref()
        .map(|n| entry_name(n, "name_vi"))
        .transpose()?;
    change.name_en = change
        .name_en
        .as_deref()
        .map(|n| entry_name(n, "name_en"))
        .transpose()?;
    Ok(change)
}

/// The Vietnamese name and the optional English one of a new entry.
fn new_names(name_vi: &str, name_en: Option<&str>) -> Result<(String, Option<String>), ApiError> {
    Ok((
        entry_name(name_vi, "name_vi")?,
        name_en.map(|n| entry_name(n, "name_en")).transpose()?,
    ))
}

/// The activities the form offers in the user's province (the national list and the
/// province's own, without the retired ones), in display order.
#[utoipa::path(get, path = "/api/catalogue", tag = "catalogue",
    responses(
        (status = 200, body = Catalogue),
        (status = 401, body = app::api::ErrorBody),
        (status = 403, body = app::api::ErrorBody, description = "password_change_required, account_closed"),
    ))]
pub async fn catalogue(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Catalogue>, ApiError> {
    principal.scope(Action::ReadCatalogue)?;
    let province = principal.profile().province.as_ref().map(|p| p.id);
    Ok(Json(state.store.catalogue(province).await?))
}

/// Every entry a province sees, retired ones too. Province staff (their province) and
/// administrators.
#[utoipa::path(get, path = "/api/units/{id}/activities", tag = "catalogue",
    params(("id" = i64, Path, description = "Province id")),
    responses(
        (status = 200, body = CatalogueAdmin),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody, description = "no such province in the user's scope"),
        (status = 422, body = app::api::ErrorBody, description = "not_a_province"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(province): ApiPath<i64>,
) -> Result<Json<CatalogueAdmin>, ApiError> {
    let scope = principal.scope(Action::ManageCatalogue)?;
    Ok(Json(state.store.catalogue_admin(scope, province).await?))
}

/// Adds the province's own entry (it gets a code `p<province code>-<n>`).
#[utoipa::path(post, path = "/api/units/{id}/activities", tag = "catalogue", request_body = NewActivity,
    params(("id" = i64, Path, description = "Province id")),
    responses(
        (status = 201, body = CatalogueEntry),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody),
        (status = 422, body = app::api::ErrorBody, description = "name_required, name_too_long, not_a_province"),
    ))]
pub async fn add(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(province): ApiPath<i64>,
    ApiJson(mut new): ApiJson<NewActivity>,
) -> Result<(StatusCode, Json<CatalogueEntry>), ApiError> {
    let scope = principal.scope(Action::ManageCatalogue)?;
    (new.name_vi, new.name_en) = new_names(&new.name_vi, new.name_en.as_deref())?;
    let entry = state
        .store
        .add_activity(scope, province, new, principal.by())
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Renames an entry in the province, retires it (it leaves the form; visits logged before
/// stay valid) or offers it again.
#[utoipa::path(patch, path = "/api/units/{id}/activities/{code}", tag = "catalogue", request_body = ActivityChange,
    params(("id" = i64, Path, description = "Province id"), ("code" = String, Path, description = "Activity code")),
    responses(
        (status = 200, body = CatalogueEntry),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody),
        (status = 422, body = app::api::ErrorBody, description = "name_required, name_too_long, not_a_province"),
    ))]
pub async fn change(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((province, code)): ApiPath<(i64, String)>,
    ApiJson(change): ApiJson<ActivityChange>,
) -> Result<Json<CatalogueEntry>, ApiError> {
    let scope = principal.scope(Action::ManageCatalogue)?;
    let change = checked_change(change)?;
    Ok(Json(
        state
            .store
            .change_activity(scope, province, code, change, principal.by())
            .await?,
    ))
}

/// Every kind of difficulty a province sees, retired ones too. Province staff (their
/// province) and administrators.
#[utoipa::path(get, path = "/api/units/{id}/difficulty-categories", tag = "catalogue",
    params(("id" = i64, Path, description = "Province id")),
    responses(
        (status = 200, body = DifficultyKinds),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody, description = "no such province in the user's scope"),
        (status = 422, body = app::api::ErrorBody, description = "not_a_province"),
    ))]
pub async fn difficulty_kinds(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(province): ApiPath<i64>,
) -> Result<Json<DifficultyKinds>, ApiError> {
    let scope = principal.scope(Action::ManageCatalogue)?;
    Ok(Json(state.store.difficulty_kinds(scope, province).await?))
}

/// Adds the province's own kind of difficulty (it gets a code `p<province code>-d<n>`).
/// Audited; the province's devices learn it from the feed.
#[utoipa::path(post, path = "/api/units/{id}/difficulty-categories", tag = "catalogue",
    request_body = NewDifficultyKind,
    params(("id" = i64, Path, description = "Province id")),
    responses(
        (status = 201, body = DifficultyKindEntry),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody),
        (status = 422, body = app::api::ErrorBody, description = "name_required, name_too_long, not_a_province"),
    ))]
pub async fn add_difficulty_kind(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(province): ApiPath<i64>,
    ApiJson(mut new): ApiJson<NewDifficultyKind>,
) -> Result<(StatusCode, Json<DifficultyKindEntry>), ApiError> {
    let scope = principal.scope(Action::ManageCatalogue)?;
    (new.name_vi, new.name_en) = new_names(&new.name_vi, new.name_en.as_deref())?;
    let kind = state
        .store
        .add_difficulty_kind(scope, province, new, principal.by())
        .await?;
    Ok((StatusCode::CREATED, Json(kind)))
}

/// Renames a kind of difficulty in the province (a national one too, for this province only),
/// retires it (it leaves the form; visits logged before keep it) or offers it again.
#[utoipa::path(patch, path = "/api/units/{id}/difficulty-categories/{code}", tag = "catalogue",
    request_body = ActivityChange,
    params(("id" = i64, Path, description = "Province id"), ("code" = String, Path, description = "Kind code")),
    responses(
        (status = 200, body = DifficultyKindEntry),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody),
        (status = 422, body = app::api::ErrorBody, description = "name_required, name_too_long, not_a_province"),
    ))]
pub async fn change_difficulty_kind(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((province, code)): ApiPath<(i64, String)>,
    ApiJson(change): ApiJson<ActivityChange>,
) -> Result<Json<DifficultyKindEntry>, ApiError> {
    let scope = principal.scope(Action::ManageCatalogue)?;
    let change = checked_change(change)?;
    Ok(Json(
        state
            .store
            .change_difficulty_kind(scope, province, code, change, principal.by())
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalogue))
        .routes(routes!(list))
        .routes(routes!(add))
        .routes(routes!(change))
        .routes(routes!(difficulty_kinds))
        .routes(routes!(add_difficulty_kind))
        .routes(routes!(change_difficulty_kind))
}
