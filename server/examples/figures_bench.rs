//! Figures benchmark (docs/indicators.md, "How the figures are kept"), in one run on one
//! generated province: 100 communes, 3,000 villages, 15,000 members sharing one precomputed
//! password hash, 1,000,000 visits over two years.
//!
//! 1. The data goes straight into a SQLite file migrated by the server's own migrations, in
//!    big transactions with prepared statements. The kept figures are built in bulk with
//!    `figures::contributions` (the rule `figures::refresh` applies visit by visit, reference
//!    counts included) and a sample is checked against a plain GROUP BY over the raw visits.
//! 2. Reads over HTTP on loopback against the release binary (a child process): the province's
//!    dashboard, one commune's and the province's quarterly XLSX report, median and p95, each
//!    next to the plain GROUP BY over the raw visits that gives the same figures (per child
//!    unit: approved visits, households, people and households per activity, e-commerce
//!    businesses, active teams and members, coverage; not the months' trend), timed on a
//!    read-only connection to the same file. The dashboards' answers are checked against it;
//!    under each dashboard, the server's own `figures::unit_figures` timed in-process.
//! 3. Push rate with the figures kept against the binary from before the figures (commit
//!    1b7f73c) on a copy of the same data in its schema: 8 devices push the same visits in
//!    batches of 100; then commune staff approve them in bulk, which is where the kept figures
//!    are written. The visits go in rounds, the two servers taking turns (current, before;
//!    before, current), so that the machine's load weighs on both alike.
//! 4. The server's memory (VmRSS, VmHWM) after the run.
//!
//! Settings come from the environment (see [`Settings`]), e.g. `VISITS=50000` for a
//! quick run. Usage: `scripts/bench-figures.sh`.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "support/mod.rs"]
mod support;
use std::time::{Duration, Instant};
use support::ChildServer;

use app::api::Role;
use app::domain::period::Period;
use app::domain::policy::Scope;
use app::domain::team::{Affiliation, Position};
use app::domain::time::{now_ms, vietnam_date, Date};
use app::domain::visit::DifficultyRaised;
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::{json, Value};
use server::db::{self, figures, teams, units, users, visits};
use uuid::Uuid;

const PASSWORD: &str = "bench-password-2026";
const PROVINCE_STAFF_PHONE: &str = "0900000001";
const COMMUNE_STAFF_PHONE: &str = "0900000002";
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

const SURNAMES: [&str; 10] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Y", "H'",
];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Đức", "Thanh", "Ngọc"];
const GIVEN: [&str; 12] = [
    "An", "Bình", "Hoa", "Lan", "Phúc", "Tâm", "Hùng", "Mai", "Niê", "Khánh", "Duyên", "Sơn",
];
/// The national catalogue's codes with how often a visit records each.
const CODES: [(&str, u64); 9] = [
    ("information", 30),
    ("public_service_account", 20),
    ("online_application", 10),
    ("ecommerce_signup", 4),
    ("online_selling", 4),
    ("epayment_account", 15),
    ("health_app", 10),
    ("other_essential_app", 4),
    ("digital_skills", 8),
];
const DETAILS: [Option<&str>; 4] = [
    None,
    Some("VNeID mức 2"),
    Some("Viettel Money"),
    Some("postmart.vn"),
];
const NOTES: [&str; 4] = [
    "",
    "Hộ có điện thoại thông minh, con trai hỗ trợ thêm; hẹn kiểm tra lại tài khoản sau một tuần.",
    "Hướng dẫn cài đặt và đăng nhập, người dân tự thao tác được.",
    "Cần quay lại khi chủ hộ có nhà.",
];
const DIFFICULTIES: [&str; 5] = [
    "no_smartphone",
    "no_id_card",
    "no_signal",
    "service_failing",
    "other",
];
const AFFILIATIONS: [Affiliation; 5] = [
    Affiliation::VillageCadre,
    Affiliation::YouthUnion,
    Affiliation::WomensUnion,
    Affiliation::Police,
    Affiliation::Other,
];

/// What the run does, from the environment (default in brackets): `VISITS` [1000000],
/// `COMMUNES` [100], `VILLAGES_PER_COMMUNE` [30], `MEMBERS_PER_TEAM` [5],
/// `HOUSEHOLDS_PER_VILLAGE` [200], `PROVINCE` (official code) [66], `PERIOD` [Q2026-3],
/// `DASHBOARD_RUNS` [200], `EXPORT_RUNS` [20], `PLAIN_RUNS` [20], `PLAIN_EXPORT_RUNS` [5],
/// `PUSH_VISITS` (over all rounds) [50000], `PUSH_ROUNDS` [2], `PUSH_DEVICES` [8],
/// `PUSH_BATCH` [100], `APPROVE_IDS` (per bulk approval) [500], `SOTAY_BIN` [the `sotay` of
/// this target directory], `SOTAY_BEFORE_BIN` [none: no comparison], `BENCH_DIR` [a
/// temporary directory], `KEEP_DB=1` to keep the databases.
struct Settings {
    visits: usize,
    communes: usize,
    villages_per_commune: usize,
    members_per_team: usize,
    households_per_village: usize,
    /// Official code of the province (default 66, Đắk Lắk: 102 communes, trimmed).
    province: String,
    period: Period,
    dashboard_runs: usize,
    export_runs: usize,
    plain_runs: usize,
    plain_export_runs: usize,
    push_visits: usize,
    push_devices: usize,
    push_batch: usize,
    push_rounds: usize,
    approve_ids: usize,
    bin: PathBuf,
    before_bin: Option<PathBuf>,
    dir: Option<PathBuf>,
    keep: bool,
}

fn number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(raw) => raw
            .replace(['_', ','], "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={raw:?} is not a number")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        let text = |name: &str, default: &str| std::env::var(name).unwrap_or(default.into());
        let period = text("PERIOD", "Q2026-3");
        let bin = std::env::var_os("SOTAY_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                // target/release/examples/figures_bench -> target/release/sotay
                let exe = std::env::current_exe().expect("the benchmark's own path");
                exe.parent()
                    .and_then(Path::parent)
                    .map(|dir| dir.join("sotay"))
                    .expect("a target directory")
            });
        Self {
            visits: number("VISITS", 1_000_000),
            communes: number("COMMUNES", 100),
            villages_per_commune: number("VILLAGES_PER_COMMUNE", 30),
            members_per_team: number("MEMBERS_PER_TEAM", 5).max(1),
            households_per_village: number("HOUSEHOLDS_PER_VILLAGE", 200).max(1),
            province: text("PROVINCE", "66"),
            period: Period::parse(&period)
                .unwrap_or_else(|| panic!("PERIOD={period:?} is not a period like Q2026-3")),
            dashboard_runs: number("DASHBOARD_RUNS", 200).max(1),
            export_runs: number("EXPORT_RUNS", 20).max(1),
            plain_runs: number("PLAIN_RUNS", 20).max(1),
            plain_export_runs: number("PLAIN_EXPORT_RUNS", 5).max(1),
            push_visits: number("PUSH_VISITS", 50_000),
            push_devices: number("PUSH_DEVICES", 8).max(1),
            push_batch: number("PUSH_BATCH", 100).max(1),
            push_rounds: number("PUSH_ROUNDS", 2).max(1),
            approve_ids: number("APPROVE_IDS", 500).max(1),
            bin,
            before_bin: std::env::var_os("SOTAY_BEFORE_BIN")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            dir: std::env::var_os("BENCH_DIR")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            keep: std::env::var("KEEP_DB").is_ok_and(|v| v == "1"),
        }
    }
}

