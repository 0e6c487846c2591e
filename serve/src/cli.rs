//! What both services' binaries share: the connection bounds' flags, logging, the shutdown
//! signal.

use std::time::Duration;

use crate::Limits;

/// The flags bounding connections and requests in flight (the timeouts are each binary's).
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionArgs {
    /// Most connections open at once (0: no cap); past it a new one gets 503 and is closed.
    #[arg(long, env = "SONOD_MAX_CONNECTIONS", default_value_t = 2048)]
    pub max_connections: usize,
    /// Most connections open at once from one client address (0: no cap; addresses the
    /// service exempts, such as the verifier's trusted proxies, have none).
    #[arg(long, env = "SONOD_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 256)]
    pub max_connections_per_address: usize,
    /// Most requests handled at once (0: no bound); past it a request gets 503 with
    /// Retry-After at once (health checks and metrics are never refused).
    #[arg(long, env = "SONOD_MAX_IN_FLIGHT", default_value_t = 512)]
    pub max_in_flight: usize,
}

impl ConnectionArgs {
    /// The bounds, with the binary's header and idle timeouts.
    pub fn limits(&self, header_timeout: Duration, idle_timeout: Duration) -> Limits {
        Limits {
            header_timeout,
            idle_timeout,
            max_connections: self.max_connections,
            max_connections_per_address: self.max_connections_per_address,
            exempt_addresses: Vec::new(),
            max_in_flight: self.max_in_flight,
        }
    }
}

/// Logs to stderr, as text or JSON, at the level `SONOD_LOG` sets (`info` unless set, e.g.
/// `sonod_issuer=debug`).
pub fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SONOD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM, and says so in the log.
pub async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
