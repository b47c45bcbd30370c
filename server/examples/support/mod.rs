//! What the benchmark examples share: the `sotay` binary as a child process on a database,
//! and the machine's figures from `/proc`. Each example includes it with
//! `#[path = "support/mod.rs"] mod support;`.
// Each example uses part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A `sotay serve` process on a free port of 127.0.0.1, killed when dropped.
pub struct ChildServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ChildServer {
    /// Starts `bin serve` on `db` with the sign-in limits off and a member's revisions a day
    /// unbounded (the benchmarks push far more than a member does; an older binary ignores
    /// the variable), plus `extra` arguments; its log goes to `dir/<label>.log`. Waits up to
    /// `wait` for `/api/health`.
    pub async fn start(
        bin: &Path,
        db: &Path,
        dir: &Path,
        label: &str,
        extra: &[String],
        wait: Duration,
    ) -> Self {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let log = std::fs::File::create(dir.join(format!("{label}.log"))).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .arg("--db")
            .arg(db)
            .args(["--addr", &addr.to_string()])
            .arg("--site-root")
            .arg(dir.join("no-site"))
            .args(["--sign-in-limit-phone", "0", "--sign-in-limit-address", "0"])
            .args(extra)
            .env("SOTAY_MAX_REVISIONS_PER_DAY", "100000000")
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or("info".into()),
            )
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        let server = Self {
            child,
            base: format!("http://{addr}"),
            addr,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + wait;
        loop {
            let up = client
                .get(format!("{}/api/health", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "{label} did not answer /api/health; see {}/{label}.log (KEEP_DB=1 keeps it)",
                dir.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kB` field of `/proc/<pid>/status` (`VmRSS`, `VmHWM`), in kB.
pub fn status_kb(pid: u32, field: &str) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
}

/// The machine's load averages over 1, 5 and 15 minutes.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
