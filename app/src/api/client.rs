//! Browser calls to the `/api/` routes. Every failure is sorted into what the app can act on:
//! no connection, no session, refused, or a server fault.

use serde::{de::DeserializeOwned, Serialize};

use super::{Catalogue, ErrorBody, LoginRequest, Profile, PullResponse, PushRequest, PushResponse};

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

#[cfg(feature = "hydrate")]
mod http {
    use super::{ClientError, DeserializeOwned, Serialize};
    use gloo_net::http::{Request, Response};

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
        response
            .json()
            .await
            .map_err(|_| ClientError::Server(status))
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        url: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let request = Request::post(url)
            .json(body)
            .map_err(|_| ClientError::Server(0))?;
        let response = request.send().await.map_err(|_| ClientError::Offline)?;
        decode(response).await
    }

    pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ClientError> {
        let response = Request::get(url)
            .send()
            .await
            .map_err(|_| ClientError::Offline)?;
        decode(response).await
    }

    pub async fn post_empty(url: &str) {
        let _ = Request::post(url).send().await;
    }
}

/// Off the browser there is no network to call: every call fails as if offline. Pages only call
/// these from event handlers and effects, which run in the browser.
#[cfg(not(feature = "hydrate"))]
mod http {
    use super::{ClientError, DeserializeOwned, Serialize};

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        _url: &str,
        _body: &B,
    ) -> Result<T, ClientError> {
        Err(ClientError::Offline)
    }

    pub async fn get<T: DeserializeOwned>(_url: &str) -> Result<T, ClientError> {
        Err(ClientError::Offline)
    }

    pub async fn post_empty(_url: &str) {}
}

/// `POST /api/auth/login`.
pub async fn login(request: &LoginRequest) -> Result<Profile, ClientError> {
    http::post("/api/auth/login", request).await
}

/// `POST /api/auth/logout`. Best effort: signing out on the device does not wait for it.
pub async fn logout() {
    http::post_empty("/api/auth/logout").await;
}

/// `GET /api/catalogue`.
pub async fn catalogue() -> Result<Catalogue, ClientError> {
    http::get("/api/catalogue").await
}

/// `POST /api/sync/push`.
pub async fn push(request: &PushRequest) -> Result<PushResponse, ClientError> {
    http::post("/api/sync/push", request).await
}

/// `GET /api/sync/pull`.
pub async fn pull(cursor: i64, limit: u32) -> Result<PullResponse, ClientError> {
    http::get(&format!("/api/sync/pull?cursor={cursor}&limit={limit}")).await
}
