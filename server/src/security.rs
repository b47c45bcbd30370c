//! What every answer carries and which requests are refused before any work, whatever the
//! route (`docs/security.md`). The rules, numbered, are small pure functions; [`harden`] is
//! the one middleware that applies them, outside every other layer.
//!
//! 1. **Over TLS.** A request came over TLS when the server was told it runs behind TLS
//!    (`--behind-tls`), or when its peer is a trusted proxy (`--trusted-proxy`) whose
//!    `X-Forwarded-Proto` says `https`. Anyone else's `X-Forwarded-Proto` is ignored.
//! 2. **Cross-site requests.** A request whose method may change something (anything but
//!    GET, HEAD and OPTIONS) is refused with 403 `cross_site` when its `Sec-Fetch-Site` is
//!    `cross-site` or `same-site`; when it has no `Sec-Fetch-Site`, when its `Origin` is not
//!    this server's own (`Origin: null` included). A request with neither header passes: it
//!    comes from a native client or a script, not from a page in a browser (every browser the
//!    app supports sends `Sec-Fetch-Site`), and the session cookie is `SameSite=Strict`.
//! 3. **Headers on every answer.** `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//!    no-referrer`, `X-Frame-Options: DENY`, and a `Content-Security-Policy`: a page brings its
//!    own, with the nonce of its inline hydration script (`app::shell`); any other answer gets
//!    [`DEFAULT_POLICY`]. Over TLS (rule 1), `Strict-Transport-Security` for a year.
//! 4. **Cookies.** Over TLS every cookie set is `Secure`.
//! 5. **Body size.** A request whose `Content-Length` is over its route's limit
//!    ([`body_limit`]) is answered 413 `too_large` before anything else runs, before the
//!    session is even looked up; a body sent without a length is cut at the same limit by
//!    the route as it reads it.
//! 6. **Caching.** `/api/` answers are `Cache-Control: no-store` (they carry personal data
//!    and must not stay in any cache); everything else is `no-cache` unless its route says
//!    otherwise (browsers revalidate; the service worker keeps the offline copies).

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY,
    SET_COOKIE, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

use crate::error::{ApiError, DEFAULT_BODY_LIMIT};
use crate::state::AppState;

/// The policy of every answer that is not a page (rule 3): its own origin only, never framed.
pub const DEFAULT_POLICY: &str =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// How long browsers keep to HTTPS once told (rule 3): a year, in seconds.
pub const HSTS: &str = "max-age=31536000";

/// Rule 1: whether the request came over TLS.
pub fn over_tls(behind_tls: bool, proxy_peer: bool, headers: &HeaderMap) -> bool {
    behind_tls
        || proxy_peer
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// Why a request was refused by rule 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrossSite;

/// Rule 2: whether a request may go on.
pub fn same_site_only(method: &Method, headers: &HeaderMap) -> Result<(), CrossSite> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(CrossSite),
        };
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return Ok(());
    };
    let authority = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest);
    match (authority, text(HOST.as_str())) {
        (Some(authority), Some(host)) if authority.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(CrossSite),
    }
}

/// Rules 3, 4 and 6 on an answer.
pub fn finish(response: &mut Response, tls: bool, api: bool) {
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_POLICY));
    if api {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        headers
            .entry(CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-cache"));
    }
    if tls {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
        let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
        if !cookies.is_empty() {
            headers.remove(SET_COOKIE);
            for cookie in cookies {
                headers.append(SET_COOKIE, secure(cookie));
            }
        }
    }
}

/// A cookie with the `Secure` attribute (rule 4).
fn secure(cookie: HeaderValue) -> HeaderValue {
    let text = cookie.to_str().unwrap_or_default();
    let already = text
        .split(';')
        .any(|part| part.trim().eq_ignore_ascii_case("secure"));
    if already || text.is_empty() {
        return cookie;
    }
    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
}

/// Rule 5: the most a request to `path` may send, in bytes: a push carries a batch of
/// visits, every other route a small form.
pub fn body_limit(path: &str) -> usize {
    if path == PUSH_PATH {
        app::api::MAX_PUSH_BYTES
    } else {
        DEFAULT_BODY_LIMIT
    }
}

/// The route whose bodies are batches (`docs/sync-protocol.md`).
pub const PUSH_PATH: &str = "/api/sync/push";

/// Rule 5: whether the declared length is within the limit; `Err(limit)` when it is not.
pub fn declared_length_fits(path: &str, headers: &HeaderMap) -> Result<(), usize> {
    let limit = body_limit(path);
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => Err(limit),
        _ => Ok(()),
    }
}

