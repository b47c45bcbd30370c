//! Sign-in memory benchmark: the release server as a child process, 1,000 sign-ins with 96 in
//! flight (a third each: right password, wrong password, unknown phone number), and the
//! server's resident memory read from `/proc/<pid>/status` before and after.
//!
//! Budget: after 1,000 sign-ins the server stays under 150 MB resident (`VmRSS`, and its peak
//! `VmHWM`). Argon2id takes 19 MiB per hash; run on the runtime's unbounded blocking pool, a
//! burst of sign-ins once grew the server to 2.25 GB. Hashing now runs on a fixed pool
//! (`--hash-workers`, default 2).
//!
//! Also printed: sign-ins per second, and the median time of a wrong password next to that of
//! an unknown phone number, under load and one at a time. They should be about the same: an
//! unknown number is checked against a dummy hash, so the answer's timing does not tell
//! whether an account exists.
//!
//! Usage: `scripts/bench-sign-in.sh`, or `cargo build -p server --release --bin sotay` then
//! `cargo run -p server --release --example sign_in_bench`. The server binary is
//! `target/release/sotay` next to this example's own folder, or `$SOTAY_BIN`.
//! Exits non-zero only when over budget (or when the server misbehaves).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;

const SIGN_INS: usize = 1_000;
const CONCURRENT: usize = 96;
/// The budget, in MB (10^6 bytes).
const REFERENCE_MB: f64 = 150.0;
/// One-at-a-time attempts of each kind, for the timing comparison without queueing.
const QUIET_PROBES: usize = 40;

const DEMO_PASSWORD: &str = "sotay2025";
/// Demo accounts (`sotay serve --demo`).
const DEMO_PHONES: [&str; 15] = [
    "0900000000",
    "0900000001",
    "0900000002",
    "0900000011",
    "0900000012",
    "0900000013",
    "0900000014",
    "0900000021",
    "0900000022",
    "0900000023",
    "0900000024",
    "0900000031",
    "0900000032",
    "0900000033",
    "0900000034",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Right,
    WrongPassword,
    UnknownPhone,
}

impl Kind {
    fn of(i: usize) -> Self {
        match i % 3 {
            0 => Kind::Right,
            1 => Kind::WrongPassword,
            _ => Kind::UnknownPhone,
        }
    }

    fn expected(self) -> reqwest::StatusCode {
        match self {
            Kind::Right => reqwest::StatusCode::OK,
            _ => reqwest::StatusCode::UNAUTHORIZED,
        }
    }

    fn body(self, i: usize) -> serde_json::Value {
        let known = DEMO_PHONES[i % DEMO_PHONES.len()];
        match self {
            Kind::Right => json!({ "phone": known, "password": DEMO_PASSWORD }),
            Kind::WrongPassword => json!({ "phone": known, "password": format!("sai-{i:06}") }),
            Kind::UnknownPhone => json!({
                "phone": format!("098{:07}", i),
                "password": format!("sai-{i:06}")
            }),
        }
    }
}

/// The server process; killed when dropped, also on a panic.
struct ServerProcess {
    child: Child,
    port: u16,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts `sotay serve --demo` on a fresh database and a free port.
    fn start(binary: &PathBuf, db: &std::path::Path) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .args(["serve", "--demo", "--db"])
            .arg(db)
            .args([
                "--addr",
                "127.0.0.1:0",
                "--sign-in-limit-phone",
                "0",
                "--sign-in-limit-address",
                "0",
            ])
            .arg("--site-root")
            .arg(db.with_file_name("no-site"))
            .env("RUST_LOG", "info,tower_http=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        // Read the port from the start-up line, then keep draining the log so that the
        // server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut port_tx = Some(port_tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("is running at http://").nth(1) {
                    let port = rest
                        .trim_end_matches('/')
                        .rsplit(':')
                        .next()
                        .and_then(|p| p.parse::<u16>().ok());
                    if let (Some(tx), Some(port)) = (port_tx.take(), port) {
                        let _ = tx.send(port);
                    }
                }
            }
        });
        let mut server = Self { child, port: 0 };
        server.port = port_rx
            .recv_timeout(Duration::from_secs(120))
            .map_err(|_| "the server did not say where it listens within 120 s".to_string())?;
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// A numeric field of `/proc/<pid>/status` (`kB` fields in kB).
fn status_field(pid: u32, field: &str) -> Result<f64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))
}

