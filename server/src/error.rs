//! The one error type of the API. Every error answers `{"error": {"code", "message"}}` with
//! the right status and a stable code; internal faults answer a generic 500 and log the
//! detail (never a request body). Messages never repeat what was submitted.

use app::api::{ErrorBody, ErrorDetail};
use app::domain::policy::Refusal;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use crate::db::{DbError, StoreError};

/// An API error.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 (unreadable JSON), 415 (not JSON) or 422 (JSON of the wrong shape): `invalid_body`.
    #[error("{message}")]
    InvalidBody {
        /// The status to answer.
        status: StatusCode,
        /// What is wrong.
        message: String,
    },
    /// 422: a well-formed request with a value the rules refuse (`phone_invalid`,
    /// `name_required`...); `field` names the field for forms.
    #[error("{message}")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// The field at fault.
        field: Option<&'static str>,
        /// What is wrong.
        message: &'static str,
    },
    /// 401: no session, or it expired.
    #[error("sign in first")]
    Unauthenticated,
    /// 401: wrong phone number or password.
    #[error("wrong phone number or password")]
    WrongCredentials,
    /// 403: signed in, but the policy refuses (`forbidden`, `password_change_required`,
    /// `account_closed`, `no_team`, `role_not_below`).
    #[error("not allowed")]
    Forbidden(Refusal),
    /// 404: no such route, or no such record in the user's scope.
    #[error("not found")]
    NotFound,
    /// 405: the route exists, not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 403: a request that may change something came from another site's page
    /// (`crate::security`, rule 2): `cross_site`.
    #[error("a page of another site may not change anything here")]
    CrossSite,
    /// 409: the request does not fit the records' state (`phone_taken`, `team_exists`...).
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// What is in the way.
        message: &'static str,
    },
    /// 422: a query parameter is missing or out of range: `invalid_query`.
    #[error("{0}")]
    InvalidQuery(String),
    /// 413: the body or batch is over the limit: `too_large`.
    #[error("{what} over the limit of {limit}")]
    TooLarge {
        /// What exceeded it (`bytes`, `visits`).
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// 408: the request took longer than its bound (`crate::serve`, rule 3):
    /// `request_timeout`.
    #[error("the request took too long; send it again")]
    Timeout,
    /// 429: too many attempts; try again after `retry_after` seconds: `rate_limited`.
    #[error("too many attempts; try again later")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 500: a fault on our side; details go to the log only: `internal`.
    #[error("internal error")]
    Internal(String),
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        ApiError::Forbidden(refusal)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict { code, message } => ApiError::Conflict { code, message },
            StoreError::Invalid {
                code,
                field,
                message,
            } => ApiError::Invalid {
                code,
                field,
                message,
            },
            StoreError::Refused(refusal) => ApiError::Forbidden(refusal),
            StoreError::Db(error) => error.into(),
        }
    }
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidBody { status, .. } => *status,
            ApiError::Invalid { .. } | ApiError::InvalidQuery(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Unauthenticated | ApiError::WrongCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::CrossSite => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidBody { .. } => "invalid_body",
            ApiError::Invalid { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::WrongCredentials => "wrong_credentials",
            ApiError::Forbidden(refusal) => refusal.code(),
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::CrossSite => "cross_site",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::TooLarge { .. } => "too_large",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Timeout => "request_timeout",
            ApiError::Internal(_) => "internal",
        }
    }

    /// A 422 for one field.
    pub fn invalid(code: &'static str, field: &'static str, message: &'static str) -> Self {
        ApiError::Invalid {
            code,
            field: Some(field),
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let limit = match &self {
            ApiError::TooLarge { limit, .. } => Some(*limit),
            _ => None,
        };
        let field = match &self {
            ApiError::Invalid { field, .. } => field.map(str::to_string),
            _ => None,
        };
        let retry_after = match &self {
            ApiError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        };
        let message = match &self {
            ApiError::Forbidden(refusal) => refusal_message(*refusal).to_string(),
            other => other.to_string(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message,
                limit,
                field,
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

fn refusal_message(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::PasswordChangeRequired => "change your password first",
        Refusal::AccountClosed => "this account is closed",
        Refusal::NotPermitted => "your role may not do this",
        Refusal::NoTeam => "only people on a team's roster log visits",
        Refusal::RoleNotBelow => "only accounts and roles below your own",
    }
}

/// A JSON body whose rejection is an [`ApiError`], so bad input gets the same structured
/// answer on every route.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(rejection_error(rejection)),
        }
    }
}

/// The limit on request bodies that routes without their own use, in bytes.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Parses a JSON body already read (for routes with their own size limit): 400 for broken
/// JSON, 422 for JSON of the wrong shape.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let status = if e.is_data() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError::InvalidBody {
            status,
            message: without_values(&e.to_string()),
        }
    })
}

/// What serde's messages say that never came from the request: how the JSON is broken, or
/// which part has the wrong shape. serde quotes what was submitted (`invalid type: string
/// "Nguyễn Văn A", expected...`), and a field's own parser may too (a UUID's bad character):
/// those quotes are cut, and a message of any other kind becomes a plain "not valid". The
/// path to the field (`visits[0].household.phone`) and the line and column stay.
pub fn without_values(message: &str) -> String {
    const KEPT: [&str; 14] = [
        "missing field",
        "duplicate field",
        "invalid length",
        "expected",
        "EOF while parsing",
        "trailing",
        "key must be",
        "invalid escape",
        "invalid number",
        "number out of range",
        "control character",
        "lone leading surrogate",
        "invalid unicode",
        "recursion limit",
    ];
    const QUOTING: [&str; 4] = [
        "invalid type",
        "invalid value",
        "unknown variant",
        "unknown field",
    ];
    // axum's prefix, then serde_path_to_error's `path: ` before serde's own message.
    let message = message
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .or_else(|| message.strip_prefix("Failed to deserialize query string: "))
        .unwrap_or(message);
    let (path, rest) = match message.find(": ") {
        Some(i) if !QUOTING.iter().chain(&KEPT).any(|k| message.starts_with(k)) => {
            (&message[..i + 2], &message[i + 2..])
        }
        _ => ("", message),
    };
    let position = rest
        .rfind(" at line ")
        .map_or("", |i| &rest[i..])
        .to_string();
    if let Some(kind) = QUOTING.iter().find(|k| rest.starts_with(*k)) {
        let expected = rest.find(", expected").map_or(String::new(), |i| {
            rest[i..].trim_end_matches(&position).to_string()
        });
        return format!("{path}{kind}{expected}{position}");
    }
    if KEPT.iter().any(|k| rest.starts_with(k)) {
        return format!("{path}{rest}");
    }
    format!("{path}not a valid value{position}")
}

fn rejection_error(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::TooLarge {
            what: "bytes",
            limit: DEFAULT_BODY_LIMIT as u64,
        };
    }
    let message = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "send JSON, with Content-Type: application/json".into()
        }
        _ => without_values(&rejection.body_text()),
    };
    ApiError::InvalidBody { status, message }
}
