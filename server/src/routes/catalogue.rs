//! `GET /api/catalogue`.

use app::api::Catalogue;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

/// The active activities, in display order. Public: it holds no personal data.
#[utoipa::path(get, path = "/api/catalogue", tag = "catalogue",
    responses((status = 200, body = Catalogue)))]
pub async fn catalogue(State(state): State<AppState>) -> Result<Json<Catalogue>, ApiError> {
    Ok(Json(state.db.read(db::catalogue::list).await?))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/catalogue", get(catalogue))
}
