//! The JSON API under `/api/`. Each module exposes `router()`, an [`OpenApiRouter`] that
//! registers every route together with its OpenAPI description (`utoipa_axum::routes!`), so a
//! route cannot be served without being described. Routes hold no SQL and no role logic:
//! they ask the principal for the policy's scope and hand it to the [`crate::db::Store`].

mod audit;
mod auth;
mod catalogue;
mod difficulties;
mod figures;
mod health;
mod households;
pub(crate) mod input;
mod review;
mod sync;
mod teams;
mod units;
mod users;
mod visits;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::{ApiError, DEFAULT_BODY_LIMIT};
use crate::state::AppState;

/// The OpenAPI document's header; the paths come from the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sổ Tay Số API",
        description = "Every piece of data of Sổ Tay Số. Errors are `{\"error\": {\"code\", \"message\", \"field\"?, \"limit\"?}}`. Sessions are an HttpOnly cookie set by /api/auth/login; without one every route but health, sign-in and this document answers 401."
    ),
    components(schemas(app::api::ErrorBody, app::api::ErrorDetail))
)]
pub struct ApiDoc;

/// Every described route, with its description.
pub fn described() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(catalogue::router())
        .merge(sync::router())
        .merge(visits::router())
        .merge(review::router())
        .merge(difficulties::router())
        .merge(figures::router())
        .merge(households::router())
        .merge(units::router())
        .merge(teams::router())
        .merge(users::router())
        .merge(audit::router())
}

/// The OpenAPI document of every route, built once.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::LazyLock<utoipa::openapi::OpenApi> =
        std::sync::LazyLock::new(|| with_shared_answers(described().into_openapi()));
    &DOC
}

/// Adds to every operation the answers any route may give whatever it does, from the layers
/// in front of it (`crate::security`, `crate::serve`, [`crate::error::ApiJson`]): 408
/// `request_timeout` on every route; 403 `cross_site` on those that change something; and on
/// those with a body 400 `invalid_body` (not JSON), 413 `too_large`, 415 `invalid_body`
/// (not `application/json`) and 422 `invalid_body` (JSON of the wrong shape). An answer a route describes itself is kept as it is.
fn with_shared_answers(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let answer = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            (item.get.as_mut(), false),
            (item.post.as_mut(), true),
            (item.put.as_mut(), true),
            (item.patch.as_mut(), true),
            (item.delete.as_mut(), true),
        ];
        for (operation, changes) in operations {
            let Some(operation) = operation else { continue };
            let has_body = operation.request_body.is_some();
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| answer(description).into());
            };
            add(
                "408",
                "request_timeout: the request took longer than its bound",
            );
            if changes {
                add("403", "cross_site: asked by another site's page");
            }
            if has_body {
                add("400", "invalid_body: the body is not JSON");
                add("413", "too_large: the body is over the route's limit");
                add(
                    "415",
                    "invalid_body: the body is not sent as application/json",
                );
                add("422", "invalid_body: JSON of the wrong shape");
            }
        }
    }
    doc
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Axum answers a known path with the wrong method with an empty 405; give it the API's
/// error shape.
async fn json_method_not_allowed(response: Response) -> Response {
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = response.headers().get(axum::http::header::ALLOW).cloned();
        let mut json = ApiError::MethodNotAllowed.into_response();
        if let Some(allow) = allow {
            json.headers_mut().insert(axum::http::header::ALLOW, allow);
        }
        return json;
    }
    response
}

/// Every `/api/` route, with the client's address, session resolution and the default body
/// limit; unknown `/api/` paths answer a JSON 404.
pub fn router(state: AppState) -> Router<AppState> {
    let (api, _) = described().split_for_parts();
    api.route("/api/{*rest}", axum::routing::any(not_found))
        .route("/api", axum::routing::any(not_found))
        .layer(axum::middleware::map_response(json_method_not_allowed))
        .layer(DefaultBodyLimit::max(DEFAULT_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::resolve_session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::auth::limits::client_addr,
        ))
}

#[cfg(test)]
mod tests {
    const SOURCES: [&str; 9] = [
        include_str!("audit.rs"),
        include_str!("auth.rs"),
        include_str!("catalogue.rs"),
        include_str!("health.rs"),
        include_str!("sync.rs"),
        include_str!("teams.rs"),
        include_str!("units.rs"),
        include_str!("users.rs"),
        include_str!("visits.rs"),
    ];

    /// Routes are registered only with `routes!`, which adds the OpenAPI description too.
    #[test]
    fn no_route_is_registered_without_its_description() {
        for source in SOURCES {
            let plain_routes = source.matches(".route(").count();
            assert_eq!(plain_routes, 0, "a route registered without routes!()");
        }
    }

    /// `routes!(a, b)` would serve both handlers on both paths: one handler per call.
    #[test]
    fn each_routes_call_registers_one_handler() {
        for source in SOURCES {
            for call in source.split("routes!(").skip(1) {
                let args = &call[..call.find(')').unwrap_or(call.len())];
                assert!(!args.contains(','), "routes!({args})");
            }
        }
    }
}
