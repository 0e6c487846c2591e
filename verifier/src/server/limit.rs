//! Per-client rate limiting, by peer IP, with exemption by bearer token.
//!
//! Citizens and kiosks share the public service; a bank's integration that sends thousands of
//! checks an hour is given a token and exempted. The limiter is `governor`'s keyed GCRA (a
//! token bucket per IP address, refilled continuously at the per-minute rate); its map is
//! pruned every minute. Behind a load balancer, `--trusted-proxy` names the proxies whose
//! `X-Forwarded-For` is believed.
//!
//! A request costs one; a batch costs one per payload (at least one), charged by its handler
//! once the payloads are counted. The bucket holds by default the larger of the per-minute rate
//! and [`MAX_BATCH`], so that a client without an exemption can send one batch of the
//! documented maximum from a full allowance; a batch larger than the bucket can never fit and
//! is refused as such (422), not with a wait.

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
use super::{AppState, BATCH_PATH, MAX_BATCH};

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
    /// The most a client's allowance holds (requests, or payloads of a batch).
    burst: u32,
    /// SHA-256 of each exempt token: compared in constant time, never kept in clear.
    exempt: Vec<[u8; 32]>,
    trusted_proxies: Vec<IpAddr>,
}

impl RateLimit {
    /// `per_minute` requests per client IP (0: no limit), bursts up to `burst` (`None`: the
    /// larger of `per_minute` and [`MAX_BATCH`], so that one maximum batch fits).
    pub fn new(
        per_minute: u32,
        burst: Option<u32>,
        exempt_tokens: &[String],
        trusted_proxies: Vec<IpAddr>,
    ) -> RateLimit {
        let burst = Self::burst_for(per_minute, burst);
        RateLimit {
            limiter: NonZeroU32::new(per_minute).map(|n| {
                let b = NonZeroU32::new(burst).unwrap_or(n);
                RateLimiter::dashmap(Quota::per_minute(n).allow_burst(b))
            }),
            burst,
            exempt: exempt_tokens
                .iter()
                .filter(|t| !t.is_empty())
                .map(|t| Sha256::digest(t.as_bytes()).into())
                .collect(),
            trusted_proxies,
        }
    }

    /// The allowance's size for `per_minute` and a configured `burst` (0 or `None`: the
    /// default).
    pub fn burst_for(per_minute: u32, burst: Option<u32>) -> u32 {
        match burst.filter(|&b| b > 0) {
            Some(b) => b,
            None => per_minute.max(u32::try_from(MAX_BATCH).unwrap_or(u32::MAX)),
        }
    }

    /// The most a client's allowance holds: the largest batch a client without an exemption
    /// can send (when limiting is on).
    pub fn burst(&self) -> Option<u32> {
        self.limiter.as_ref().map(|_| self.burst)
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

    /// Takes one request's worth from `client`'s allowance, or says how long to wait.
    pub fn take(&self, client: Client) -> Result<(), AppError> {
        self.charge(client, 1)
            .map_err(|s| AppError::TooManyRequests(s.wait))
    }

    /// Takes a batch of `n` payloads' worth (at least one) from `client`'s allowance, or says
    /// how many payloads fit now and how long to wait for all `n`; a batch larger than the
    /// whole allowance is refused as one that never fits.
    pub fn take_batch(&self, client: Client, n: usize) -> Result<(), AppError> {
        let asked = u32::try_from(n.max(1)).unwrap_or(u32::MAX);
        self.charge(client, asked).map_err(|s| {
            if asked > self.burst {
                AppError::Unprocessable(crate::l10n::both(
                    "limit-batch-over-burst",
                    &[
                        ("burst", &self.burst.to_string()),
                        ("asked", &asked.to_string()),
                    ],
                ))
            } else {
                AppError::BatchLimited {
                    wait: s.wait,
                    allowed_now: s.available,
                    asked,
                }
            }
        })
    }

    /// Takes `n` from `client`'s allowance, or says what is short.
    fn charge(&self, client: Client, n: u32) -> Result<(), Shortfall> {
        let (Some(limiter), Client::Ip(ip)) = (&self.limiter, client) else {
            return Ok(());
        };
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        match limiter.check_key_n(&ip, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                // The wait is until all `n` are back; one comes back every `period`, so
                // `n - ceil(wait / period)` are there now.
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let period = not_until.quota().replenish_interval().as_nanos().max(1);
                let short = wait.as_nanos().div_ceil(period);
                let available = u128::from(n.get())
                    .saturating_sub(short)
                    .try_into()
                    .unwrap_or(0);
                Err(Shortfall { wait, available })
            }
            // Larger than the whole allowance: it never fits.
            Err(_) => Err(Shortfall {
                wait: Duration::MAX,
                available: 0,
            }),
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

/// What an allowance lacks for a charge.
#[derive(Debug)]
struct Shortfall {
    /// Until the whole charge fits.
    wait: Duration,
    /// How much of it fits now.
    available: u32,
}

/// Middleware: one request's worth per request, except a batch, whose handler charges one per
/// payload once it has counted them; the client is left in the request's extensions for it.
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
    if req.uri().path() != BATCH_PATH {
        if let Err(e) = limit.take(client) {
            state.metrics().rate_limited();
            return e.into_response();
        }
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
            Some(2),
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
        assert!(l.take(c).is_ok() && l.take(c).is_ok());
        assert!(matches!(l.take(c), Err(AppError::TooManyRequests(_))));
        assert!(l.take_batch(Client::Exempt, 1000).is_ok());
        assert!(
            matches!(
                l.take_batch(Client::Ip(proxy), 3),
                Err(AppError::Unprocessable(_))
            ),
            "a batch larger than the allowance never fits"
        );
    }

    #[test]
    fn the_default_allowance_holds_one_maximum_batch() {
        let l = RateLimit::new(600, None, &[], Vec::new());
        assert_eq!(l.burst(), Some(1000));
        let c = Client::Ip("192.0.2.9".parse().unwrap());
        assert!(l.take_batch(c, MAX_BATCH).is_ok());
        // 600 a minute: one back every 100 ms; a second batch waits about 100 s for all of it.
        match l.take_batch(c, MAX_BATCH) {
            Err(AppError::BatchLimited {
                wait,
                allowed_now,
                asked,
            }) => {
                assert_eq!(asked, 1000);
                assert!(allowed_now <= 1, "{allowed_now}");
                assert!(
                    wait > Duration::from_secs(99) && wait <= Duration::from_secs(100),
                    "{wait:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(RateLimit::burst_for(5000, None), 5000);
        assert_eq!(RateLimit::burst_for(600, Some(0)), 1000);
        assert_eq!(RateLimit::burst_for(600, Some(50)), 50);
        assert_eq!(RateLimit::new(0, None, &[], Vec::new()).burst(), None);
    }
}