/// The middleware: rules 2 and 5 before anything else runs, the request's time bound
/// (`crate::serve`, rule 3) around the rest, rules 3, 4 and 6 on whatever answers.
pub async fn harden(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let tls = over_tls(
        state.behind_tls,
        state.trusted_proxies.trusts(peer),
        request.headers(),
    );
    let api = request.uri().path().starts_with("/api/") || request.uri().path() == "/api";
    let refused = match same_site_only(request.method(), request.headers()) {
        Err(CrossSite) => Some(ApiError::CrossSite),
        Ok(()) => declared_length_fits(request.uri().path(), request.headers())
            .err()
            .map(|limit| ApiError::TooLarge {
                what: "bytes",
                limit: limit as u64,
            }),
    };
    let mut response = match refused {
        Some(error) => error.into_response(),
        None => match tokio::time::timeout(state.request_timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => ApiError::Timeout.into_response(),
        },
    };
    finish(&mut response, tls, api);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_request_is_over_tls_when_the_server_is_told_so_or_a_trusted_proxy_says_https() {
        let https = headers(&[("x-forwarded-proto", "https")]);
        assert!(over_tls(true, false, &HeaderMap::new()));
        assert!(over_tls(false, true, &https));
        assert!(
            !over_tls(false, false, &https),
            "anyone can send the header"
        );
        assert!(!over_tls(
            false,
            true,
            &headers(&[("x-forwarded-proto", "http")])
        ));
        assert!(!over_tls(false, true, &HeaderMap::new()));
    }

    #[test]
    fn reading_is_never_refused_as_cross_site() {
        let foreign = headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ]);
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert_eq!(same_site_only(&method, &foreign), Ok(()));
        }
    }

    #[test]
    fn a_change_from_another_site_is_refused_by_sec_fetch_site_first() {
        for site in ["cross-site", "same-site"] {
            let h = headers(&[
                ("sec-fetch-site", site),
                ("host", "sotay.vn"),
                ("origin", "https://sotay.vn"),
            ]);
            assert_eq!(same_site_only(&Method::POST, &h), Err(CrossSite), "{site}");
        }
        for site in ["same-origin", "none"] {
            let h = headers(&[("sec-fetch-site", site)]);
            assert_eq!(same_site_only(&Method::DELETE, &h), Ok(()), "{site}");
        }
    }

    #[test]
    fn without_sec_fetch_site_the_origin_must_be_this_server() {
        let own = headers(&[("origin", "https://sotay.vn"), ("host", "sotay.vn")]);
        assert_eq!(same_site_only(&Method::PUT, &own), Ok(()));
        let port = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert_eq!(same_site_only(&Method::PATCH, &port), Ok(()));
        for origin in [
            "https://evil.example",
            "null",
            "https://sotay.vn.evil.example",
        ] {
            let h = headers(&[("origin", origin), ("host", "sotay.vn")]);
            assert_eq!(
                same_site_only(&Method::POST, &h),
                Err(CrossSite),
                "{origin}"
            );
        }
    }

    #[test]
    fn a_request_with_neither_header_comes_from_a_native_client_and_passes() {
        assert_eq!(same_site_only(&Method::POST, &HeaderMap::new()), Ok(()));
    }

    #[test]
    fn a_declared_body_over_the_route_limit_is_refused_and_a_push_may_be_larger() {
        let length = |n: usize| {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_LENGTH, HeaderValue::from(n));
            h
        };
        let over = DEFAULT_BODY_LIMIT + 1;
        assert_eq!(
            declared_length_fits("/api/auth/login", &length(over)),
            Err(DEFAULT_BODY_LIMIT)
        );
        assert_eq!(
            declared_length_fits("/api/auth/login", &length(DEFAULT_BODY_LIMIT)),
            Ok(())
        );
        assert_eq!(declared_length_fits(PUSH_PATH, &length(over)), Ok(()));
        assert_eq!(
            declared_length_fits(PUSH_PATH, &length(app::api::MAX_PUSH_BYTES + 1)),
            Err(app::api::MAX_PUSH_BYTES)
        );
        assert_eq!(
            declared_length_fits("/api/auth/login", &HeaderMap::new()),
            Ok(())
        );
    }

    #[test]
    fn every_answer_gets_the_headers_and_api_answers_are_never_stored() {
        let mut page = Response::new(axum::body::Body::empty());
        page.headers_mut().insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("script-src 'nonce-abc'"),
        );
        finish(&mut page, false, false);
        assert_eq!(
            page.headers()[CONTENT_SECURITY_POLICY],
            "script-src 'nonce-abc'"
        );
        assert_eq!(page.headers()[CACHE_CONTROL], "no-cache");
        assert_eq!(page.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(page.headers().get(STRICT_TRANSPORT_SECURITY).is_none());

        let mut api = Response::new(axum::body::Body::empty());
        api.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        finish(&mut api, false, true);
        assert_eq!(api.headers()[CACHE_CONTROL], "no-store");
        assert_eq!(api.headers()[CONTENT_SECURITY_POLICY], DEFAULT_POLICY);
        assert_eq!(api.headers()[X_FRAME_OPTIONS], "DENY");
    }

    #[test]
    fn over_tls_cookies_are_secure_and_browsers_are_told_to_stay_on_https() {
        let mut response = Response::new(axum::body::Body::empty());
        let headers = response.headers_mut();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("a=1; Path=/; HttpOnly"),
        );
        headers.append(SET_COOKIE, HeaderValue::from_static("b=2; Secure"));
        finish(&mut response, true, true);
        let cookies: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["a=1; Path=/; HttpOnly; Secure", "b=2; Secure"]);
        assert_eq!(response.headers()[STRICT_TRANSPORT_SECURITY], HSTS);
    }
}
