//! `GET /api/health` and `GET /api/openapi.json`: the two routes (with sign-in) that answer
//! without a session.

use app::api::Health;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Is the server up, and can it read its database?
#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (status, database) = match state.store.health().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check: database");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    let ok = status == StatusCode::OK;
    (
        status,
        Json(Health {
            status: if ok { "ok" } else { "degraded" }.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            database: database.into(),
        }),
    )
}

/// This document: every route of the API, its parameters, bodies and answers.
#[utoipa::path(get, path = "/api/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn document() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(super::openapi())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(document))
}