/// SplitMix64: the data is the same on every run.
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
        (self.next() % n.max(1) as u64) as usize
    }

    fn percent(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) * 100.0 < p
    }

    /// A UUID v7 made at instant `ms`, as a device would make it then.
    fn uuid7(&mut self, ms: i64) -> Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(ms as u64, &bytes).into_uuid()
    }

    fn name(&mut self) -> String {
        format!(
            "{} {} {}",
            SURNAMES[self.below(SURNAMES.len())],
            MIDDLE[self.below(MIDDLE.len())],
            GIVEN[self.below(GIVEN.len())]
        )
    }

    /// 1 to 3 different activities of the catalogue, weighted, with the people helped.
    fn activities(&mut self) -> Vec<ActivityDone> {
        let total: u64 = CODES.iter().map(|(_, w)| w).sum();
        let count = match self.below(100) {
            0..45 => 1,
            45..80 => 2,
            _ => 3,
        };
        let mut out: Vec<ActivityDone> = Vec::with_capacity(count);
        while out.len() < count {
            let mut roll = self.next() % total;
            let code = CODES
                .iter()
                .find(|(_, w)| {
                    let hit = roll < *w;
                    roll = roll.saturating_sub(*w);
                    hit
                })
                .map_or(CODES[0].0, |(c, _)| c);
            if out.iter().any(|a| a.code == code) {
                continue;
            }
            out.push(ActivityDone {
                code: code.into(),
                detail: DETAILS[self.below(DETAILS.len())].map(str::to_string),
                people: 1 + self.below(4) as u32,
            });
        }
        out
    }
}

/// A household as the device sends it.
#[derive(Clone)]
struct Household {
    id: Uuid,
    head_name: String,
    address: String,
    phone: Option<String>,
    business: bool,
}

impl Household {
    fn input(&self) -> HouseholdInput {
        HouseholdInput {
            id: self.id,
            head_name: self.head_name.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
            phone_consent: self.phone.is_some(),
            business: self.business,
        }
    }
}

struct Village {
    id: i64,
    team: Uuid,
    /// (user, phone); the first is the leader.
    members: Vec<(Uuid, String)>,
    households: Vec<Household>,
}

/// The generated province.
struct Province {
    id: i64,
    name: String,
    communes: Vec<i64>,
    villages: Vec<Village>,
    /// The commune whose staff sign in (the first), with its name.
    staff_commune: (i64, String),
}

/// FxHash with a final mix: the aggregation hashes hundreds of millions of short keys.
#[derive(Default)]
struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        // Multiplying leaves low bits depending on low bits only (and the packed keys of
        // figure_counts end in 22 zero bits): mix the high bits down (MurmurHash3's fmix64).
        let mut z = self.0;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z ^ (z >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Fast = BuildHasherDefault<FastHasher>;

/// Strings as small numbers, then ranked in byte order (SQLite's BINARY collation).
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32, Fast>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }

    /// The names in order, and each id's place in it.
    fn ranked(self) -> (Vec<String>, Vec<u64>) {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_unstable_by(|a, b| self.names[*a].cmp(&self.names[*b]));
        let mut rank = vec![0u64; order.len()];
        for (place, id) in order.iter().enumerate() {
            rank[*id] = place as u64;
        }
        let mut names: Vec<Option<String>> = self.names.into_iter().map(Some).collect();
        let sorted = order
            .iter()
            .map(|id| names[*id].take().expect("each name once"))
            .collect();
        (sorted, rank)
    }
}

/// A figure's key packed into 64 bits: scope (24), period (12), key (6), item (22).
const ITEM_BITS: u32 = 22;
const KEY_BITS: u32 = 6;
const PERIOD_BITS: u32 = 12;

fn pack(scope: u64, period: u64, key: u64, item: u64) -> u64 {
    assert!(
        scope < 1 << 24
            && period < 1 << PERIOD_BITS
            && key < 1 << KEY_BITS
            && item < 1 << ITEM_BITS,
        "too many scopes, periods, keys or items for the packed figure keys"
    );
    (scope << (PERIOD_BITS + KEY_BITS + ITEM_BITS))
        | (period << (KEY_BITS + ITEM_BITS))
        | (key << ITEM_BITS)
        | item
}

fn unpack(packed: u64) -> [usize; 4] {
    let mask = |bits: u32| (1u64 << bits) - 1;
    [
        (packed >> (PERIOD_BITS + KEY_BITS + ITEM_BITS)) as usize,
        ((packed >> (KEY_BITS + ITEM_BITS)) & mask(PERIOD_BITS)) as usize,
        ((packed >> ITEM_BITS) & mask(KEY_BITS)) as usize,
        (packed & mask(ITEM_BITS)) as usize,
    ]
}

/// No journal, no syncing, a large cache: a bulk load that is thrown away if it fails.
fn bulk_mode(conn: &Connection) {
    conn.pragma_update(None, "journal_mode", "OFF").unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
    conn.pragma_update(None, "cache_size", -1_048_576).unwrap();
}

