//! Sync benchmark, in one run on the same generated records: 100,000 visits of realistic size
//! over 3,000 villages, pushed in batches of 500.
//!
//! 1. the limit: the server's own SQL per record (`db::visits::push`: visit upsert, household
//!    upsert, revision row, feed row), 500 per transaction, the server's PRAGMAs, no HTTP,
//!    JSON or auth;
//! 2. the real server over HTTP on loopback: a first push, a full replay, an edit round.
//!
//! Each line ends with `ratio=<ours/limit>` (throughput). Budget: first push ≥ 0.5 × the
//! limit; replay faster than the first push.
//!
//! Usage: `cargo run -p server --release --example sync_bench` (`scripts/bench-sync.sh`).

use std::time::Instant;

use app::api::{PushOutcome, PushResponse, Role};
use app::domain::team::{Affiliation, Position};
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use serde_json::json;
use server::config::ServeArgs;
use server::db::{self, sessions, teams, units, users, visits};
use server::startup::Application;
use uuid::Uuid;

const VISITS: usize = 100_000;
const VILLAGES: usize = 3_000;
const BATCH: usize = 500;
const CONCURRENT_DEVICES: usize = 4;

const SURNAMES: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Đức", "Thanh", "Ngọc"];
const GIVEN: [&str; 8] = ["An", "Bình", "Hoa", "Lan", "Phúc", "Tâm", "Hùng", "Mai"];
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

struct Member {
    pusher: visits::Pusher,
    token: String,
}

fn record(i: usize) -> VisitRecord {
    let name = format!(
        "{} {} {}",
        SURNAMES[i % 8],
        MIDDLE[(i / 8) % 6],
        GIVEN[(i / 48) % 8]
    );
    VisitRecord {
        id: Uuid::now_v7(),
        version: 1,
        base_version: 0,
        revision: None,
        base_revision: None,
        household: HouseholdInput {
            id: Uuid::now_v7(),
            head_name: name,
            address: format!("Số {}, xóm {}, đường liên thôn", i % 300 + 1, i % 12 + 1),
            phone: Some(format!("09{:08}", i % 100_000_000)),
            phone_consent: true,
            business: false,
        },
        visited_at: 1_770_000_000_000 + (i as i64) * 60_000,
        activities: vec![
            ActivityDone { code: CODES[i % 9].into(), detail: Some("Hướng dẫn cài đặt và đăng nhập".into()), people: 2 },
            ActivityDone { code: CODES[(i + 4) % 9].into(), detail: None, people: 1 },
        ],
        outcome: if i.is_multiple_of(10) { Outcome::FollowUp } else { Outcome::Done },
        follow_up_on: i.is_multiple_of(10).then(|| "2026-12-15".to_string()),
        note: "Hộ có điện thoại thông minh, con trai hỗ trợ thêm; hẹn kiểm tra lại tài khoản sau một tuần.".into(),
        village_id: None,
        withdrawn: false,
        difficulty: None,
    }
}

