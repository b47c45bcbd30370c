//! Load benchmark: many phones syncing at once against the release server (a child process,
//! HTTP/1.1 keep-alive on loopback), on a generated database of 200 villages, each with a
//! team of 5 members (1,000 members), every member signed in (a session of their own, made in
//! the database before the server starts: nobody signs in during the timed window).
//!
//! 1. **Open loop.** 1,000 devices, each its own member, for 60 s: every 5 s a device pushes
//!    a batch of 1–20 new visits (`POST /api/sync/push`), every 30 s it pulls from its saved
//!    cursor (`GET /api/sync/pull`), each on its own random phase. A request goes at its
//!    scheduled time whether or not the previous answer came back, and its latency is counted
//!    **from the scheduled time** to the last byte of the answer, so a server that falls
//!    behind is charged for the wait of everything queued behind it (no coordinated
//!    omission); the latency from the moment of sending is shown next to it. Per route: p50,
//!    p99, max, requests, errors (any answer but `200`, or a transport error); the visits the
//!    server acknowledged (`applied`, `already_had`) against the rows in `visits`; the
//!    server's memory (`VmRSS`, `VmHWM`) after the run.
//!    Budgets: p99 < 50 ms on each route, 0 errors, every acknowledged visit stored exactly
//!    once, RSS < 150 MB (10^6 bytes).
//! 2. **Closed loop.** The highest sustained push rate: 16 devices push batches of 100 back to
//!    back for 20 s; visits per second (no budget).
//! 3. **Open loop under slow clients.** The open loop again while 500 slow clients hold
//!    connections: each opens a TCP connection, sends half of a request's headers and waits;
//!    the server closes it after its header timeout (10 s) and the client starts over.
//!    Budget: the devices' p99 stays < 50 ms, 0 errors.
//!
//! The database is checked after every part: each acknowledged visit is in `visits` exactly
//! once, by its author, with one revision, and no row was stored without being acknowledged.
//! The program exits non-zero when a request failed or that check does not hold; latency and
//! memory are printed against their budgets, never asserted.
//!
//! **Short mode** (`LOAD_SHORT=1`, for CI): 10 s of open loop with 200 devices, no closed loop,
//! no slow clients; checks correctness only (0 errors, rows stored = visits acknowledged, each
//! once), asserts no latency.
//!
//! Settings come from the environment (default in brackets, short mode's after the slash):
//! `DURATION_S` [60/10], `DEVICES` [1000/200], `CLOSED_DEVICES` [16], `CLOSED_BATCH` [100],
//! `CLOSED_S` [20], `SLOW_CLIENTS` [500/0], `MAX_CONNECTIONS` (the server's) [3000], `SEED`
//! [2026], `SOTAY_BIN` [the `sotay` next to this example's target directory], `BENCH_DIR`
//! [a temporary directory], `KEEP_DB=1` to keep the database and the server's log,
//! `RUST_LOG` (the server's) [info].
//!
//! Usage: `./scripts/bench-load.sh`, `LOAD_SHORT=1 ./scripts/bench-load.sh` (the script raises
//! the open-file limit, `ulimit -n 8192`, which the 500 slow clients need).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[path = "support/mod.rs"]
mod support;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::ChildServer;

use app::api::{PullResponse, PushOutcome, PushResponse, Role};
use app::domain::team::{Affiliation, Position};
use app::domain::time::now_ms;
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use reqwest::header::{CONTENT_TYPE, COOKIE};
use rusqlite::{Connection, OpenFlags};
use serde_json::json;
use server::db::{self, sessions, teams, units, users};
use tokio::net::TcpStream;
use tokio::time::Instant;
use uuid::Uuid;

const MEMBERS_PER_VILLAGE: usize = 5;
const PUSH_EVERY: Duration = Duration::from_secs(5);
const PULL_EVERY: Duration = Duration::from_secs(30);
const MAX_BATCH: usize = 20;
/// What the app asks for (`app::api::DEFAULT_PULL_LIMIT`).
const PULL_LIMIT: u32 = app::api::DEFAULT_PULL_LIMIT;
const P99_BUDGET_MS: f64 = 50.0;
/// In MB (10^6 bytes), as `sign_in_bench` reads it.
const RSS_BUDGET_MB: f64 = 150.0;
const DAY_MS: i64 = 86_400_000;

