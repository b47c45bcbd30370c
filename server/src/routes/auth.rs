//! Sign-in and sign-out with phone number and password.

use app::api::{LoginRequest, Profile};
use app::domain::PhoneNumber;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};

use crate::auth::{cookie, CurrentUser, SessionToken};
use crate::db::{sessions, users};
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// A hash of a random password, checked when the phone number is unknown so that a wrong
/// number takes as long as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password_auth::generate_hash(sessions::new_token()));

/// Signs in; sets the session cookie (HttpOnly, SameSite=Strict, 30 days, sliding).
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = Profile, description = "Signed in; the session cookie is set"),
        (status = 401, body = app::api::ErrorBody, description = "wrong_credentials"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_body: not a phone number, or a missing field"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let phone = PhoneNumber::parse(&request.phone).map_err(|e| ApiError::InvalidBody {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: format!("phone: {e}"),
    })?;
    let record = state
        .db
        .read(move |conn| users::login_record(conn, phone.as_str()))
        .await?;
    let password = request.password;
    let (user, verified) = tokio::task::spawn_blocking(move || match record {
        Some((user, hash)) => (
            Some(user),
            password_auth::verify_password(&password, &hash).is_ok(),
        ),
        None => {
            let _ = password_auth::verify_password(&password, &DUMMY_HASH);
            (None, false)
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(user) = user.filter(|_| verified) else {
        return Err(ApiError::WrongCredentials);
    };
    let token = sessions::new_token();
    let now = app::domain::time::now_ms();
    let stored_token = token.clone();
    let profile = state
        .db
        .write(move |conn| {
            sessions::create(conn, &stored_token, user, now)?;
            users::profile(conn, user)
        })
        .await?
        .ok_or(ApiError::WrongCredentials)?;
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, cookie(Some(&token), state.secure_cookies));
    Ok((headers, Json(profile)))
}

/// Ends the session and clears the cookie. Succeeds without a session too.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    State(state): State<AppState>,
    token: Option<Extension<SessionToken>>,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(Extension(SessionToken(token))) = token {
        state
            .db
            .write(move |conn| sessions::delete(conn, &token))
            .await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, cookie(None, state.secure_cookies));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, body = Profile), (status = 401, body = app::api::ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Profile>, ApiError> {
    state
        .db
        .read(move |conn| users::profile(conn, user.id))
        .await?
        .map(Json)
        .ok_or(ApiError::Unauthenticated)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
}
