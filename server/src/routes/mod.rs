//! The JSON API under `/api/`. Each module exposes `router()`; this one merges them and serves
//! the OpenAPI document that describes them all.

mod auth;
mod catalogue;
mod health;
mod sync;
mod visits;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::error::{ApiError, DEFAULT_BODY_LIMIT};
use crate::state::AppState;

/// The OpenAPI description of every route.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sổ Tay Số API",
        description = "Every piece of data of Sổ Tay Số. Errors are `{\"error\": {\"code\", \"message\"}}`. Sessions are an HttpOnly cookie set by /api/auth/login."
    ),
    paths(
        health::health,
        auth::login,
        auth::logout,
        auth::me,
        catalogue::catalogue,
        sync::push,
        sync::pull,
        sync::conflicts,
        visits::list,
        visits::review,
    ),
    components(schemas(app::api::ErrorBody, app::api::ErrorDetail))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Every `/api/` route, with session resolution and the default body limit.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .merge(health::router())
        .merge(auth::router())
        .merge(catalogue::router())
        .merge(sync::router())
        .merge(visits::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(DEFAULT_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::auth::resolve_session,
        ))
}