const SURNAMES: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Đức", "Thanh", "Ngọc"];
const GIVEN: [&str; 8] = ["An", "Bình", "Hoa", "Lan", "Phúc", "Tâm", "Hùng", "Mai"];
/// The national catalogue's codes.
const CODES: [&str; 9] = [
    "information",
    "public_service_account",
    "online_application",
    "ecommerce_signup",
    "online_selling",
    "epayment_account",
    "health_app",
    "other_essential_app",
    "digital_skills",
];
const AFFILIATIONS: [Affiliation; 5] = [
    Affiliation::VillageCadre,
    Affiliation::YouthUnion,
    Affiliation::WomensUnion,
    Affiliation::Police,
    Affiliation::Other,
];

/// What the run does, from the environment (see the module's documentation).
struct Settings {
    short: bool,
    duration: Duration,
    devices: usize,
    closed_devices: usize,
    closed_batch: usize,
    closed_duration: Duration,
    slow_clients: usize,
    max_connections: usize,
    seed: u64,
    bin: PathBuf,
    dir: Option<PathBuf>,
    keep: bool,
}

fn number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(raw) => raw
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={raw:?} is not a whole number")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        let short = std::env::var("LOAD_SHORT").is_ok_and(|v| v == "1");
        let bin = std::env::var_os("SOTAY_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                // target/release/examples/load_bench -> target/release/sotay
                std::env::current_exe()
                    .unwrap()
                    .parent()
                    .and_then(Path::parent)
                    .map(|dir| dir.join("sotay"))
                    .unwrap()
            });
        let s = Settings {
            short,
            duration: Duration::from_secs(number("DURATION_S", if short { 10 } else { 60 }) as u64),
            devices: number("DEVICES", if short { 200 } else { 1000 }),
            closed_devices: number("CLOSED_DEVICES", 16),
            closed_batch: number("CLOSED_BATCH", 100),
            closed_duration: Duration::from_secs(number("CLOSED_S", 20) as u64),
            slow_clients: number("SLOW_CLIENTS", if short { 0 } else { 500 }),
            max_connections: number("MAX_CONNECTIONS", 3000),
            seed: number("SEED", 2026) as u64,
            bin,
            dir: std::env::var_os("BENCH_DIR").map(PathBuf::from),
            keep: std::env::var("KEEP_DB").is_ok_and(|v| v == "1"),
        };
        assert!(s.devices > 0, "DEVICES must be 1 or more");
        assert!(
            s.closed_devices <= s.devices,
            "CLOSED_DEVICES must not exceed DEVICES"
        );
        assert!(
            (1..=500).contains(&s.closed_batch),
            "CLOSED_BATCH must be 1 to 500"
        );
        s
    }
}

/// splitmix64: reproducible, and enough for spreading load.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn offset(&mut self, period: Duration) -> Duration {
        Duration::from_micros(self.next() % period.as_micros() as u64)
    }
}

/// A phone with its member's session and the feed cursor it saved.
struct Device {
    user: Uuid,
    cookie: String,
    cursor: AtomicI64,
}

