//! Building and running the application: open the database, seed demo data if asked, wire the
//! routes, bind. Tests build it on port 0 with a temporary database.

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::auth::limits::{SignInLimiter, SignInQuota, TrustedProxies};
use crate::auth::passwords::Hasher;
use crate::config::ServeArgs;
use crate::db::demo::{self, DemoLogin};
use crate::db::Store;
use crate::state::AppState;
use crate::sw::{self, ServiceWorker};

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    port: u16,
    demo_logins: Vec<DemoLogin>,
    bounds: crate::serve::Bounds,
    lock: crate::db::backup::ServerLock,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened, migrated or seeded.
    #[error("database: {0}")]
    Db(#[from] crate::db::DbError),
    /// The address could not be bound.
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    /// Another server has the database open, or its lock file cannot be made.
    #[error("{0}")]
    Locked(String),
}

/// The whole router: `/api/`, `/sw.js`, the pages and the static site.
pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let page = leptos_axum::render_app_to_stream(move || app::shell(options.clone()));
    let mut router = crate::routes::router(state.clone()).route("/sw.js", get(sw::service_worker));
    for route in app::ROUTES {
        router = router.route(route.pattern, get(page.clone()));
    }
    router
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::security::harden,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_answer)
                .on_failure(()),
        )
        .layer(axum::middleware::from_fn(request_id))
        .with_state(state)
}

/// The header that names a request in the log and in its answer.
pub const REQUEST_ID: &str = "x-request-id";

/// Gives every request an id of the server's own (a UUID v7; one sent by the client is
/// replaced, so nothing a client chose reaches the log), and names it in the answer.
async fn request_id(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let id = axum::http::HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
        .expect("a UUID is a valid header");
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// The log's span of a request: its id, method and path, never its query string (a search
/// for a household carries a name there) nor its body.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
}

/// One line per answer at `info`: its status and how long it took.
fn log_answer(
    response: &axum::http::Response<axum::body::Body>,
    latency: std::time::Duration,
    _span: &tracing::Span,
) {
    tracing::info!(
        status = response.status().as_u16(),
        ms = %format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "answered"
    );
}

impl Application {
    /// Opens the database, seeds demo data if `--demo`, and binds the address.
    pub async fn build(args: ServeArgs) -> Result<Self, StartError> {
        // Server rendering spawns tasks through Leptos's executor; an error only means it was
        // already set (several servers in one test process).
        let _ = any_spawner::Executor::init_tokio();
        let db_path = args.db.clone();
        if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        // One server per database file; `sotay restore` refuses while it is held.
        let lock = crate::db::backup::ServerLock::try_acquire(&db_path)
            .map_err(|e| StartError::Locked(e.to_string()))?
            .ok_or_else(|| {
                StartError::Locked(format!("another server has {} open", db_path.display()))
            })?;
        let (demo, demo_history) = (args.demo, args.demo_history);
        let (store, demo_logins) =
            tokio::task::spawn_blocking(move || -> Result<_, crate::db::DbError> {
                let store = Store::open(&db_path)?;
                let mut logins = Vec::new();
                if demo {
                    let mut conn = crate::db::connect(&db_path)?;
                    let hash = || password_auth::generate_hash(demo::DEMO_PASSWORD);
                    logins = demo::seed(&mut conn, hash, app::domain::time::now_ms())?;
                    if demo_history {
                        demo::seed_history(&mut conn, app::domain::time::now_ms())
                            .map_err(|e| crate::db::DbError::Task(format!("demo history: {e}")))?;
                    }
                }
                Ok((store, logins))
            })
            .await
            .map_err(|e| crate::db::DbError::Task(e.to_string()))??;

        let listener = TcpListener::bind(args.addr).await?;
        let addr = listener.local_addr()?;
        let site_root = args.resolved_site_root();
        let leptos_options = LeptosOptions::builder()
            .output_name("sotay")
            .site_root(site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let service_worker = ServiceWorker::load(&site_root, &app::ROUTES);
        if service_worker.is_none() {
            tracing::warn!(site_root = %site_root.display(), "no built site: pages will lack scripts and the service worker");
        }
        let sign_in = SignInLimiter::new(SignInQuota {
            per_phone: args.sign_in_limit_phone,
            per_address: args.sign_in_limit_address,
        });
        let state = AppState {
            leptos_options,
            store,
            behind_tls: args.behind_tls,
            request_timeout: std::time::Duration::from_secs(args.request_timeout),
            revision_bounds: crate::sync::plan::RevisionBounds {
                per_visit: args.max_revisions_per_visit,
                per_member_day: args.max_revisions_per_day,
            },
            service_worker: Arc::new(service_worker),
            hasher: Hasher::new(args.hash_workers),
            sign_in: sign_in.clone(),
            trusted_proxies: Arc::new(TrustedProxies(args.trusted_proxy.clone())),
        };
        // Keys of the sign-in limits that recovered are forgotten, so memory stays bounded.
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                sign_in.forget_idle();
            }
        });
        Ok(Self {
            listener,
            router: router(state),
            port: addr.port(),
            demo_logins,
            lock,
            bounds: crate::serve::Bounds {
                max_connections: args.max_connections,
                header_timeout: std::time::Duration::from_secs(args.header_timeout),
            },
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The demo sign-ins, when started with `--demo`.
    pub fn demo_logins(&self) -> &[DemoLogin] {
        &self.demo_logins
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight within a bound
    /// (`crate::serve`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then as on SIGTERM.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        // Held until the last connection is done.
        let _lock = self.lock;
        crate::serve::serve(self.listener, self.router, self.bounds, stop).await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
