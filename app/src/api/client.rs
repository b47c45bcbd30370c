//! Browser calls to the `/api/` routes. Every failure is sorted into what the app can act on:
//! no connection, no session, refused (with the server's code), or a server fault.

use serde::{de::DeserializeOwned, Serialize};

use super::{
    Catalogue, ErrorBody, LoginRequest, PasswordChange, Profile, PullResponse, PushRequest,
    PushResponse,
};

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientError {
    /// The request never got an answer: offline, server down, connection cut.
    Offline,
    /// 401: no session or it expired.
    Unauthorized,
    /// A 4xx with the server's error body.
    Refused(u16, Option<ErrorBody>),
    /// A 5xx, or an answer the client could not read.
    Server(u16),
}

impl ClientError {
    /// The server's stable code for a refusal (`forbidden`, `phone_taken`...), if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Refused(_, Some(body)) => Some(body.error.code.as_str()),
            _ => None,
        }
    }
}

/// An HTTP method the app uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Read.
    Get,
    /// Create or act.
    Post,
    /// Change part of a record.
    Patch,
    /// Set a record whole (a target).
    Put,
    /// Remove.
    Delete,
}

#[cfg(feature = "hydrate")]
mod http {
    use super::{ClientError, DeserializeOwned, Method, Serialize};
    use gloo_net::http::{Request, RequestBuilder, Response};

    async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
        let status = response.status();
        if status == 401 {
            return Err(ClientError::Unauthorized);
        }
        if (400..500).contains(&status) {
            return Err(ClientError::Refused(status, response.json().await.ok()));
        }
        if !(200..300).contains(&status) {
            return Err(ClientError::Server(status));
        }
        if status == 204 {
            return serde_json::from_str("null").map_err(|_| ClientError::Server(status));
        }
        response
            .json()
            .await
            .map_err(|_| ClientError::Server(status))
    }

    fn builder(method: Method, url: &str) -> RequestBuilder {
        match method {
            Method::Get => Request::get(url),
            Method::Post => Request::post(url),
            Method::Patch => Request::patch(url),
            Method::Put => Request::put(url),
            Method::Delete => Request::delete(url),
        }
    }

    pub async fn call<B: Serialize, T: DeserializeOwned>(
        method: Method,
        url: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let request = builder(method, url);
        let request = match body {
            Some(body) => request.json(body).map_err(|_| ClientError::Server(0))?,
            None => request.build().map_err(|_| ClientError::Server(0))?,
        };
        let response = request.send().await.map_err(|_| ClientError::Offline)?;
        decode(response).await
    }
}

/// Off the browser there is no network to call: every call fails as if offline. Pages only call
/// these from event handlers and effects, which run in the browser.
#[cfg(not(feature = "hydrate"))]
mod http {
    use super::{ClientError, DeserializeOwned, Method, Serialize};

    pub async fn call<B: Serialize, T: DeserializeOwned>(
        _method: Method,
        _url: &str,
        _body: Option<&B>,
    ) -> Result<T, ClientError> {
        Err(ClientError::Offline)
    }
}

/// Any JSON route: `GET` without a body, the others with one (or none).
pub async fn call<B: Serialize, T: DeserializeOwned>(
    method: Method,
    url: &str,
    body: Option<&B>,
) -> Result<T, ClientError> {
    http::call(method, url, body).await
}

/// `GET url`.
pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ClientError> {
    http::call::<(), T>(Method::Get, url, None).await
}

/// `POST url` with a JSON body.
pub async fn post<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, ClientError> {
    http::call(Method::Post, url, Some(body)).await
}

/// `POST /api/auth/login`.
pub async fn login(request: &LoginRequest) -> Result<Profile, ClientError> {
    post("/api/auth/login", request).await
}

/// `POST /api/auth/logout`. Best effort: signing out on the device does not wait for it.
pub async fn logout() {
    let _ = http::call::<(), ()>(Method::Post, "/api/auth/logout", None).await;
}

/// `GET /api/auth/me`.
pub async fn me() -> Result<Profile, ClientError> {
    get("/api/auth/me").await
}

/// `POST /api/auth/password`.
pub async fn change_password(change: &PasswordChange) -> Result<(), ClientError> {
    post("/api/auth/password", change).await
}

/// `GET /api/catalogue`.
pub async fn catalogue() -> Result<Catalogue, ClientError> {
    get("/api/catalogue").await
}

/// `POST /api/sync/push`.
pub async fn push(request: &PushRequest) -> Result<PushResponse, ClientError> {
    post("/api/sync/push", request).await
}

/// `GET /api/sync/pull`, as a protocol 2 client, reporting what waits in the outbox.
pub async fn pull(cursor: i64, limit: u32, unsent: usize) -> Result<PullResponse, ClientError> {
    get(&format!(
        "/api/sync/pull?cursor={cursor}&limit={limit}&unsent={unsent}&v=2"
    ))
    .await
}