/// Villages (one team each, 5 members, the first the leader) and a session per member, in
/// one transaction with one precomputed password hash.
fn prepare(path: &Path, devices: usize) -> Vec<Device> {
    let mut conn = db::connect(path).unwrap();
    db::migrate(&mut conn).unwrap();
    let now = now_ms();
    let joined = now - 30 * DAY_MS;
    units::import(
        &mut conn,
        &units::parse_csv(units::EMBEDDED_CSV).unwrap(),
        joined,
    )
    .unwrap();
    let communes: Vec<i64> = conn
        .prepare("SELECT id FROM units WHERE level = 'commune' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let hash = password_auth::generate_hash("bench-password-2026");
    let tx = conn.transaction().unwrap();
    let mut out = Vec::with_capacity(devices);
    let villages = devices.div_ceil(MEMBERS_PER_VILLAGE);
    for v in 0..villages {
        // Every 7th commune, so the villages fall in many communes and provinces.
        let commune = communes[(v * 7) % communes.len()];
        let village = units::add_village(
            &tx,
            commune,
            "thôn",
            &format!("Thôn {}", v + 1),
            Some(250),
            joined,
        )
        .unwrap();
        let team = teams::create(
            &tx,
            village,
            commune,
            &format!("Tổ công nghệ số cộng đồng thôn {}", v + 1),
            (None, None),
            joined,
        )
        .unwrap();
        let members = MEMBERS_PER_VILLAGE.min(devices - out.len());
        for (m, affiliation) in AFFILIATIONS.iter().enumerate().take(members) {
            let n = out.len();
            let user = users::create(
                &tx,
                &users::NewAccount {
                    phone: &format!("03{n:08}"),
                    name: &format!("{} {} {}", SURNAMES[n % 8], MIDDLE[n % 6], GIVEN[n % 7]),
                    password_hash: &hash,
                    role: Role::Member,
                    unit_id: village,
                    must_change_password: false,
                },
                joined,
            )
            .unwrap();
            let position = if m == 0 {
                Position::Leader
            } else {
                Position::Member
            };
            teams::join_roster(&tx, team, user, position, *affiliation, joined).unwrap();
            let token = sessions::new_token();
            sessions::create(&tx, &token, user, now).unwrap();
            out.push(Device {
                user,
                cookie: format!("sotay_session={token}"),
                cursor: AtomicI64::new(0),
            });
        }
    }
    tx.commit().unwrap();
    out
}

/// A new visit to a new household, some time in the last 20 hours.
fn visit(rng: &mut Rng, now: i64) -> VisitRecord {
    let at = now - rng.below(20 * 3_600_000) as i64;
    let first = rng.below(CODES.len());
    let activities = (0..1 + rng.below(2))
        .map(|k| ActivityDone {
            code: CODES[(first + 4 * k) % CODES.len()].into(),
            detail: None,
            people: 1 + rng.below(3) as u32,
        })
        .collect();
    VisitRecord {
        id: Uuid::now_v7(),
        version: 1,
        base_version: 0,
        revision: Some(Uuid::now_v7()),
        base_revision: None,
        household: HouseholdInput {
            id: Uuid::now_v7(),
            head_name: format!(
                "{} {} {}",
                SURNAMES[rng.below(8)],
                MIDDLE[rng.below(6)],
                GIVEN[rng.below(8)]
            ),
            address: format!("Số {}, xóm {}", 1 + rng.below(300), 1 + rng.below(12)),
            phone: None,
            phone_consent: false,
            business: false,
        },
        visited_at: at,
        activities,
        outcome: Outcome::Done,
        follow_up_on: None,
        note: String::new(),
        village_id: None,
        withdrawn: false,
        difficulty: None,
    }
}

/// A `kB` field of `/proc/<pid>/status`, in MB (10^6 bytes).
fn status_mb(pid: u32, field: &str) -> f64 {
    support::status_kb(pid, field).map_or(f64::NAN, |kb| kb * 1024.0 / 1e6)
}

/// CPU seconds (user + system) a process has used; clock ticks taken as 100 a second.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    ticks(11).unwrap_or(0.0) / 100.0 + ticks(12).unwrap_or(0.0) / 100.0
}

/// One route's figures.
#[derive(Default)]
struct Route {
    /// From the scheduled time to the answer's last byte, in ms.
    from_schedule: Vec<f64>,
    /// From sending to the answer's last byte, in ms.
    from_send: Vec<f64>,
    /// How late the request was sent after its scheduled time, in ms.
    late: Vec<f64>,
    errors: usize,
    /// Error kinds (status and error code, or the transport error's kind) and their counts.
    error_kinds: BTreeMap<String, usize>,
}

impl Route {
    fn error(&mut self, kind: String) {
        self.errors += 1;
        *self.error_kinds.entry(kind).or_default() += 1;
    }
}

