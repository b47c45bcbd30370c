//! Sign-in limits and the client's address. Sign-in attempts are limited per phone number
//! (guessing one account's password) and per client address (trying many accounts); both
//! limits are settings, so tests and benchmarks set their own. Behind a TLS reverse proxy
//! every request comes from the proxy's address: the client's address is then read from
//! `X-Forwarded-For`, but only when the proxy is configured as trusted, since anyone can
//! send that header.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

use crate::state::AppState;

/// The window the sign-in limits count over: 15 minutes.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The client's address, as the server trusts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// Which peers are reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// Whether `ip` is one of the trusted proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`: the peer itself, unless it is a trusted proxy; then the
    /// right-most address in `X-Forwarded-For` that is not a trusted proxy (each proxy appends
    /// the address it saw, so the entries to its left are the client's to forge).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|part| part.trim().parse().ok())
            .collect();
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !self.trusts(*ip))
            .unwrap_or(peer)
    }
}

/// Middleware: works out the client's address once per request.
pub async fn client_addr(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let client = state.trusted_proxies.client(peer, request.headers());
    request.extensions_mut().insert(ClientAddr(client));
    next.run(request).await
}

/// Sign-in attempts allowed per phone number and per client address in [`WINDOW`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInQuota {
    /// Per phone number.
    pub per_phone: u32,
    /// Per client address.
    pub per_address: u32,
}

/// The sign-in rate limiter.
#[derive(Clone)]
pub struct SignInLimiter {
    phones: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    addresses: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(
    attempts: u32,
) -> Option<Arc<DefaultKeyedRateLimiter<K>>> {
    let burst = NonZeroU32::new(attempts)?;
    let quota = Quota::with_period(WINDOW / attempts)?.allow_burst(burst);
    Some(Arc::new(RateLimiter::keyed(quota)))
}

impl SignInLimiter {
    /// A limiter with these quotas (0: no limit).
    pub fn new(quota: SignInQuota) -> Self {
        Self {
            phones: limiter(quota.per_phone),
            addresses: limiter(quota.per_address),
        }
    }

    /// Counts one attempt; `Err(seconds)` when over a limit, with how long to wait.
    pub fn check(&self, phone: &str, address: IpAddr) -> Result<(), u64> {
        let wait = |not_until: governor::NotUntil<_>| {
            let clock = governor::clock::DefaultClock::default();
            not_until.wait_time_from(clock.now()).as_secs().max(1)
        };
        if let Some(addresses) = &self.addresses {
            addresses.check_key(&address).map_err(wait)?;
        }
        if let Some(phones) = &self.phones {
            phones.check_key(&phone.to_string()).map_err(wait)?;
        }
        Ok(())
    }

    /// Forgets keys whose limits have fully recovered, so memory stays bounded.
    pub fn forget_idle(&self) {
        if let Some(phones) = &self.phones {
            phones.retain_recent();
            phones.shrink_to_fit();
        }
        if let Some(addresses) = &self.addresses {
            addresses.retain_recent();
            addresses.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let proxies = TrustedProxies(vec!["10.0.0.1/32".parse().unwrap()]);
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(proxies.client(peer, &headers("198.51.100.7")), peer);
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_last_untrusted_forwarded_address() {
        let proxies = TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()]);
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(
            proxies.client(peer, &headers("1.2.3.4, 198.51.100.7, 10.0.0.2")),
            "198.51.100.7".parse::<IpAddr>().unwrap(),
            "the left-most entry is the client's to forge"
        );
        assert_eq!(proxies.client(peer, &HeaderMap::new()), peer);
    }

    #[test]
    fn the_limit_counts_per_phone_and_per_address() {
        let limiter = SignInLimiter::new(SignInQuota {
            per_phone: 2,
            per_address: 3,
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limiter.check("0900000001", a).is_ok());
        assert!(limiter.check("0900000001", b).is_ok());
        assert!(
            limiter.check("0900000001", b).is_err(),
            "third try on one phone"
        );
        assert!(limiter.check("0900000002", a).is_ok());
        assert!(limiter.check("0900000003", a).is_ok());
        assert!(
            limiter.check("0900000004", a).is_err(),
            "fourth try from one address"
        );
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = SignInLimiter::new(SignInQuota {
            per_phone: 0,
            per_address: 0,
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..100 {
            assert!(limiter.check("0900000001", a).is_ok());
        }
    }
}