/// A `kB` field of `/proc/<pid>/status`, in MB.
fn status_mb(pid: u32, field: &str) -> Result<f64, String> {
    Ok(status_field(pid, field)? * 1024.0 / 1e6)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One attempt: its kind, status and time.
async fn attempt(
    client: &reqwest::Client,
    url: &str,
    i: usize,
    kind: Kind,
) -> Result<(Kind, reqwest::StatusCode, Duration), String> {
    let started = Instant::now();
    let response = client
        .post(url)
        .json(&kind.body(i))
        .send()
        .await
        .map_err(|e| format!("sign-in {i}: {e}"))?;
    let status = response.status();
    let _ = response.bytes().await;
    Ok((kind, status, started.elapsed()))
}

fn binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("SOTAY_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // target/release/examples/sign_in_bench -> target/release/sotay
    let release = exe
        .parent()
        .and_then(|examples| examples.parent())
        .ok_or("cannot find the target folder")?;
    let path = release.join(format!("sotay{}", std::env::consts::EXE_SUFFIX));
    if !path.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build -p server --release --bin sotay` first",
            path.display()
        ));
    }
    Ok(path)
}

async fn run() -> Result<bool, String> {
    let binary = binary()?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let server = ServerProcess::start(&binary, &dir.path().join("bench.db"))?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENT)
        .build()
        .map_err(|e| e.to_string())?;
    let health = client
        .get(server.url("/api/health"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !health.status().is_success() {
        return Err(format!("health check: {}", health.status()));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = status_mb(server.pid(), "VmRSS")?;
    let threads_idle = status_field(server.pid(), "Threads")?;

    let url = server.url("/api/auth/login");
    let started = Instant::now();
    let results: Vec<_> = futures::stream::iter(0..SIGN_INS)
        .map(|i| attempt(&client, &url, i, Kind::of(i)))
        .buffer_unordered(CONCURRENT)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let after = status_mb(server.pid(), "VmRSS")?;
    let peak = status_mb(server.pid(), "VmHWM")?;
    let threads_after = status_field(server.pid(), "Threads")?;

    let mut loaded = [Vec::new(), Vec::new(), Vec::new()];
    for result in results {
        let (kind, status, time) = result?;
        if status != kind.expected() {
            return Err(format!(
                "a {kind:?} sign-in got {status}, not {}",
                kind.expected()
            ));
        }
        loaded[kind as usize].push(time);
    }

    // One at a time, alternating, so that no queue hides a difference.
    let mut quiet = [Vec::new(), Vec::new()];
    for i in 0..QUIET_PROBES * 2 {
        let kind = if i % 2 == 0 {
            Kind::WrongPassword
        } else {
            Kind::UnknownPhone
        };
        let (kind, status, time) = attempt(&client, &url, SIGN_INS + i, kind).await?;
        if status != kind.expected() {
            return Err(format!("a {kind:?} sign-in got {status}"));
        }
        quiet[kind as usize - 1].push(time);
    }

    let within = after < REFERENCE_MB && peak < REFERENCE_MB;
    println!(
        "sign-in memory: idle {idle:.1} MB, after {SIGN_INS} sign-ins {after:.1} MB (peak {peak:.1} MB) \
         vs reference {REFERENCE_MB:.1} MB ({}, ratio={:.2})",
        if within { "within budget" } else { "OVER BUDGET" },
        after / REFERENCE_MB
    );
    println!(
        "sign-in throughput: {SIGN_INS} sign-ins ({CONCURRENT} in flight, 2 hash workers by default) \
         in {:.2} s = {:.0} sign-ins/s",
        elapsed.as_secs_f64(),
        SIGN_INS as f64 / elapsed.as_secs_f64()
    );
    println!("server threads: idle {threads_idle}, after {SIGN_INS} sign-ins {threads_after}");
    let [right, wrong, unknown] = loaded;
    println!(
        "sign-in latency under load (median): right password {:.1} ms, wrong password {:.1} ms, \
         unknown phone {:.1} ms",
        ms(median(right)),
        ms(median(wrong)),
        ms(median(unknown))
    );
    let [quiet_wrong, quiet_unknown] = quiet;
    let (w, u) = (ms(median(quiet_wrong)), ms(median(quiet_unknown)));
    println!(
        "sign-in latency one at a time (median of {QUIET_PROBES}): wrong password {w:.1} ms, \
         unknown phone {u:.1} ms (ratio={:.2})",
        u / w
    );
    if !within {
        println!("over budget: the server's resident memory must stay under {REFERENCE_MB:.0} MB");
    }
    Ok(within)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("sign_in_bench: {message}");
            ExitCode::from(2)
        }
    }
}