/// Back to what the server expects of the file.
fn serve_mode(conn: &Connection) {
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn file_size(path: &Path) -> u64 {
    let size = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    size(path.to_path_buf()) + size(PathBuf::from(wal))
}

/// Units, villages, teams, members and households, then the visits.
fn generate(path: &Path, s: &Settings, hash: &str) -> Province {
    let started = Instant::now();
    let now = now_ms();
    let mut conn = db::connect(path).unwrap();
    db::migrate(&mut conn).unwrap();
    units::import(
        &mut conn,
        &units::parse_csv(units::EMBEDDED_CSV).unwrap(),
        now,
    )
    .unwrap();
    bulk_mode(&conn);
    let (province, name): (i64, String) = conn
        .query_row(
            "SELECT id, name FROM units WHERE level = 'province' AND official_code = ?1",
            [&s.province],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|_| panic!("no province has the official code {:?}", s.province));
    let mut communes: Vec<(i64, String)> = conn
        .prepare(
            "SELECT id, name FROM units WHERE parent_id = ?1 AND level = 'commune' ORDER BY id",
        )
        .unwrap()
        .query_map([province], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        communes.len() >= s.communes,
        "{name} has {} communes, fewer than COMMUNES={}",
        communes.len(),
        s.communes
    );
    // The province keeps exactly the communes asked for.
    let trimmed = communes.len() - s.communes;
    if trimmed > 0 {
        conn.execute(
            "DELETE FROM units WHERE parent_id = ?1 AND level = 'commune' AND id > ?2",
            params![province, communes[s.communes - 1].0],
        )
        .unwrap();
        communes.truncate(s.communes);
    }
    println!(
        "province: {name} (official code {}), its first {} communes ({trimmed} more removed)",
        s.province, s.communes
    );

    let mut rng = Rng(2026);
    let joined = Date {
        year: 2024,
        month: 12,
        day: 1,
    }
    .start_ms();
    let tx = conn.transaction().unwrap();
    let account = |phone: &str, name: &str, role: Role, unit: i64| {
        users::create(
            &tx,
            &users::NewAccount {
                phone,
                name,
                password_hash: hash,
                role,
                unit_id: unit,
                must_change_password: false,
            },
            joined,
        )
        .unwrap()
    };
    account(
        PROVINCE_STAFF_PHONE,
        "Đỗ Thị Thu",
        Role::ProvinceStaff,
        province,
    );
    let reviewer = account(
        COMMUNE_STAFF_PHONE,
        "Lý Văn Hùng",
        Role::CommuneStaff,
        communes[0].0,
    );
    let mut villages = Vec::new();
    let mut people = 0usize;
    let mut household_insert = tx
        .prepare(
            "INSERT INTO households (id, village_id, head_name, address, phone, created_by, \
               created_at, updated_at, business, phone_consent_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)",
        )
        .unwrap();
    let mut feed_household = tx
        .prepare("INSERT INTO feed (kind, entity_id, village_id) VALUES ('household', ?1, ?2)")
        .unwrap();
    for (commune, _) in &communes {
        for k in 0..s.villages_per_commune {
            let count = (!rng.percent(5.0)).then(|| {
                (s.households_per_village + rng.below(s.households_per_village / 3 + 1)) as i64
            });
            let village = units::add_village(
                &tx,
                *commune,
                "thôn",
                &format!("Thôn {}", k + 1),
                count,
                joined,
            )
            .unwrap();
            let team = teams::create(
                &tx,
                village,
                *commune,
                &format!("Tổ công nghệ số cộng đồng thôn {}", k + 1),
                (None, None),
                joined,
            )
            .unwrap();
            let mut members = Vec::with_capacity(s.members_per_team);
            for m in 0..s.members_per_team {
                let phone = format!("03{people:08}");
                people += 1;
                let user = account(&phone, &rng.name(), Role::Member, village);
                let position = if m == 0 {
                    Position::Leader
                } else {
                    Position::Member
                };
                teams::join_roster(&tx, team, user, position, AFFILIATIONS[m % 5], joined).unwrap();
                members.push((user, phone));
            }
            let mut households = Vec::with_capacity(s.households_per_village);
            for h in 0..s.households_per_village {
                let created = joined + rng.below(30) as i64 * DAY_MS + 9 * HOUR_MS;
                let household = Household {
                    id: rng.uuid7(created),
                    head_name: rng.name(),
                    address: format!("Số {}, xóm {}, thôn {}", h + 1, h % 12 + 1, k + 1),
                    phone: rng
                        .percent(70.0)
                        .then(|| format!("09{:08}", rng.below(100_000_000))),
                    business: rng.percent(8.0),
                };
                household_insert
                    .execute(params![
                        household.id.to_string(),
                        village,
                        household.head_name,
                        household.address,
                        household.phone,
                        members[0].0.to_string(),
                        created,
                        household.business,
                        household.phone.as_ref().map(|_| created),
                    ])
                    .unwrap();
                feed_household
                    .execute(params![household.id.to_string(), village])
                    .unwrap();
                households.push(household);
            }
            villages.push(Village {
                id: village,
                team,
                members,
                households,
            });
        }
    }
    drop(household_insert);
    drop(feed_household);
    tx.commit().unwrap();
    let households: usize = villages.iter().map(|v| v.households.len()).sum();
    println!(
        "  {} villages (about 5% without an official household count), {} teams, {people} members + 2 staff, {households} households: {:.1} s",
        villages.len(),
        villages.len(),
        started.elapsed().as_secs_f64()
    );

    insert_visits(&mut conn, s, &villages, reviewer, &mut rng);
    serve_mode(&conn);
    Province {
        id: province,
        name,
        communes: communes.iter().map(|c| c.0).collect(),
        villages,
        staff_commune: communes[0].clone(),
    }
}

/// The visits, spread over 2025-01-01 to the end of 2026 (or yesterday, if earlier), in
/// Vietnam's daytime, in order of time (their ids are UUID v7 of that time).
fn insert_visits(
    conn: &mut Connection,
    s: &Settings,
    villages: &[Village],
    reviewer: Uuid,
    rng: &mut Rng,
) {
    let started = Instant::now();
    let first = Date {
        year: 2025,
        month: 1,
        day: 1,
    }
    .start_ms();
    let end = Date {
        year: 2027,
        month: 1,
        day: 1,
    }
    .start_ms()
    .min(vietnam_date(now_ms()).start_ms());
    let days = ((end - first) / DAY_MS) as usize;
    let mut planned: Vec<(i64, u32, u32, u32)> = (0..s.visits)
        .map(|_| {
            let at = first
                + rng.below(days) as i64 * DAY_MS
                + 7 * HOUR_MS
                + rng.below(12 * 3600) as i64 * 1000;
            let v = rng.below(villages.len());
            (
                at,
                v as u32,
                rng.below(villages[v].households.len()) as u32,
                rng.below(villages[v].members.len()) as u32,
            )
        })
        .collect();
    planned.sort_unstable();
    let last = planned.last().map_or(first, |p| p.0);
    let mut statuses = [0usize; 4];
    let mut raised = 0usize;
    for chunk in planned.chunks(100_000) {
        let tx = conn.transaction().unwrap();
        {
            let mut visit_insert = tx
                .prepare(
                    "INSERT INTO visits (id, household_id, village_id, team_id, member_id, visited_at, \
                       activities, outcome, follow_up_on, note, version, base_version, status, \
                       review_reason, reviewed_by, reviewed_at, received_at, updated_at, revision, business) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, 0, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                )
                .unwrap();
            let mut revision_insert = tx
                .prepare(
                    "INSERT INTO visit_revisions (visit_id, version, base_version, author_id, \
                       payload_hash, payload, outcome, received_at, revision) \
                     VALUES (?1, 1, 0, ?2, ?3, ?4, 'applied', ?5, ?6)",
                )
                .unwrap();
            let mut feed_insert = tx
                .prepare(
                    "INSERT INTO feed (kind, entity_id, village_id, member_id, team_id, visited_at) \
                     VALUES ('visit', ?1, ?2, ?3, ?4, ?5)",
                )
                .unwrap();
            let mut difficulty_insert = tx
                .prepare(
                    "INSERT INTO difficulties (visit_id, village_id, team_id, category, note, \
                       raised_at, status, handled_by, handled_at, comment) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .unwrap();
            for &(at, v, h, m) in chunk {
                let village = &villages[v as usize];
                let household = &village.households[h as usize];
                let member = village.members[m as usize].0;
                let id = rng.uuid7(at);
                let revision = rng.uuid7(at);
                let (outcome, follow_up_on) = match rng.below(100) {
                    0..85 => (Outcome::Done, None),
                    85..92 => (Outcome::Partly, None),
                    92..97 => {
                        let d = vietnam_date(at + 7 * DAY_MS);
                        (
                            Outcome::FollowUp,
                            Some(format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
                        )
                    }
                    _ => (Outcome::Declined, None),
                };
                let status = match rng.below(100) {
                    0..95 => 0,
                    95..98 => 1,
                    98 => 2,
                    _ => 3,
                };
                statuses[status] += 1;
                let difficulty = rng.percent(2.0).then(|| DifficultyRaised {
                    category: DIFFICULTIES[rng.below(DIFFICULTIES.len())].into(),
                    note: "Người dân chưa có căn cước gắn chip, hẹn quay lại.".into(),
                });
                let record = VisitRecord {
                    id,
                    version: 1,
                    base_version: 0,
                    revision: Some(revision),
                    base_revision: None,
                    household: household.input(),
                    visited_at: at,
                    activities: rng.activities(),
                    outcome,
                    follow_up_on,
                    note: NOTES[rng.below(NOTES.len())].into(),
                    village_id: None,
                    withdrawn: status == 3,
                    difficulty,
                };
                let received = at + rng.below(36 * 3600) as i64 * 1000;
                let reviewed = received + rng.below(72 * 3600) as i64 * 1000;
                let (status_name, reason, reviewed_by, reviewed_at) = match status {
                    0 => ("approved", None, Some(reviewer.to_string()), Some(reviewed)),
                    1 => ("submitted", None, None, None),
                    2 => (
                        "returned",
                        Some("Thiếu số người được hỗ trợ."),
                        Some(reviewer.to_string()),
                        Some(reviewed),
                    ),
                    _ => ("withdrawn", None, None, None),
                };
                let payload = serde_json::to_string(&record).unwrap();
                let activities = serde_json::to_string(&record.activities).unwrap();
                let (id, team, author) =
                    (id.to_string(), village.team.to_string(), member.to_string());
                visit_insert
                    .execute(params![
                        id,
                        household.id.to_string(),
                        village.id,
                        team,
                        author,
                        at,
                        activities,
                        outcome.as_str(),
                        record.follow_up_on,
                        record.note,
                        status_name,
                        reason,
                        reviewed_by,
                        reviewed_at,
                        received,
                        reviewed_at.unwrap_or(received),
                        revision.to_string(),
                        household.business,
                    ])
                    .unwrap();
                revision_insert
                    .execute(params![
                        id,
                        author,
                        visits::payload_hash(&payload),
                        payload,
                        received,
                        revision.to_string()
                    ])
                    .unwrap();
                feed_insert
                    .execute(params![id, village.id, author, team, at])
                    .unwrap();
                if let Some(d) = &record.difficulty {
                    raised += 1;
                    let handled = rng.percent(70.0);
                    difficulty_insert
                        .execute(params![
                            id,
                            village.id,
                            team,
                            d.category,
                            d.note,
                            at,
                            if handled { "handled" } else { "open" },
                            handled.then(|| reviewer.to_string()),
                            handled.then_some(reviewed),
                            handled.then_some("Đã hướng dẫn làm căn cước tại công an xã."),
                        ])
                        .unwrap();
                }
            }
        }
        tx.commit().unwrap();
    }
    let iso = |ms: i64| {
        let d = vietnam_date(ms);
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
    };
    println!(
        "  {} visits {} to {} ({} approved, {} submitted, {} returned, {} withdrawn; {raised} raise a difficulty), each with its revision and feed row: {:.1} s",
        s.visits,
        iso(first),
        iso(last),
        statuses[0],
        statuses[1],
        statuses[2],
        statuses[3],
        started.elapsed().as_secs_f64()
    );
}

/// The kept figures of every approved visit, as `figures::refresh` would leave them, built in
/// memory from `figures::contributions` and written in key order.
fn build_figures(conn: &mut Connection) {
    let started = Instant::now();
    bulk_mode(conn);
    let counted: Vec<(String, figures::Counted)> = conn
        .prepare(
            "SELECT v.id, v.village_id, cu.id, cu.parent_id, v.team_id, v.member_id, \
               v.household_id, v.visited_at, v.business, v.activities \
             FROM visits v JOIN units vu ON vu.id = v.village_id JOIN units cu ON cu.id = vu.parent_id \
             WHERE v.status = 'approved'",
        )
        .unwrap()
        .query_map([], |r| {
            let activities: Vec<ActivityDone> =
                serde_json::from_str(&r.get::<_, String>(9)?).unwrap();
            Ok((
                r.get(0)?,
                figures::Counted {
                    village: r.get(1)?,
                    commune: r.get(2)?,
                    province: r.get(3)?,
                    team: r.get(4)?,
                    member: r.get(5)?,
                    household: r.get(6)?,
                    visited_at: r.get(7)?,
                    business: r.get(8)?,
                    activities: activities.into_iter().map(|a| (a.code, a.people)).collect(),
                },
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let read = started.elapsed().as_secs_f64();

    let (mut scopes, mut periods, mut keys, mut items) = (
        Interner::default(),
        Interner::default(),
        Interner::default(),
        Interner::default(),
    );
    // figure_reach: visits behind each item; figure_counts: visits, people, reached.
    let mut reach: HashMap<u64, u32, Fast> = HashMap::default();
    let mut counts: HashMap<u64, [i64; 3], Fast> = HashMap::default();
    let mut contributions = 0usize;
    for (_, visit) in &counted {
        for c in figures::contributions(visit) {
            contributions += 1;
            let (p, k) = (u64::from(periods.id(&c.period)), u64::from(keys.id(&c.key)));
            let scope = u64::from(scopes.id(&c.scope));
            let mut reached = 0;
            if let Some(item) = &c.item {
                let n = reach
                    .entry(pack(scope, p, k, u64::from(items.id(item))))
                    .or_insert(0);
                *n += 1;
                reached = i64::from(*n == 1);
            }
            let mut add = |scope: u64| {
                let row = counts.entry(pack(scope, p, k, 0)).or_insert([0; 3]);
                row[0] += 1;
                row[1] += c.people;
                row[2] += reached;
            };
            add(scope);
            for up in &c.rolls_up_to {
                add(u64::from(scopes.id(up)));
            }
        }
    }
    let aggregated = started.elapsed().as_secs_f64() - read;

    let (scope_names, scope_rank) = scopes.ranked();
    let (period_names, period_rank) = periods.ranked();
    let (key_names, key_rank) = keys.ranked();
    let (item_names, item_rank) = items.ranked();
    let rerank = |packed: u64| {
        let [s, p, k, i] = unpack(packed);
        pack(scope_rank[s], period_rank[p], key_rank[k], item_rank[i])
    };
    let rerank_count = |packed: u64| {
        let [s, p, k, _] = unpack(packed);
        pack(scope_rank[s], period_rank[p], key_rank[k], 0)
    };
    let mut reach_rows: Vec<(u64, u32)> = reach.into_iter().map(|(k, n)| (rerank(k), n)).collect();
    reach_rows.sort_unstable_by_key(|r| r.0);
    let mut count_rows: Vec<(u64, [i64; 3])> = counts
        .into_iter()
        .map(|(k, n)| (rerank_count(k), n))
        .collect();
    count_rows.sort_unstable_by_key(|r| r.0);

    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO figure_visits (visit_id, village_id, commune_id, province_id, team_id, \
                   member_id, household_id, visited_at, business, activities) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .unwrap();
        let mut sorted: Vec<&(String, figures::Counted)> = counted.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (id, v) in sorted {
            insert
                .execute(params![
                    id,
                    v.village,
                    v.commune,
                    v.province,
                    v.team,
                    v.member,
                    v.household,
                    v.visited_at,
                    v.business,
                    serde_json::to_string(&v.activities).unwrap()
                ])
                .unwrap();
        }
        let mut insert = tx
            .prepare(
                "INSERT INTO figure_counts (scope, period, key, visits, people, reached) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .unwrap();
        for (packed, [visits, people, reached]) in &count_rows {
            let [s, p, k, _] = unpack(*packed);
            insert
                .execute(params![
                    scope_names[s],
                    period_names[p],
                    key_names[k],
                    visits,
                    people,
                    reached
                ])
                .unwrap();
        }
        let mut insert = tx
            .prepare(
                "INSERT INTO figure_reach (scope, period, key, item, visits) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .unwrap();
        for (packed, visits) in &reach_rows {
            let [s, p, k, i] = unpack(*packed);
            insert
                .execute(params![
                    scope_names[s],
                    period_names[p],
                    key_names[k],
                    item_names[i],
                    visits
                ])
                .unwrap();
        }
        tx.execute("UPDATE figure_state SET built = 1", []).unwrap();
    }
    tx.commit().unwrap();
    serve_mode(conn);
    println!(
        "kept figures built in bulk: {} figure_visits, {} figure_counts, {} figure_reach rows from {contributions} contributions: {:.1} s (read {read:.1} s, aggregate {aggregated:.1} s, write {:.1} s)",
        counted.len(),
        count_rows.len(),
        reach_rows.len(),
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64() - read - aggregated
    );
}

/// The villages under `?1` (a commune's, or a province's communes'), each with the child of
/// `?1` it lies in: the server's own `under` of `db/figures.rs`.
macro_rules! under {
    () => {
        "WITH under(village, child) AS ( \
           SELECT id, id FROM units WHERE id = ?1 AND level = 'village' \
           UNION ALL SELECT id, id FROM units WHERE parent_id = ?1 AND level = 'village' \
           UNION ALL SELECT v.id, c.id FROM units c JOIN units v ON v.parent_id = c.id \
             WHERE c.parent_id = ?1 AND v.level = 'village') "
    };
}
/// Approved visits of those villages in `[?2, ?3)`.
macro_rules! approved {
    () => {
        " WHERE v.status = 'approved' AND v.visited_at >= ?2 AND v.visited_at < ?3 "
    };
}
const PLAIN_VISITS: &str = concat!(
    under!(),
    "SELECT under.child, count(*), count(DISTINCT v.household_id), count(DISTINCT v.team_id), \
       count(DISTINCT v.member_id) \
     FROM under JOIN visits v ON v.village_id = under.village",
    approved!(),
    "GROUP BY under.child"
);
const PLAIN_ACTIVITIES: &str = concat!(
    under!(),
    "SELECT under.child, json_extract(a.value, '$.code'), count(*), \
       sum(json_extract(a.value, '$.people')), count(DISTINCT v.household_id) \
     FROM under JOIN visits v ON v.village_id = under.village JOIN json_each(v.activities) a",
    approved!(),
    "GROUP BY 1, 2"
);
const PLAIN_ECOMMERCE: &str = concat!(
    under!(),
    "SELECT under.child, count(DISTINCT v.household_id) \
     FROM under JOIN visits v ON v.village_id = under.village",
    approved!(),
    "AND v.business = 1 AND EXISTS (SELECT 1 FROM json_each(v.activities) a \
       WHERE json_extract(a.value, '$.code') IN ('ecommerce_signup', 'online_selling')) \
     GROUP BY 1"
);
const PLAIN_COVERAGE: &str = concat!(
    under!(),
    "SELECT under.child, count(*), sum(u.household_count IS NULL), \
       COALESCE(sum(CASE WHEN u.household_count IS NOT NULL THEN \
         (SELECT count(DISTINCT v.household_id) FROM visits v WHERE v.village_id = under.village \
            AND v.status = 'approved' AND v.visited_at >= ?2 AND v.visited_at < ?3) END), 0), \
       COALESCE(sum(u.household_count), 0) \
     FROM under JOIN units u ON u.id = under.village GROUP BY 1"
);
const PLAIN_TOTAL: &str = concat!(
    under!(),
    "SELECT count(DISTINCT v.team_id), count(DISTINCT v.member_id) \
     FROM under JOIN visits v ON v.village_id = under.village",
    approved!()
);

/// The figures a dashboard shows for one unit, computed from the raw visits.
#[derive(Clone, Debug, Default, PartialEq)]
struct Plain {
    visits: i64,
    households: i64,
    people: i64,
    /// Per activity: visits, people, households.
    activities: BTreeMap<String, [i64; 3]>,
    ecommerce: i64,
    teams: i64,
    members: i64,
    /// Villages, villages without a count, households reached in those with one, their count.
    coverage: [i64; 4],
}

/// A unit's figures and its children's, by plain GROUP BY over the visits.
fn plain(conn: &Connection, unit: i64, (start, end): (i64, i64)) -> (Plain, BTreeMap<i64, Plain>) {
    let mut children: BTreeMap<i64, Plain> = BTreeMap::new();
    let mut run = |sql: &str, f: &mut dyn FnMut(&rusqlite::Row<'_>, &mut Plain)| {
        let mut statement = conn.prepare_cached(sql).unwrap();
        let mut rows = statement.query(params![unit, start, end]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            f(row, children.entry(row.get(0).unwrap()).or_default());
        }
    };
    run(PLAIN_VISITS, &mut |r, p| {
        p.visits = r.get(1).unwrap();
        p.households = r.get(2).unwrap();
        p.teams = r.get(3).unwrap();
        p.members = r.get(4).unwrap();
    });
    run(PLAIN_ACTIVITIES, &mut |r, p| {
        let people: i64 = r.get(3).unwrap();
        p.people += people;
        p.activities.insert(
            r.get(1).unwrap(),
            [r.get(2).unwrap(), people, r.get(4).unwrap()],
        );
    });
    run(PLAIN_ECOMMERCE, &mut |r, p| p.ecommerce = r.get(1).unwrap());
    run(PLAIN_COVERAGE, &mut |r, p| {
        p.coverage = [
            r.get(1).unwrap(),
            r.get(2).unwrap(),
            r.get(3).unwrap(),
            r.get(4).unwrap(),
        ]
    });
    // Households add up across villages (a household belongs to one); teams and members are
    // counted distinct for the unit itself.
    let mut total = Plain::default();
    for c in children.values() {
        total.visits += c.visits;
        total.households += c.households;
        total.people += c.people;
        total.ecommerce += c.ecommerce;
        for (code, [v, p, h]) in &c.activities {
            let a = total.activities.entry(code.clone()).or_default();
            a[0] += v;
            a[1] += p;
            a[2] += h;
        }
        for (sum, part) in total.coverage.iter_mut().zip(c.coverage) {
            *sum += part;
        }
    }
    (total.teams, total.members) = conn
        .prepare_cached(PLAIN_TOTAL)
        .unwrap()
        .query_row(params![unit, start, end], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    (total, children)
}

/// The figures of a dashboard's answer (`UnitFigures` as JSON), in the shape of [`Plain`].
fn kept_of(figures: &Value) -> Plain {
    let n = |v: &Value, key: &str| v[key].as_i64().unwrap_or(0);
    let c = &figures["coverage"];
    Plain {
        visits: n(figures, "visits"),
        households: n(figures, "households"),
        people: n(figures, "people"),
        activities: figures["activities"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    a["code"].as_str().unwrap_or_default().to_string(),
                    [n(a, "visits"), n(a, "people"), n(a, "households")],
                )
            })
            .collect(),
        ecommerce: n(figures, "ecommerce_businesses"),
        teams: n(figures, "active_teams"),
        members: n(figures, "active_members"),
        coverage: [
            n(c, "villages"),
            n(c, "villages_without_count"),
            n(c, "reached"),
            n(c, "households"),
        ],
    }
}

/// Aborts unless the dashboard's answer gives the plain GROUP BY's figures for the unit and
/// every child.
fn check_dashboard(label: &str, answer: &Value, (total, children): &(Plain, BTreeMap<i64, Plain>)) {
    fn mismatch(label: &str, what: String, kept: &Plain, plain: &Plain) -> ! {
        eprintln!("{label}: the kept figures differ from a plain GROUP BY over the visits for {what}:\n  kept:  {kept:?}\n  plain: {plain:?}");
        std::process::exit(1);
    }
    let own = kept_of(&answer["total"]);
    if own != *total {
        mismatch(label, "the unit itself".into(), &own, total);
    }
    let shown = answer["children"].as_array().cloned().unwrap_or_default();
    for child in &shown {
        let id = child["unit_id"].as_i64().unwrap_or(0);
        let kept = kept_of(&child["figures"]);
        let plain = children.get(&id).cloned().unwrap_or_default();
        if kept != plain {
            mismatch(label, format!("child unit {id}"), &kept, &plain);
        }
    }
    if shown.len() < children.len() {
        eprintln!(
            "{label}: the dashboard shows {} children, the visits have {}",
            shown.len(),
            children.len()
        );
        std::process::exit(1);
    }
}

/// Step 2's check: the kept `*` rows (and for the province the distinct teams and members) of
/// the province and three communes against a plain GROUP BY over the raw visits.
fn check_sample(conn: &Connection, province: &Province, period: Period) {
    let key = period.key();
    let span = period.span_ms();
    let mut units: Vec<(String, i64)> = vec![(format!("p:{}", province.id), province.id)];
    let n = province.communes.len();
    for i in [0, n / 2, n - 1] {
        units.push((format!("c:{}", province.communes[i]), province.communes[i]));
    }
    units.dedup();
    for (scope, unit) in &units {
        let row = |k: &str| -> [i64; 3] {
            conn.query_row(
                "SELECT visits, people, reached FROM figure_counts WHERE scope = ?1 AND period = ?2 AND key = ?3",
                params![scope, key, k],
                |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]),
            )
            .optional()
            .unwrap()
            .unwrap_or_default()
        };
        let (total, _) = plain(conn, *unit, span);
        let plain_all = [total.visits, total.people, total.households];
        let kept_all = row(figures::ALL);
        let kept_teams = row(figures::TEAMS)[2];
        let kept_members = row(figures::MEMBERS)[2];
        if kept_all != plain_all || kept_teams != total.teams || kept_members != total.members {
            eprintln!(
                "CHECK FAILED: {scope} {key}: kept (visits, people, households) = {kept_all:?}, teams {kept_teams}, members {kept_members}; \
                 plain GROUP BY over the visits = {plain_all:?}, teams {}, members {}",
                total.teams, total.members
            );
            std::process::exit(1);
        }
    }
    println!(
        "check {key}: kept '*' rows (visits, people, households) and distinct teams and members of the province and 3 communes = plain GROUP BY over the raw visits: ok"
    );
}

/// A copy of the generated data in the schema of the binary from before the figures: that
/// binary migrates a new file, then every table both schemas have is copied over (the
/// columns of the older table).
fn copy_for_before(main: &Path, path: &Path, bin: &Path) {
    let started = Instant::now();
    let status = Command::new(bin)
        .args(["migrate", "--db"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("run the older binary");
    assert!(status.success(), "{} migrate failed", bin.display());
    let conn = Connection::open(path).unwrap();
    bulk_mode(&conn);
    conn.execute("ATTACH DATABASE ?1 AS src", [main.to_str().unwrap()])
        .unwrap();
    let tables = |schema: &str| -> Vec<String> {
        conn.prepare(&format!(
            "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let newer = tables("src");
    let mut copied = Vec::new();
    conn.execute_batch("BEGIN").unwrap();
    for table in tables("main").into_iter().filter(|t| newer.contains(t)) {
        let columns: Vec<String> = conn
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}', 'main')"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let columns = columns.join(", ");
        conn.execute_batch(&format!(
            "DELETE FROM main.{table}; INSERT INTO main.{table} ({columns}) SELECT {columns} FROM src.{table};"
        ))
        .unwrap();
        copied.push(table);
    }
    conn.execute_batch("COMMIT; DETACH DATABASE src").unwrap();
    serve_mode(&conn);
    drop(conn);
    println!(
        "before-issue database: migrated by {}, {} shared tables copied ({}): {:.1} s, {:.0} MiB",
        bin.display(),
        copied.len(),
        copied.join(", "),
        started.elapsed().as_secs_f64(),
        mib(file_size(path))
    );
}

/// Signs in; the session cookie to send.
async fn sign_in(client: &reqwest::Client, base: &str, phone: &str) -> String {
    let response = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "phone": phone, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "sign-in of {phone}: {}",
        response.status()
    );
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sotay_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

async fn get(client: &reqwest::Client, url: &str, cookie: &str) -> Vec<u8> {
    let response = client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(status.is_success(), "GET {url}: {status}");
    response.bytes().await.unwrap().to_vec()
}

/// Median and p95 (nearest rank) in ms.
fn summary(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    let median = if n % 2 == 1 {
        ms[n / 2]
    } else {
        (ms[n / 2 - 1] + ms[n / 2]) / 2.0
    };
    let p95 = ms[((n as f64 * 0.95).ceil() as usize).clamp(1, n) - 1];
    (median, p95)
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

/// Times `runs` GETs after `warm` untimed ones.
async fn time_get(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    warm: usize,
    runs: usize,
) -> (Vec<f64>, Vec<u8>) {
    let mut last = get(client, url, cookie).await;
    for _ in 1..warm {
        last = get(client, url, cookie).await;
    }
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        last = get(client, url, cookie).await;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    (ms, last)
}

/// Times `runs` calls after one untimed one.
fn time_plain<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut last = f();
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        last = f();
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    (ms, last)
}

fn line(label: &str, kept: &[f64], plain: &[f64], budget: Option<(f64, &str)>) {
    let (km, kp) = summary(kept.to_vec());
    let (pm, pp) = summary(plain.to_vec());
    let budget = match budget {
        Some((limit, shown)) => format!(
            "budget p95 < {shown}: {}",
            if kp < limit { "ok" } else { "MISSED" }
        ),
        None => "no budget".into(),
    };
    println!(
        "{label}: median {} p95 {} (n={}) | plain GROUP BY: median {} p95 {} (n={}) | ratio {:.4} | {budget}",
        show_ms(km),
        show_ms(kp),
        kept.len(),
        show_ms(pm),
        show_ms(pp),
        plain.len(),
        km / pm
    );
}

/// The server's own read of a dashboard, in-process on a connection opened as the server opens
/// its readers, and the answer's JSON: where a request's time goes besides HTTP.
fn in_process(path: &Path, scope: Scope, unit: i64, period: Period, runs: usize) -> String {
    let conn = db::connect(path).unwrap();
    let (read_ms, figures) = time_plain(runs, || {
        figures::unit_figures(&conn, scope, unit, period).unwrap()
    });
    let (json_ms, _) = time_plain(runs, || serde_json::to_vec(&figures).unwrap().len());
    let (rm, rp) = summary(read_ms);
    let (jm, jp) = summary(json_ms);
    format!(
        "  of which in-process, no HTTP: figures::unit_figures median {} p95 {}; its JSON median {} p95 {}",
        show_ms(rm),
        show_ms(rp),
        show_ms(jm),
        show_ms(jp)
    )
}

/// The visits the devices push in one round (`PUSH_VISITS` over `PUSH_ROUNDS`): each device
/// is one member of a different village of the staff's commune, logging visits of the last 45
/// days, half to households the village knows, half to new ones.
fn push_batches(province: &Province, s: &Settings, round: u64) -> Vec<Device> {
    let mut rng = Rng(77 + round);
    let now = now_ms();
    let villages: Vec<&Village> = province
        .villages
        .iter()
        .take(province.villages.len() / province.communes.len())
        .collect();
    (0..s.push_devices)
        .map(|d| {
            let village = villages[d % villages.len()];
            let (_, phone) = &village.members[(d / villages.len() + 1) % village.members.len()];
            let per_round = s.push_visits / s.push_rounds;
            let count = per_round / s.push_devices + usize::from(d < per_round % s.push_devices);
            let mut records: Vec<VisitRecord> = (0..count)
                .map(|i| {
                    let at = now - 45 * DAY_MS + rng.below(44 * 24 * 3600) as i64 * 1000;
                    let household = if i % 2 == 0 {
                        village.households[rng.below(village.households.len())].clone()
                    } else {
                        Household {
                            id: rng.uuid7(at),
                            head_name: rng.name(),
                            address: format!("Số {}, xóm mới", i + 1),
                            phone: Some(format!("08{:08}", rng.below(100_000_000))),
                            business: rng.percent(8.0),
                        }
                    };
                    VisitRecord {
                        id: rng.uuid7(at),
                        version: 1,
                        base_version: 0,
                        revision: Some(rng.uuid7(at)),
                        base_revision: None,
                        household: household.input(),
                        visited_at: at,
                        activities: rng.activities(),
                        outcome: Outcome::Done,
                        follow_up_on: None,
                        note: NOTES[rng.below(NOTES.len())].into(),
                        village_id: None,
                        withdrawn: false,
                        difficulty: None,
                    }
                })
                .collect();
            records.sort_by_key(|r| r.visited_at);
            let ids = records.iter().map(|r| r.id).collect();
            let bodies = records
                .chunks(s.push_batch)
                .map(|batch| serde_json::to_vec(&json!({ "visits": batch })).unwrap())
                .collect();
            Device {
                phone: phone.clone(),
                bodies,
                ids,
            }
        })
        .collect()
}

/// One member's phone pushing: the JSON of its batches, and the ids of the visits in them.
#[derive(Clone)]
struct Device {
    phone: String,
    bodies: Vec<Vec<u8>>,
    ids: Vec<Uuid>,
}

/// A server's signed-in devices and commune staff.
struct Session {
    client: reqwest::Client,
    base: String,
    devices: Vec<String>,
    staff: String,
}

impl Session {
    async fn open(server: &ChildServer, devices: &[Device]) -> Session {
        let client = reqwest::Client::new();
        let mut cookies = Vec::new();
        for device in devices {
            cookies.push(sign_in(&client, &server.base, &device.phone).await);
        }
        let staff = sign_in(&client, &server.base, COMMUNE_STAFF_PHONE).await;
        Session {
            client,
            base: server.base.clone(),
            devices: cookies,
            staff,
        }
    }
}

/// Seconds to push one round of visits, and to approve them.
#[derive(Clone, Copy, Default)]
struct Took {
    visits: usize,
    push: f64,
    approve: f64,
}

impl std::ops::AddAssign for Took {
    fn add_assign(&mut self, other: Took) {
        self.visits += other.visits;
        self.push += other.push;
        self.approve += other.approve;
    }
}

/// The devices push their batches at once; then commune staff approve every visit pushed, by
/// ids, as the approval queue's bulk approval does.
async fn push_and_approve(session: &Session, devices: &[Device], s: &Settings) -> Took {
    let (client, base) = (&session.client, &session.base);
    let total: usize = devices.iter().map(|d| d.ids.len()).sum();
    let started = Instant::now();
    let pushes = devices
        .iter()
        .zip(&session.devices)
        .map(|(device, cookie)| async move {
            let mut applied = 0usize;
            for body in &device.bodies {
                let response = client
                    .post(format!("{base}/api/sync/push"))
                    .header("cookie", cookie)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let answer: Value = response.json().await.unwrap();
                assert!(status.is_success(), "push: {status} {answer}");
                applied += answer["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r["result"] == "applied")
                    .count();
            }
            applied
        });
    let applied: usize = futures::future::join_all(pushes).await.into_iter().sum();
    let push = started.elapsed().as_secs_f64();
    assert_eq!(applied, total, "{base}: every pushed visit is applied");

    let ids: Vec<Uuid> = devices.iter().flat_map(|d| d.ids.iter().copied()).collect();
    let started = Instant::now();
    let queue: Value = serde_json::from_slice(
        &get(
            client,
            &format!("{base}/api/review/queue?kind=submitted&limit=1"),
            &session.staff,
        )
        .await,
    )
    .unwrap();
    let as_of = queue["as_of"].as_i64().expect("the queue's as_of");
    let mut approved = 0;
    for chunk in ids.chunks(s.approve_ids) {
        let response = client
            .post(format!("{base}/api/review/approve"))
            .header("cookie", &session.staff)
            .json(&json!({ "ids": chunk, "as_of": as_of }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap();
        assert!(status.is_success(), "approve: {status} {answer}");
        approved += answer["approved"].as_u64().unwrap_or(0) as usize;
    }
    let approve = started.elapsed().as_secs_f64();
    assert_eq!(approved, total, "{base}: every pushed visit is approved");
    Took {
        visits: total,
        push,
        approve,
    }
}

fn memory(pid: u32) -> String {
    let field = |name: &str| {
        support::status_kb(pid, name)
            .map_or("?".to_string(), |kb| format!("{:.1} MiB", kb / 1024.0))
    };
    format!("VmRSS {}, VmHWM {}", field("VmRSS"), field("VmHWM"))
}

#[tokio::main]
async fn main() {
    let run_started = Instant::now();
    let s = Settings::from_env();
    let dir = match &s.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).unwrap();
            tempfile::tempdir_in(dir).unwrap()
        }
        None => tempfile::tempdir().unwrap(),
    };
    println!(
        "machine: {} cores, {:.1} GiB; load average before: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/meminfo")
            .unwrap_or_default()
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1_048_576.0,
        support::loadavg()
    );
    println!(
        "settings: VISITS={} COMMUNES={} VILLAGES_PER_COMMUNE={} MEMBERS_PER_TEAM={} HOUSEHOLDS_PER_VILLAGE={} PERIOD={} PUSH_VISITS={} PUSH_ROUNDS={} PUSH_DEVICES={} PUSH_BATCH={}; server {}; files in {}",
        s.visits,
        s.communes,
        s.villages_per_commune,
        s.members_per_team,
        s.households_per_village,
        s.period.key(),
        s.push_visits,
        s.push_rounds,
        s.push_devices,
        s.push_batch,
        s.bin.display(),
        dir.path().display()
    );

    // 1. The data and the kept figures.
    let started = Instant::now();
    let hash = password_auth::generate_hash(PASSWORD);
    let path = dir.path().join("figures.db");
    let province = generate(&path, &s, &hash);
    let mut conn = db::connect(&path).unwrap();
    build_figures(&mut conn);
    check_sample(&conn, &province, s.period);
    drop(conn);
    println!(
        "generated in {:.1} s; database file {:.0} MiB",
        started.elapsed().as_secs_f64(),
        mib(file_size(&path))
    );
    let before_path = dir.path().join("before.db");
    if let Some(bin) = &s.before_bin {
        copy_for_before(&path, &before_path, bin);
    }
    // The bulk loads left gigabytes of dirty pages: written out now, they do not slow the
    // servers' commits (synchronous = FULL) while they are measured.
    let started = Instant::now();
    for file in [&path, &before_path].into_iter().filter(|p| p.exists()) {
        std::fs::File::open(file).unwrap().sync_all().unwrap();
    }
    println!(
        "databases flushed to disk: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 2. Reads over HTTP against the release binary, and the plain GROUP BY beside them.
    let server = ChildServer::start(
        &s.bin,
        &path,
        dir.path(),
        "current",
        &[],
        Duration::from_secs(300),
    )
    .await;
    let client = reqwest::Client::new();
    let province_staff = sign_in(&client, &server.base, PROVINCE_STAFF_PHONE).await;
    let commune_staff = sign_in(&client, &server.base, COMMUNE_STAFF_PHONE).await;
    let plain_conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap();
    plain_conn.busy_timeout(Duration::from_secs(10)).unwrap();
    plain_conn
        .pragma_update(None, "foreign_keys", "ON")
        .unwrap();
    let key = s.period.key();
    let span = s.period.span_ms();
    let (commune, commune_name) = province.staff_commune.clone();

    let url = format!(
        "{}/api/units/{}/figures?period={key}",
        server.base, province.id
    );
    let (kept_ms, answer) = time_get(&client, &url, &province_staff, 20, s.dashboard_runs).await;
    let (plain_ms, plain_answer) =
        time_plain(s.plain_runs, || plain(&plain_conn, province.id, span));
    check_dashboard(
        "province dashboard",
        &serde_json::from_slice(&answer).unwrap(),
        &plain_answer,
    );
    line(
        &format!(
            "province dashboard {key} ({}, {} communes, {} bytes of JSON)",
            province.name,
            province.communes.len(),
            answer.len()
        ),
        &kept_ms,
        &plain_ms,
        Some((10.0, "10 ms")),
    );
    println!(
        "{}",
        in_process(
            &path,
            Scope::Province(province.id),
            province.id,
            s.period,
            s.dashboard_runs
        )
    );

    let url = format!("{}/api/units/{commune}/figures?period={key}", server.base);
    let (kept_ms, answer) = time_get(&client, &url, &commune_staff, 20, s.dashboard_runs).await;
    let (plain_ms, plain_answer) = time_plain(s.plain_runs, || plain(&plain_conn, commune, span));
    check_dashboard(
        "commune dashboard",
        &serde_json::from_slice(&answer).unwrap(),
        &plain_answer,
    );
    line(
        &format!(
            "commune dashboard {key} ({commune_name}, {} villages)",
            s.villages_per_commune
        ),
        &kept_ms,
        &plain_ms,
        None,
    );
    println!(
        "{}",
        in_process(
            &path,
            Scope::Commune(commune),
            commune,
            s.period,
            s.dashboard_runs
        )
    );

    let url = format!(
        "{}/api/units/{}/report?period={key}&format=xlsx",
        server.base, province.id
    );
    let (kept_ms, file) = time_get(&client, &url, &province_staff, 2, s.export_runs).await;
    let (plain_ms, _) = time_plain(s.plain_export_runs, || {
        let mut rows = vec![plain(&plain_conn, province.id, span)];
        for commune in &province.communes {
            rows.push(plain(&plain_conn, *commune, span));
        }
        rows
    });
    line(
        &format!(
            "province XLSX export {key} (1 + {} + {} rows, {} KiB)",
            province.communes.len(),
            province.villages.len(),
            file.len() / 1024
        ),
        &kept_ms,
        &plain_ms,
        Some((1000.0, "1 s")),
    );
    drop(plain_conn);

    // 3. Push and approval, with the figures kept and before the issue, in rounds of fresh
    // visits taken in turn (current, before; before, current; ...) so that a change in the
    // machine's load weighs on both alike.
    let before_server = match &s.before_bin {
        Some(bin) => Some(
            ChildServer::start(
                bin,
                &before_path,
                dir.path(),
                "before",
                &[],
                Duration::from_secs(300),
            )
            .await,
        ),
        None => None,
    };
    let first_round = push_batches(&province, &s, 0);
    let current_session = Session::open(&server, &first_round).await;
    let before_session = match &before_server {
        Some(server) => Some(Session::open(server, &first_round).await),
        None => None,
    };
    let (mut current, mut before) = (Took::default(), Took::default());
    let mut rounds = Vec::new();
    for round in 0..s.push_rounds {
        let devices = if round == 0 {
            first_round.clone()
        } else {
            push_batches(&province, &s, round as u64)
        };
        let mut order = vec![(&current_session, true)];
        if let Some(session) = &before_session {
            order.push((session, false));
        }
        if round % 2 == 1 {
            order.reverse();
        }
        let mut took = [Took::default(); 2];
        for (session, is_current) in order {
            let t = push_and_approve(session, &devices, &s).await;
            took[usize::from(!is_current)] = t;
        }
        current += took[0];
        before += took[1];
        rounds.push(took);
    }
    // 4. Memory after the run.
    let used = memory(server.pid());
    drop(server);
    if let Some(server) = before_server {
        drop(server);
    }
    let rate = |t: &Took, secs: f64| t.visits as f64 / secs;
    let per_round = |f: &dyn Fn(&Took) -> f64| {
        rounds
            .iter()
            .map(|[c, b]| {
                if s.before_bin.is_some() {
                    format!("{:.0}/{:.0}", f(c), f(b))
                } else {
                    format!("{:.0}", f(c))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let compare = |now: f64, then: f64, budget: Option<f64>| {
        if s.before_bin.is_none() {
            return "before the issue: not measured (set SOTAY_BEFORE_BIN)".to_string();
        }
        format!(
            "before the issue {then:.0}/s | ratio {:.2} | {}",
            now / then,
            match budget {
                Some(b) => format!(
                    "budget >= {b}: {}",
                    if now >= b * then { "ok" } else { "MISSED" }
                ),
                None => "no budget".into(),
            }
        )
    };
    let (push_now, push_then) = (rate(&current, current.push), rate(&before, before.push));
    println!(
        "push {} visits over HTTP in {} rounds of {} ({} devices at once, batches of {}; they arrive submitted): {push_now:.0} visits/s | {} (rounds, current/before: {})",
        current.visits,
        s.push_rounds,
        current.visits / s.push_rounds.max(1),
        s.push_devices,
        s.push_batch,
        compare(push_now, push_then, Some(0.8)),
        per_round(&|t| rate(t, t.push))
    );
    let (approve_now, approve_then) = (
        rate(&current, current.approve),
        rate(&before, before.approve),
    );
    println!(
        "bulk approval of them by commune staff ({} ids a request, 100 per write; the kept figures are written here): {approve_now:.0} approvals/s | {} (rounds: {})",
        s.approve_ids,
        compare(approve_now, approve_then, None),
        per_round(&|t| rate(t, t.approve))
    );
    println!("server memory after the run (current binary): {used}");
    println!(
        "total {:.0} s; load average after: {}",
        run_started.elapsed().as_secs_f64(),
        support::loadavg()
    );
    if s.keep {
        let kept = dir.keep();
        println!("files kept in {}", kept.display());
    }
}
