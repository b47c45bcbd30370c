//! The activity catalogue: what the form offers in the user's province, and the province's
//! own keeping of it (add, rename, retire).

use app::api::{ActivityChange, Catalogue, CatalogueAdmin, CatalogueEntry, NewActivity};
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

/// Longest activity name.
const MAX_ACTIVITY_NAME: usize = 200;

fn activity_name(raw: &str, field: &'static str) -> Result<String, ApiError> {
    let name = clean(raw);
    if name.is_empty() {
        return Err(ApiError::invalid("name_required", field, "enter a name"));
    }
    if char_len(&name) > MAX_ACTIVITY_NAME {
        return Err(ApiError::invalid(
            "name_too_long",
            field,
            "an activity name has at most 200 characters",
        ));
    }
    Ok(name)
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
    new.name_vi = activity_name(&new.name_vi, "name_vi")?;
    new.name_en = new
        .name_en
        .as_deref()
        .map(|n| activity_name(n, "name_en"))
        .transpose()?;
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
    ApiJson(mut change): ApiJson<ActivityChange>,
) -> Result<Json<CatalogueEntry>, ApiError> {
    let scope = principal.scope(Action::ManageCatalogue)?;
    change.name_vi = change
        .name_vi
        .as_deref()
        .map(|n| activity_name(n, "name_vi"))
        .transpose()?;
    change.name_en = change
        .name_en
        .as_deref()
        .map(|n| activity_name(n, "name_en"))
        .transpose()?;
    Ok(Json(
        state
            .store
            .change_activity(scope, province, code, change, principal.by())
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalogue))
        .routes(routes!(list))
        .routes(routes!(add))
        .routes(routes!(change))
}
