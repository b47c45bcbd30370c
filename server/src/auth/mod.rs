//! Who is asking. The session middleware resolves the cookie, once per request, into a
//! [`Principal`]: the user, their role, unit, team and village, with the policy's view of them
//! ([`Actor`]). Handlers take the principal and ask it for the scope of what they do; they never
//! read the profile or match on the role themselves.

pub mod limits;
pub mod passwords;

use std::sync::Arc;

use app::api::Profile;
use app::domain::policy::{self, Action, Actor, Scope};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::db::audit::By;
use crate::db::sessions;
use crate::db::users::Account;
use crate::error::ApiError;
use crate::state::AppState;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "sotay_session";

/// The signed-in user of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    account: Arc<Account>,
    token: Arc<str>,
}

impl Principal {
    /// The user's profile (what `/api/auth/me` answers).
    pub fn profile(&self) -> &Profile {
        &self.account.profile
    }

    /// The account, with its closing time and last sync.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The user as the policy sees them.
    pub fn actor(&self) -> Actor {
        self.account.profile.actor()
    }

    /// User id.
    pub fn id(&self) -> uuid::Uuid {
        self.account.profile.user_id
    }

    /// The session token of this request.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The policy's scope for `action`, or the refusal as a 403.
    pub fn scope(&self, action: Action) -> Result<Scope, ApiError> {
        policy::scope(&self.actor(), action).map_err(ApiError::Forbidden)
    }

    /// Who acts, for the audit log, now.
    pub fn by(&self) -> By {
        By {
            user: Some(self.id()),
            address: None,
            at: app::domain::time::now_ms(),
        }
    }
}

/// Reads our cookie from the request headers.
pub fn token_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The `Set-Cookie` value for a session (or, with `None`, one that clears it); over TLS
/// `crate::security` adds `Secure`.
pub fn cookie(token: Option<&str>) -> HeaderValue {
    let (value, max_age) = match token {
        Some(token) => (token, sessions::LIFETIME_MS / 1000),
        None => ("", 0),
    };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"
    ))
    .expect("a cookie of hex digits is a valid header")
}

/// Middleware: resolves the session cookie into a [`Principal`] and slides its expiry.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(token) = token_from_headers(request.headers()) else {
        return next.run(request).await;
    };
    let now = app::domain::time::now_ms();
    let mut slid = false;
    match state.store.session(token.clone(), now).await {
        Ok(Some(live)) => {
            if sessions::should_slide(live.expires_at, now) {
                slid = state.store.extend_session(token.clone(), now).await.is_ok();
            }
            request.extensions_mut().insert(Principal {
                account: Arc::new(live.account),
                token: token.as_str().into(),
            });
        }
        Ok(None) => {}
        Err(error) => tracing::error!(%error, "session lookup failed"),
    }
    let mut response = next.run(request).await;
    if slid && !response.headers().contains_key(SET_COOKIE) {
        response
            .headers_mut()
            .append(SET_COOKIE, cookie(Some(&token)));
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(ApiError::Unauthenticated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let token = "a".repeat(64);
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            format!("x=1; {COOKIE_NAME}={token}; y=2").parse().unwrap(),
        );
        assert_eq!(token_from_headers(&headers), Some(token));
    }

    #[test]
    fn a_malformed_cookie_is_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            format!("{COOKIE_NAME}=not-a-token").parse().unwrap(),
        );
        assert_eq!(token_from_headers(&headers), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_strict() {
        let value = cookie(Some("ab"));
        let text = value.to_str().unwrap();
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict"));
        assert!(text.contains("Max-Age=2592000"));
        assert!(cookie(None).to_str().unwrap().ends_with("Max-Age=0"));
    }
}
