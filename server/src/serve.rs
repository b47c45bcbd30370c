//! Serving connections, with bounds a slow or hostile client cannot stretch
//! (`docs/security.md`, "Slow clients and shutdown"):
//!
//! 1. **Connections.** At most `--max-connections` (1,000) at once; past that the server
//!    stops accepting, and new clients wait in the kernel's queue until one closes.
//! 2. **Headers.** A request's headers must arrive within `--header-timeout` (10 s) of the
//!    connection opening or of the previous answer (an idle keep-alive connection is closed
//!    after as long), and fit in [`MAX_HEADER_BYTES`] (else `431`).
//! 3. **The whole request.** Body included, a request gets `--request-timeout` (30 s) to be
//!    answered (`crate::security` answers `408 request_timeout`). A write already committed
//!    when its request timed out stays committed: the device sends it again and is told
//!    `already_had` (`docs/sync-protocol.md`).
//! 4. **Shutdown.** On Ctrl-C or SIGTERM the server stops accepting, lets the requests in
//!    flight finish and closes idle connections; after [`SHUTDOWN_GRACE`] it exits, whatever
//!    the clients still hold.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Rule 2: the most a request's headers may take, in bytes.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Rule 4: how long shutdown waits for the requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The bounds of rules 1 and 2 (rule 3's is in [`crate::state::AppState`]).
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Connections at once.
    pub max_connections: usize,
    /// Time to send a request's headers.
    pub header_timeout: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes, then as rule 4 says.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    bounds: Bounds,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(bounds.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(bounds.header_timeout)
        .max_buf_size(MAX_HEADER_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEADER_BYTES as u32);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(remote));
            router.clone().oneshot(request.map(Body::new))
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("stopping: finishing the requests in flight");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("stopped"),
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "stopped with connections still open");
        }
    }
    Ok(())
}
