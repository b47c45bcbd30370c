//! Sign-in and sign-out with phone number and password; the signed-in user; changing one's
//! own password.

use app::api::{LoginRequest, PasswordChange, Profile};
use app::domain::policy::Action;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::limits::ClientAddr;
use crate::auth::passwords::check_new;
use crate::auth::{cookie, Principal};
use crate::db::audit::By;
use crate::db::sessions;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Signs in; sets the session cookie (HttpOnly, SameSite=Strict, 30 days, sliding). Attempts
/// are limited per phone number and per client address (429 with `Retry-After`); an unknown
/// phone number and a wrong password get the same answer in about the same time.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = Profile, description = "Signed in; the session cookie is set"),
        (status = 401, body = app::api::ErrorBody, description = "wrong_credentials"),
        (status = 422, body = app::api::ErrorBody, description = "phone_invalid: not a phone number; invalid_body: a missing field"),
        (status = 429, body = app::api::ErrorBody, description = "rate_limited: too many attempts for this phone number or from this address; wait `Retry-After` seconds"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    Extension(ClientAddr(address)): Extension<ClientAddr>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let phone = super::input::phone(&request.phone)?;
    if let Err(retry_after) = state.sign_in.check(phone.as_str(), address) {
        tracing::warn!(%address, "sign-in refused: too many attempts");
        return Err(ApiError::RateLimited { retry_after });
    }
    let now = app::domain::time::now_ms();
    let record = state
        .store
        .login_record(phone.as_str().to_string(), now)
        .await?;
    let verified = state
        .hasher
        .verify(
            request.password,
            record.as_ref().map(|r| r.password_hash.clone()),
        )
        .await;
    let by = |user| By {
        user,
        address: Some(address.to_string()),
        at: now,
    };
    let user = match record {
        Some(record) if verified && record.may_sign_in => record.user,
        other => {
            let (user, unit) = other.map(|r| (r.user, r.unit)).unzip();
            tracing::warn!(user = ?user, %address, "sign-in failed");
            state
                .store
                .audit(by(None), "sign_in_failed", user, unit)
                .await?;
            return Err(ApiError::WrongCredentials);
        }
    };
    let token = sessions::new_token();
    state.store.open_session(token.clone(), user, now).await?;
    let account = state
        .store
        .account(user)
        .await?
        .ok_or(ApiError::WrongCredentials)?;
    state
        .store
        .audit(
            by(Some(user)),
            "sign_in",
            Some(user),
            Some(account.profile.unit.id),
        )
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, cookie(Some(&token)));
    Ok((headers, Json(account.profile)))
}

/// Ends the session and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<impl IntoResponse, ApiError> {
    principal.scope(Action::ReadSelf)?;
    state
        .store
        .end_session(principal.token().to_string())
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, cookie(None));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// The signed-in user: role, places, team, and whether the password must be changed first.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, body = Profile), (status = 401, body = app::api::ErrorBody)))]
pub async fn me(principal: Principal) -> Result<Json<Profile>, ApiError> {
    principal.scope(Action::ReadSelf)?;
    Ok(Json(principal.profile().clone()))
}

/// Changes one's own password (also the one-time password given by staff). Every other
/// session of the user ends; this one stays.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 422, body = app::api::ErrorBody, description = "wrong_password (the current one), password_too_short (8), password_too_long (128), password_is_phone, password_unchanged"),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    principal.scope(Action::ChangeOwnPassword)?;
    let stored = state.store.password_hash(principal.id()).await?;
    if !state
        .hasher
        .verify(change.current.clone(), Some(stored))
        .await
    {
        return Err(ApiError::invalid(
            "wrong_password",
            "current",
            "the current password is not right",
        ));
    }
    check_new(&change.new, &change.current, &principal.profile().phone)
        .map_err(|refusal| ApiError::invalid(refusal.code(), "new", "choose another password"))?;
    let hash = state.hasher.hash(change.new).await;
    state
        .store
        .set_own_password(
            principal.id(),
            hash,
            principal.token().to_string(),
            principal.by(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}
