//! Per-client rate limiting, by peer IP, with exemption by bearer token.
//!
//! Citizens and kiosks share the public service; a bank's integration that sends thousands of
//! checks an hour is given a token and exempted. The limiter is `governor`'s keyed GCRA (a
//! token bucket per IP address, refilled continuously, burst = the per-minute quota); its map
//! is pruned every minute. Behind a load balancer, `--trusted-proxy` names the proxies whose
//! `X-Forwarded-For` is believed.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::AppError;
use super::AppState;

/// Who is asking, as far as the limiter is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// Presented an exempt token.
    Exempt,
    /// Limited by this address.
    Ip(IpAddr),
}

/// The limiter and the exempt tokens.
#[derive(Debug)]
pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// SHA-256 of each exempt token: compared in constant time, never kept in clear.
    exempt: Vec<[u8; 32]>,
    trusted_proxies: Vec<IpAddr>,
}

impl RateLimit {
    /// `per_minute` requests per client IP (0: no limit), bursts up to the same number.
    pub fn new(
        per_minute: u32,
        exempt_tokens: &[String],
        trusted_proxies: Vec<IpAddr>,
    ) -> RateLimit {
        RateLimit {
            limiter: NonZeroU32::new(per_minute)
                .map(|n| RateLimiter::dashmap(Quota::per_minute(n))),
            exempt: exempt_tokens
                .iter()
                .filter(|t| !t.is_empty())
                .map(|t| Sha256::digest(t.as_bytes()).into())
                .collect(),
            trusted_proxies,
        }
    }

    /// Whether `headers` carry `Authorization: Bearer <an exempt token>`. Every token is
    /// compared, in constant time, whatever the outcome.
    pub fn is_exempt(&self, headers: &HeaderMap) -> bool {
        let Some(token) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let given: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
        let mut found = subtle::Choice::from(0);
        for t in &self.exempt {
            found |= t.ct_eq(&given);
        }
        found.into()
    }

    /// The client's address: the peer, or with a trusted proxy as the peer, the last address
    /// in `X-Forwarded-For` that is not a trusted proxy.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .rev()
            .find(|ip| !self.trusted_proxies.contains(ip))
            .unwrap_or(peer)
    }

    /// Takes `n` requests' worth from `client`'s allowance, or says how long to wait.
    pub fn take(&self, client: Client, n: u32) -> Result<(), AppError> {
        let (Some(limiter), Client::Ip(ip)) = (&self.limiter, client) else {
            return Ok(());
        };
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        match limiter.check_key_n(&ip, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(AppError::TooManyRequests(
                not_until.wait_time_from(DefaultClock::default().now()),
            )),
            Err(_) => Err(AppError::TooManyRequests(Duration::from_secs(60))),
        }
    }

    /// Forgets clients idle long enough to be back at a full allowance.
    pub fn prune(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// Middleware: one request's worth per request; the client is left in the request's
/// extensions for handlers that charge more (a batch costs one per payload).
pub(super) async fn middleware(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let limit = state.rate_limit();
    let client = if limit.is_exempt(req.headers()) {
        Client::Exempt
    } else {
        // The real connection's peer, or the one tests give with `MockConnectInfo`.
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .or_else(|| {
                req.extensions()
                    .get::<MockConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip())
            });
        Client::Ip(limit.client_ip(peer, req.headers()))
    };
    if let Err(e) = limit.take(client, 1) {
        state.metrics().rate_limited();
        return e.into_response();
    }
    req.extensions_mut().insert(client);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_forwarding() {
        let l = RateLimit::new(
            2,
            &["s3cret".into(), String::new()],
            vec!["10.0.0.1".parse().unwrap()],
        );
        let mut h = HeaderMap::new();
        assert!(!l.is_exempt(&h));
        h.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(l.is_exempt(&h));
        h.insert(header::AUTHORIZATION, "Bearer s3cre".parse().unwrap());
        assert!(!l.is_exempt(&h));
        h.insert(header::AUTHORIZATION, "Bearer ".parse().unwrap());
        assert!(!l.is_exempt(&h), "the empty token is never exempt");

        let peer: IpAddr = "192.0.2.7".parse().unwrap();
        h.insert("x-forwarded-for", "1.1.1.1, 203.0.113.5".parse().unwrap());
        assert_eq!(
            l.client_ip(Some(peer), &h),
            peer,
            "an untrusted peer's header is ignored"
        );
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(
            l.client_ip(Some(proxy), &h),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );

        let c = Client::Ip(peer);
        assert!(l.take(c, 1).is_ok() && l.take(c, 1).is_ok());
        assert!(matches!(l.take(c, 1), Err(AppError::TooManyRequests(_))));
        assert!(l.take(Client::Exempt, 1000).is_ok());
        assert!(matches!(
            l.take(Client::Ip(proxy), 3),
            Err(AppError::TooManyRequests(_))
        ));
    }
}
