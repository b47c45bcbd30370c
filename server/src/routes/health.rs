//! `GET /api/health`.

use app::api::Health;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::state::AppState;

/// Is the server up, and can it read its database?
#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let database = state
        .db
        .read(|conn| {
            Ok(
                conn.query_row("SELECT COUNT(*) FROM activity_types", [], |r| {
                    r.get::<_, i64>(0)
                })?,
            )
        })
        .await;
    let (status, database) = match database {
        Ok(_) => (StatusCode::OK, "ok".to_string()),
        Err(error) => {
            tracing::error!(%error, "health check: database");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable".to_string())
        }
    };
    let ok = status == StatusCode::OK;
    (
        status,
        Json(Health {
            status: if ok { "ok" } else { "degraded" }.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            database,
        }),
    )
}

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}