/// Everything a part of the run measured.
#[derive(Default)]
struct Tally {
    push: Route,
    pull: Route,
    /// Visits sent in pushes (answered or not).
    sent: usize,
    applied: usize,
    already_had: usize,
    /// Results that are not acknowledgements, by outcome and reason.
    refused: BTreeMap<String, usize>,
    /// Acknowledged visit ids with the index of the device that sent them.
    acked: Vec<(Uuid, usize)>,
    pulled_items: usize,
}

#[derive(Clone, Copy)]
enum Call {
    /// A push of this many new visits.
    Push(usize),
    Pull,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What went wrong, without anything from the request (no personal data).
fn transport_kind(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else if e.is_request() {
        "request"
    } else {
        "other"
    };
    format!("transport {kind}")
}

/// Status and the error code of an error answer (`{"error": {"code"}}`).
fn status_kind(status: reqwest::StatusCode, body: &[u8]) -> String {
    let code = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_default();
    format!("{} {code}", status.as_u16())
}

/// What a part's requests share.
#[derive(Clone)]
struct Ctx {
    client: reqwest::Client,
    base: Arc<str>,
    devices: Arc<Vec<Device>>,
    tally: Arc<Mutex<Tally>>,
}

impl Ctx {
    fn new(client: &reqwest::Client, base: &Arc<str>, devices: &Arc<Vec<Device>>) -> Self {
        Ctx {
            client: client.clone(),
            base: base.clone(),
            devices: devices.clone(),
            tally: Arc::new(Mutex::new(Tally::default())),
        }
    }

