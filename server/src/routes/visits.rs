//! `GET /api/visits`: the visits the signed-in user may see.

use app::api::{Role, VisitList};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::CurrentUser;
use crate::db::{users, visits};
use crate::error::ApiError;
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

pub fn router() -> Router<AppState> {
    Router::new().route("/visits", get(list))
}