/// Units, 3,000 villages with a team and a member each, and a session for every member.
fn prepare(path: &std::path::Path) -> Vec<Member> {
    let mut conn = db::connect(path).unwrap();
    db::migrate(&mut conn).unwrap();
    let now = app::domain::time::now_ms();
    let rows = units::parse_csv(units::EMBEDDED_CSV).unwrap();
    units::import(&mut conn, &rows, now).unwrap();
    let communes: Vec<i64> = conn
        .prepare("SELECT id FROM units WHERE level = 'commune' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let hash = password_auth::generate_hash("bench-password");
    let tx = conn.transaction().unwrap();
    let mut members = Vec::with_capacity(VILLAGES);
    for v in 0..VILLAGES {
        let village = units::add_village(
            &tx,
            communes[v % communes.len()],
            "thôn",
            &format!("Thôn {v}"),
            Some(300),
            now,
        )
        .unwrap();
        let commune = communes[v % communes.len()];
        let team =
            teams::create(&tx, village, commune, &format!("Tổ {v}"), (None, None), now).unwrap();
        let phone = format!("08{:08}", v);
        let user = users::create(
            &tx,
            &users::NewAccount {
                phone: &phone,
                name: "Thành viên",
                password_hash: &hash,
                role: Role::Member,
                unit_id: village,
                must_change_password: false,
            },
            now,
        )
        .unwrap();
        teams::join_roster(
            &tx,
            team,
            user,
            Position::Member,
            Affiliation::YouthUnion,
            now,
        )
        .unwrap();
        let token = sessions::new_token();
        sessions::create(&tx, &token, user, now).unwrap();
        members.push(Member {
            pusher: visits::Pusher::of(&users::account(&tx, user).unwrap().unwrap()),
            token,
        });
    }
    tx.commit().unwrap();
    members
}

/// Batch `b` is pushed by one member; batches spread over the villages.
fn author_of(batch: usize) -> usize {
    (batch * 15) % VILLAGES
}

fn line(label: &str, count: usize, seconds: f64, limit_rate: f64) -> f64 {
    let rate = count as f64 / seconds;
    println!(
        "{label:<44} {count:>7} visits in {seconds:>7.2} s = {rate:>9.0} visits/s  ratio={:.2}",
        rate / limit_rate
    );
    rate
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}

async fn push_all(
    base: &str,
    members: &[Member],
    batches: &[Vec<VisitRecord>],
) -> Vec<PushOutcome> {
    let client = reqwest::Client::new();
    let mut outcomes = Vec::with_capacity(VISITS);
    for (g, chunk) in batches.chunks(CONCURRENT_DEVICES).enumerate() {
        let first = g * CONCURRENT_DEVICES;
        let requests = chunk.iter().enumerate().map(|(k, batch)| {
            let member = &members[author_of(first + k)];
            client
                .post(format!("{base}/api/sync/push"))
                .header("cookie", format!("sotay_session={}", member.token))
                .json(&json!({ "visits": batch }))
                .send()
        });
        for response in futures::future::join_all(requests).await {
            let body: PushResponse = response
                .unwrap()
                .error_for_status()
                .unwrap()
                .json()
                .await
                .unwrap();
            outcomes.extend(body.results.iter().map(|r| r.result));
        }
    }
    outcomes
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!(
        "machine: {} cores, load average before: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    );
    let template = dir.path().join("template.db");
    let members = prepare(&template);
    let records: Vec<VisitRecord> = (0..VISITS).map(record).collect();
    let bytes: usize = records
        .iter()
        .map(|r| serde_json::to_vec(r).unwrap().len())
        .sum();
    println!("data: {VISITS} visits ({:.0} bytes of JSON each on average), {VILLAGES} villages, batches of {BATCH}", bytes as f64 / VISITS as f64);
    let batches: Vec<Vec<VisitRecord>> =
        records.chunks(BATCH).map(<[VisitRecord]>::to_vec).collect();

    // 1. The limit: the same SQL, in-process.
    let limit_db = dir.path().join("limit.db");
    std::fs::copy(&template, &limit_db).unwrap();
    let mut conn = db::connect(&limit_db).unwrap();
    let started = Instant::now();
    for (b, batch) in batches.iter().enumerate() {
        let results = visits::push(
            &mut conn,
            members[author_of(b)].pusher,
            batch,
            app::domain::time::now_ms(),
        )
        .unwrap();
        assert!(results.iter().all(|r| r.result == PushOutcome::Applied));
    }
    let limit_rate = VISITS as f64 / started.elapsed().as_secs_f64();
    line(
        "limit: same SQL, 500 per transaction",
        VISITS,
        started.elapsed().as_secs_f64(),
        limit_rate,
    );
    drop(conn);

    // 2. The real server over HTTP.
    let http_db = dir.path().join("http.db");
    std::fs::copy(&template, &http_db).unwrap();
    let mut args = ServeArgs::for_db(http_db);
    args.site_root = Some(dir.path().join("no-site"));
    let app = Application::build(args).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    let started = Instant::now();
    let outcomes = push_all(&base, &members, &batches).await;
    let first = line(
        "first push over HTTP",
        VISITS,
        started.elapsed().as_secs_f64(),
        limit_rate,
    );
    assert!(outcomes.iter().all(|o| *o == PushOutcome::Applied));

    let started = Instant::now();
    let outcomes = push_all(&base, &members, &batches).await;
    let replay = line(
        "full replay over HTTP (already_had)",
        VISITS,
        started.elapsed().as_secs_f64(),
        limit_rate,
    );
    assert!(outcomes.iter().all(|o| *o == PushOutcome::AlreadyHad));

    let edits: Vec<Vec<VisitRecord>> = batches
        .iter()
        .map(|batch| {
            batch
                .iter()
                .map(|r| VisitRecord {
                    version: 2,
                    base_version: 1,
                    note: format!("{} Đã sửa.", r.note),
                    ..r.clone()
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    let outcomes = push_all(&base, &members, &edits).await;
    line(
        "edit round over HTTP (version 2)",
        VISITS,
        started.elapsed().as_secs_f64(),
        limit_rate,
    );
    assert!(outcomes.iter().all(|o| *o == PushOutcome::Applied));

    println!(
        "budget: first push {:.2} x the limit (needs >= 0.50): {}; replay {:.2} x the first push (needs > 1): {}",
        first / limit_rate,
        if first >= 0.5 * limit_rate { "met" } else { "MISSED" },
        replay / first,
        if replay > first { "met" } else { "MISSED" }
    );
    println!("machine load average after: {}", loadavg());
}
