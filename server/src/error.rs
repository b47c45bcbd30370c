//! The one error type of the API. Every error answers `{"error": {"code", "message"}}` with
//! the right status; internal faults answer a generic 500 and log the detail (never a body).

use app::api::{ErrorBody, ErrorDetail};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use crate::db::DbError;

/// An API error.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 (unreadable JSON), 415 (not JSON) or 422 (JSON of the wrong shape).
    #[error("{message}")]
    InvalidBody {
        /// The status to answer.
        status: StatusCode,
        /// What is wrong.
        message: String,
    },
    /// 401: no session, or it expired.
    #[error("sign in first")]
    Unauthenticated,
    /// 401: wrong phone number or password.
    #[error("wrong phone number or password")]
    WrongCredentials,
    /// 403: signed in, but not allowed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404: no such route or record.
    #[error("not found")]
    NotFound,
    /// 409: the request does not fit the record's state.
    #[error("{0}")]
    Conflict(&'static str),
    /// 422: a query parameter is missing or out of range.
    #[error("{0}")]
    InvalidQuery(String),
    /// 413: the body or batch is over the limit.
    #[error("{what} over the limit of {limit}")]
    TooLarge {
        /// What exceeded it (`bytes`, `visits`).
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// 500: a fault on our side; details go to the log only.
    #[error("internal error")]
    Internal(String),
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidBody { status, .. } => *status,
            ApiError::Unauthenticated | ApiError::WrongCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::InvalidQuery(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidBody { .. } => "invalid_body",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::WrongCredentials => "wrong_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::TooLarge { .. } => "too_large",
            ApiError::Internal(_) => "internal",
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
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message: self.to_string(),
                limit,
            },
        };
        (self.status(), Json(body)).into_response()
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
            message: e.to_string(),
        }
    })
}

fn rejection_error(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::TooLarge {
            what: "bytes",
            limit: DEFAULT_BODY_LIMIT as u64,
        };
    }
    ApiError::InvalidBody {
        status,
        message: rejection.body_text(),
    }
}