    /// The tally, once every request has finished.
    fn into_tally(self) -> Tally {
        Arc::try_unwrap(self.tally)
            .ok()
            .expect("every request has finished")
            .into_inner()
            .unwrap()
    }
}

/// Sends one request scheduled at `scheduled` and adds what happened to the tally.
async fn call(ctx: Ctx, d: usize, what: Call, seed: u64, scheduled: Instant) {
    let Ctx {
        client,
        base,
        devices,
        tally,
    } = ctx;
    let device = &devices[d];
    let request = match what {
        Call::Push(n) => {
            let mut rng = Rng(seed);
            let now = now_ms();
            let visits: Vec<VisitRecord> = (0..n).map(|_| visit(&mut rng, now)).collect();
            client
                .post(format!("{base}/api/sync/push"))
                .header(CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(&json!({ "visits": visits })).unwrap())
        }
        Call::Pull => client.get(format!(
            "{base}/api/sync/pull?cursor={}&limit={PULL_LIMIT}&unsent=0&v=2",
            device.cursor.load(Ordering::Relaxed)
        )),
    }
    .header(COOKIE, &device.cookie);
    let sent = Instant::now();
    let answer = match request.send().await {
        Ok(response) => {
            let status = response.status();
            response.bytes().await.map(|body| (status, body))
        }
        Err(e) => Err(e),
    };
    let done = Instant::now();
    let mut tally = tally.lock().unwrap();
    if let Call::Push(n) = what {
        tally.sent += n;
    }
    let tally = &mut *tally;
    let route = match what {
        Call::Push(_) => &mut tally.push,
        Call::Pull => &mut tally.pull,
    };
    route.from_schedule.push(ms(done - scheduled));
    route.from_send.push(ms(done - sent));
    route
        .late
        .push(ms(sent.saturating_duration_since(scheduled)));
    let body = match answer {
        Ok((status, body)) if status == reqwest::StatusCode::OK => body,
        Ok((status, body)) => return route.error(status_kind(status, &body)),
        Err(e) => return route.error(transport_kind(&e)),
    };
    match what {
        Call::Push(n) => {
            let Ok(answer) = serde_json::from_slice::<PushResponse>(&body) else {
                return route.error("200 unreadable push answer".into());
            };
            if answer.results.len() != n {
                route.error("200 wrong number of results".into());
            }
            for result in answer.results {
                match result.result {
                    PushOutcome::Applied => tally.applied += 1,
                    PushOutcome::AlreadyHad => tally.already_had += 1,
                    other => {
                        let key = format!("{other:?} {}", result.reason.unwrap_or_default());
                        *tally.refused.entry(key).or_default() += 1;
                    }
                }
                if result.result.is_acknowledged() {
                    tally.acked.push((result.id, d));
                }
            }
        }
        Call::Pull => {
            let Ok(page) = serde_json::from_slice::<PullResponse>(&body) else {
                return route.error("200 unreadable pull answer".into());
            };
            tally.pulled_items += page.items.len();
            device.cursor.fetch_max(page.next_cursor, Ordering::Relaxed);
        }
    }
}

/// Part 1 (and 3): every device pushes every 5 s and pulls every 30 s, on its own phase,
/// by the clock. Returns the tally and how long the part took, answers included.
async fn open_loop(ctx: Ctx, duration: Duration, seed: u64) -> (Tally, Duration) {
    let mut seeder = Rng(seed);
    // Time to spawn the schedules before the first one is due.
    let start = Instant::now() + Duration::from_millis(500);
    let end = start + duration;
    let mut schedules = Vec::with_capacity(2 * ctx.devices.len());
    for d in 0..ctx.devices.len() {
        for (period, is_push) in [(PUSH_EVERY, true), (PULL_EVERY, false)] {
            let mut rng = Rng(seeder.next());
            let first = start + rng.offset(period);
            let ctx = ctx.clone();
            schedules.push(tokio::spawn(async move {
                let mut in_flight = Vec::new();
                let mut at = first;
                while at < end {
                    tokio::time::sleep_until(at).await;
                    let what = if is_push {
                        Call::Push(1 + rng.below(MAX_BATCH))
                    } else {
                        Call::Pull
                    };
                    // The next request does not wait for this one's answer.
                    in_flight.push(tokio::spawn(call(ctx.clone(), d, what, rng.next(), at)));
                    at += period;
                }
                for request in in_flight {
                    request.await.unwrap();
                }
            }));
        }
    }
    for schedule in schedules {
        schedule.await.unwrap();
    }
    (ctx.into_tally(), start.elapsed())
}

/// Part 2: the first devices push batches back to back until the part's time is over.
async fn closed_loop(ctx: Ctx, s: &Settings) -> (Tally, Duration) {
    let start = Instant::now();
    let end = start + s.closed_duration;
    let mut seeder = Rng(s.seed ^ 0x00C1_05ED);
    let workers: Vec<_> = (0..s.closed_devices)
        .map(|d| {
            let mut rng = Rng(seeder.next());
            let ctx = ctx.clone();
            let batch = s.closed_batch;
            tokio::spawn(async move {
                while Instant::now() < end {
                    let seed = rng.next();
                    call(ctx.clone(), d, Call::Push(batch), seed, Instant::now()).await;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    (ctx.into_tally(), start.elapsed())
}

/// The slow clients' counts.
#[derive(Default)]
struct Slow {
    opened: AtomicU64,
    closed_by_server: AtomicU64,
    connect_failed: AtomicU64,
    held_ms: AtomicU64,
}

/// Half of a request's headers: no blank line ever follows.
const HALF_HEADERS: &[u8] =
    b"POST /api/sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appli";

/// Opens a connection, sends half of a request's headers, waits until the server closes it,
/// and starts over, until aborted.
async fn slow_client(addr: SocketAddr, slow: Arc<Slow>) {
    let mut buf = [0u8; 1024];
    loop {
        let Ok(stream) = TcpStream::connect(addr).await else {
            slow.connect_failed.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        slow.opened.fetch_add(1, Ordering::Relaxed);
        let opened = Instant::now();
        let mut written = 0;
        while written < HALF_HEADERS.len() {
            if stream.writable().await.is_err() {
                break;
            }
            match stream.try_write(&HALF_HEADERS[written..]) {
                Ok(n) => written += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        // Whatever the server sends (an error answer, if any), until it closes.
        loop {
            if stream.readable().await.is_err() {
                break;
            }
            match stream.try_read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        slow.closed_by_server.fetch_add(1, Ordering::Relaxed);
        slow.held_ms
            .fetch_add(opened.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn show_ms(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

/// Prints one route's line; true when its p99 is within the budget.
fn route_line(name: &str, route: &Route, seconds: f64, budget: bool) -> bool {
    let sort = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    };
    let scheduled = sort(&route.from_schedule);
    let sent = sort(&route.from_send);
    let late = sort(&route.late);
    let p99 = percentile(&scheduled, 0.99);
    let within = p99 < P99_BUDGET_MS;
    let budget = if budget {
        format!("budget p99 < {P99_BUDGET_MS:.0} ms: {}", verdict(within))
    } else {
        "no latency budget in this part".into()
    };
    println!(
        "  {name:<5} {:>6} requests ({:>5.1}/s), errors {}: p50 {}, p99 {}, max {} | from sending: p50 {}, p99 {} | sent late: p99 {} | {budget}",
        scheduled.len(),
        scheduled.len() as f64 / seconds,
        route.errors,
        show_ms(percentile(&scheduled, 0.5)),
        show_ms(p99),
        show_ms(scheduled.last().copied().unwrap_or(f64::NAN)),
        show_ms(percentile(&sent, 0.5)),
        show_ms(percentile(&sent, 0.99)),
        show_ms(percentile(&late, 0.99)),
    );
    for (kind, count) in &route.error_kinds {
        println!("        {count} × {kind}");
    }
    within
}

/// What the database holds against what the server acknowledged, over the whole run.
struct Check {
    rows: usize,
    acked: usize,
    /// Acknowledged more than once (a visit is sent once, so never expected).
    acked_twice: usize,
    missing: usize,
    not_acked: usize,
    other_author: usize,
    revisions_not_one: usize,
}

impl Check {
    fn holds(&self) -> bool {
        self.rows == self.acked
            && self.acked_twice == 0
            && self.missing == 0
            && self.not_acked == 0
            && self.other_author == 0
            && self.revisions_not_one == 0
    }
}

fn check_rows(
    path: &Path,
    acked: &HashMap<Uuid, usize>,
    acked_twice: usize,
    devices: &[Device],
) -> Check {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stored: HashMap<Uuid, String> = HashMap::with_capacity(acked.len());
    let mut statement = conn.prepare("SELECT id, member_id FROM visits").unwrap();
    let mut rows = statement.query([]).unwrap();
    let mut count = 0;
    while let Some(row) = rows.next().unwrap() {
        count += 1;
        let id: String = row.get(0).unwrap();
        stored.insert(Uuid::parse_str(&id).unwrap(), row.get(1).unwrap());
    }
    let mut missing = 0;
    let mut other_author = 0;
    for (id, d) in acked {
        match stored.get(id) {
            None => missing += 1,
            Some(member) if *member != devices[*d].user.to_string() => other_author += 1,
            Some(_) => {}
        }
    }
    let not_acked = stored.keys().filter(|id| !acked.contains_key(id)).count();
    let revisions_not_one: usize = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM visits v WHERE NOT EXISTS \
               (SELECT 1 FROM visit_revisions r WHERE r.visit_id = v.id)) \
             + (SELECT COUNT(*) FROM (SELECT visit_id FROM visit_revisions \
                GROUP BY visit_id HAVING COUNT(*) <> 1))",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as usize;
    Check {
        rows: count,
        acked: acked.len(),
        acked_twice,
        missing,
        not_acked,
        other_author,
        revisions_not_one,
    }
}

/// The run's verdicts so far.
#[derive(Default)]
struct Verdicts {
    /// Correctness failures: the program exits non-zero.
    failures: Vec<String>,
    /// Budgets missed (latency, memory): printed only.
    missed: Vec<String>,
}

/// Everything acknowledged over the run, for the database check.
#[derive(Default)]
struct Ledger {
    acked: HashMap<Uuid, usize>,
    acked_twice: usize,
}

impl Ledger {
    fn add(&mut self, tally: &Tally) {
        for (id, d) in &tally.acked {
            if self.acked.insert(*id, *d).is_some() {
                self.acked_twice += 1;
            }
        }
    }
}

/// Prints a part's visits and database check; records its failures.
fn report_rows(
    label: &str,
    tally: &Tally,
    ledger: &Ledger,
    db: &Path,
    devices: &[Device],
    v: &mut Verdicts,
) {
    let errors = tally.push.errors + tally.pull.errors;
    if errors > 0 {
        v.failures
            .push(format!("{label}: {errors} requests failed"));
    }
    let refused: usize = tally.refused.values().sum();
    println!(
        "  visits: {} sent, {} acknowledged ({} applied, {} already_had), {refused} not acknowledged{}; {} feed items pulled",
        tally.sent,
        tally.applied + tally.already_had,
        tally.applied,
        tally.already_had,
        if refused > 0 {
            format!(
                " ({})",
                tally
                    .refused
                    .iter()
                    .map(|(k, n)| format!("{n} × {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        },
        tally.pulled_items
    );
    if refused > 0 {
        v.failures
            .push(format!("{label}: {refused} visits not acknowledged"));
    }
    let c = check_rows(db, &ledger.acked, ledger.acked_twice, devices);
    println!(
        "  database, whole run so far: {} rows in visits vs {} visits acknowledged; missing {}, stored but never acknowledged {}, acknowledged twice {}, stored under another member {}, with other than one revision {}: {}",
        c.rows,
        c.acked,
        c.missing,
        c.not_acked,
        c.acked_twice,
        c.other_author,
        c.revisions_not_one,
        if c.holds() { "ok" } else { "FAILED" }
    );
    if !c.holds() {
        v.failures.push(format!(
            "{label}: the database does not hold each acknowledged visit exactly once"
        ));
    }
}

/// Prints the server's memory; records a missed budget.
fn report_memory(label: &str, pid: u32, v: &mut Verdicts) {
    let rss = status_mb(pid, "VmRSS");
    let hwm = status_mb(pid, "VmHWM");
    let within = rss < RSS_BUDGET_MB;
    println!(
        "  server memory after: VmRSS {rss:.1} MB, VmHWM {hwm:.1} MB | budget RSS < {RSS_BUDGET_MB:.0} MB: {}",
        verdict(within)
    );
    if !within {
        v.missed.push(format!("{label}: RSS {rss:.1} MB"));
    }
}

/// Runs the open loop and prints its figures.
#[allow(clippy::too_many_arguments)]
async fn open_part(
    label: &str,
    s: &Settings,
    client: &reqwest::Client,
    base: &Arc<str>,
    devices: &Arc<Vec<Device>>,
    server: &ChildServer,
    db: &Path,
    ledger: &mut Ledger,
    v: &mut Verdicts,
    seed: u64,
) {
    let cpu = cpu_seconds(&server.pid().to_string());
    let own = cpu_seconds("self");
    let (tally, took) = open_loop(Ctx::new(client, base, devices), s.duration, seed).await;
    let seconds = took.as_secs_f64();
    let server_cpu = (cpu_seconds(&server.pid().to_string()) - cpu) / seconds;
    let own_cpu = (cpu_seconds("self") - own) / seconds;
    println!(
        "{label}: {} devices, {} s (answers included: {seconds:.1} s); latency from the scheduled time to the answer's last byte",
        devices.len(),
        s.duration.as_secs()
    );
    let budget = !s.short;
    for (name, route) in [("push", &tally.push), ("pull", &tally.pull)] {
        if !route_line(name, route, seconds, budget) && budget {
            v.missed.push(format!("{label}: {name} p99"));
        }
    }
    if s.short {
        println!("  (short mode: latency shown, not checked)");
    }
    println!(
        "  CPU: server {:.0}% of one core, this benchmark {:.0}% (2 cores between them on this machine: {})",
        server_cpu * 100.0,
        own_cpu * 100.0,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    ledger.add(&tally);
    report_rows(label, &tally, ledger, db, devices, v);
    if !s.short {
        report_memory(label, server.pid(), v);
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let s = Settings::from_env();
    let dir = match &s.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).unwrap();
            tempfile::tempdir_in(dir).unwrap()
        }
        None => tempfile::tempdir().unwrap(),
    };
    println!(
        "load benchmark{}: machine {} cores, load average before {}; server {}",
        if s.short { " (short mode)" } else { "" },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        support::loadavg(),
        s.bin.display()
    );
    let db_path = dir.path().join("load.db");
    let started = std::time::Instant::now();
    let devices = Arc::new(prepare(&db_path, s.devices));
    println!(
        "data: {} villages with a team each, {} members (5 a team), each signed in with a session of their own: {:.1} s",
        s.devices.div_ceil(MEMBERS_PER_VILLAGE),
        devices.len(),
        started.elapsed().as_secs_f64()
    );
    let server = ChildServer::start(
        &s.bin,
        &db_path,
        dir.path(),
        "server",
        &[
            "--max-connections".to_string(),
            s.max_connections.to_string(),
        ],
        Duration::from_secs(60),
    )
    .await;
    println!(
        "server: one release process on {}, --max-connections {}, header timeout 10 s; idle VmRSS {:.1} MB",
        server.addr,
        s.max_connections,
        status_mb(server.pid(), "VmRSS")
    );
    // One pooled HTTP/1.1 client; each request names its member's session in a header. Idle
    // connections are dropped before the server's 10 s idle timeout would close them under a
    // request.
    let client = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base: Arc<str> = server.base.clone().into();
    let mut ledger = Ledger::default();
    let mut v = Verdicts::default();

    println!();
    open_part(
        "1. open loop",
        &s,
        &client,
        &base,
        &devices,
        &server,
        &db_path,
        &mut ledger,
        &mut v,
        s.seed,
    )
    .await;

    if !s.short {
        println!();
        let (tally, took) = closed_loop(Ctx::new(&client, &base, &devices), &s).await;
        let seconds = took.as_secs_f64();
        println!(
            "2. closed loop: {} devices pushing batches of {} back to back for {} s: {:.0} visits/s ({} visits acknowledged in {seconds:.1} s; no budget)",
            s.closed_devices,
            s.closed_batch,
            s.closed_duration.as_secs(),
            (tally.applied + tally.already_had) as f64 / seconds,
            tally.applied + tally.already_had,
        );
        route_line("push", &tally.push, seconds, false);
        ledger.add(&tally);
        report_rows(
            "2. closed loop",
            &tally,
            &ledger,
            &db_path,
            &devices,
            &mut v,
        );

        if s.slow_clients > 0 {
            println!();
            let slow = Arc::new(Slow::default());
            let holders: Vec<_> = (0..s.slow_clients)
                .map(|_| tokio::spawn(slow_client(server.addr, slow.clone())))
                .collect();
            // Until every slow client holds its connection.
            let deadline = Instant::now() + Duration::from_secs(10);
            while (slow.opened.load(Ordering::Relaxed) as usize) < s.slow_clients
                && Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            println!(
                "3. {} slow clients hold connections (half a request's headers, then nothing), {} of them open before the devices start",
                s.slow_clients,
                slow.opened.load(Ordering::Relaxed)
            );
            open_part(
                "3. open loop with slow clients",
                &s,
                &client,
                &base,
                &devices,
                &server,
                &db_path,
                &mut ledger,
                &mut v,
                s.seed ^ 0x51_0E,
            )
            .await;
            for holder in &holders {
                holder.abort();
            }
            let closed = slow.closed_by_server.load(Ordering::Relaxed);
            println!(
                "  slow clients: {} connections opened, {closed} closed by the server after {:.1} s on average, {} connects failed",
                slow.opened.load(Ordering::Relaxed),
                slow.held_ms.load(Ordering::Relaxed) as f64 / closed.max(1) as f64 / 1000.0,
                slow.connect_failed.load(Ordering::Relaxed)
            );
        }
    }

    println!();
    if v.missed.is_empty() {
        if s.short {
            println!("budgets: latency and memory not checked in the short mode");
        } else {
            println!(
                "budgets: all held (p99 < {P99_BUDGET_MS:.0} ms, RSS < {RSS_BUDGET_MB:.0} MB)"
            );
        }
    } else {
        println!("budgets MISSED: {}", v.missed.join("; "));
    }
    println!("machine load average after: {}", support::loadavg());
    if s.keep {
        let kept = dir.keep();
        println!("kept: {} (database and server.log)", kept.display());
    }
    drop(server);
    if v.failures.is_empty() {
        println!("correctness: 0 errors, every acknowledged visit stored exactly once: ok");
    } else {
        println!("correctness FAILED: {}", v.failures.join("; "));
        std::process::exit(1);
    }
}
