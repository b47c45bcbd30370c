//! Fuzzing the decoding and validation of sync batches, on the stable toolchain: a bounded
//! property-based harness (proptest) rather than a coverage-guided fuzzer, so it runs on a
//! new machine with nothing but the project's toolchain, in CI, for a bounded time.
//!
//! Two kinds of input go through what `POST /api/sync/push` does with a body once it is read
//! (`server::error::parse_json`, then `server::db::visits::push` into a database with the
//! demo data):
//! - bytes: random bytes, and valid batches cut short or with bytes flipped;
//! - batches of visits whose fields are replaced by values of any JSON type and size (long
//!   and odd Unicode, numbers at the edges, deep nesting, lists of dozens of activities);
//! - one visit with thousands of distinct activities (up to a 2 MB body).
//!
//! Every input must end in an answer — a refusal or a result per record — without a panic,
//! each within [`PER_INPUT`]; after each, the database holds only acknowledged revisions.
//! `FUZZ_SECONDS` (default 20) bounds the run; the counts are printed:
//! `FUZZ_SECONDS=60 cargo test -p server --features app/ssr --test fuzz_sync -- --ignored --nocapture`

use std::cell::RefCell;
use std::time::{Duration, Instant};

use app::api::{PushOutcome, PushRequest};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::Connection;
use serde_json::{json, Value};
use server::db::{demo, users, visits};
use uuid::Uuid;

/// The most one input may take (a debug build, up to 7 records or 2 KiB of bytes): no input
/// may cost more than in proportion to its size.
const PER_INPUT: Duration = Duration::from_secs(2);

fn a_visit(n: u128) -> Value {
    json!({
        "id": Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 + n),
        "version": 1,
        "base_version": 0,
        "household": {
            "id": Uuid::from_u128(0x0193_0000_0000_7000_9000_0000_0000_0000 + n),
            "head_name": "Nguyễn Văn An",
            "address": "Số 12, Thôn Hội Khánh",
            "phone": "0912 345 678",
            "phone_consent": true
        },
        "visited_at": 1_780_000_000_000i64,
        "activities": [
            { "code": "public_service_account", "detail": "VNeID mức 2", "people": 2 },
            { "code": "epayment_account", "people": 1 }
        ],
        "outcome": "done",
        "note": ""
    })
}

/// Where a mutation may land in a visit.
const PATHS: &[&[&str]] = &[
    &["id"],
    &["version"],
    &["base_version"],
    &["revision"],
    &["base_revision"],
    &["household"],
    &["household", "id"],
    &["household", "head_name"],
    &["household", "address"],
    &["household", "phone"],
    &["household", "phone_consent"],
    &["household", "business"],
    &["visited_at"],
    &["activities"],
    &["outcome"],
    &["follow_up_on"],
    &["note"],
    &["village_id"],
    &["withdrawn"],
    &["difficulty"],
    &["difficulty", "category"],
    &["unknown_field"],
];

/// Text of any kind: Vietnamese, control characters, emoji, very long.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[\\u{0}-\\u{1f}\\u{7f}\\u{200b}\\u{feff}]{0,20}",
        "[a-zA-Zàáạảãăằắặẳẵâầấậẩẫđèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹ ]{0,300}",
        (1usize..20_000).prop_map(|n| "Ā".repeat(n)),
        Just("2026-02-30".to_string()),
        Just("follow_up".to_string()),
        Just("epayment_account".to_string()),
    ]
}

/// A JSON value of any type.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(0i64),
            Just(-1),
            Just(u32::MAX as i64 + 1),
            Just(i64::MAX),
            Just(i64::MIN)
        ]
        .prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::from),
        Just(json!(Uuid::nil())),
    ];
    leaf.prop_recursive(4, 64, 40, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..40).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Many activities, known codes and junk, repeated: the list validation must stay linear.
fn activities() -> impl Strategy<Value = Value> {
    let code = prop_oneof![
        Just("epayment_account".to_string()),
        Just("health_app".to_string()),
        Just("information".to_string()),
        "[a-z_]{1,20}",
    ];
    prop::collection::vec((code, 0u32..200, proptest::option::of(text())), 0..80).prop_map(|list| {
        Value::Array(
            list.into_iter()
                .map(|(code, people, detail)| json!({"code": code, "people": people, "detail": detail}))
                .collect(),
        )
    })
}

fn set(visit: &mut Value, path: &[&str], new: Value) {
    let (last, parents) = path.split_last().expect("a path");
    let mut at = visit;
    for key in parents {
        if !at.get(*key).is_some_and(Value::is_object) {
            at[*key] = json!({});
        }
        at = &mut at[*key];
    }
    at[*last] = new;
}

/// A value of the type the field at `PATHS[path]` has, at the edges of what it may hold.
fn typed(path: usize) -> BoxedStrategy<Value> {
    let uuid = prop_oneof![
        any::<u128>().prop_map(|n| json!(Uuid::from_u128(n))),
        Just(json!(Uuid::nil())),
        Just(json!("01930000-0000-7000-8000-000000000001")),
    ];
    let count = prop_oneof![
        Just(0u64),
        Just(1),
        Just(2),
        Just(u64::from(u32::MAX)),
        any::<u32>().prop_map(u64::from)
    ];
    match PATHS[path].last().copied().unwrap_or_default() {
        "id" | "revision" | "base_revision" => uuid.prop_map(|v| v).boxed(),
        "version" | "base_version" | "village_id" => count.prop_map(Value::from).boxed(),
        "visited_at" => prop_oneof![
            Just(i64::MIN),
            Just(0i64),
            Just(1_780_000_000_000),
            Just(1_900_000_000_000),
            any::<i64>()
        ]
        .prop_map(Value::from)
        .boxed(),
        "activities" => activities().boxed(),
        "outcome" => prop_oneof![
            Just(json!("done")),
            Just(json!("follow_up")),
            Just(json!("not_home")),
            text().prop_map(Value::from)
        ]
        .boxed(),
        "phone_consent" | "business" | "withdrawn" => any::<bool>().prop_map(Value::from).boxed(),
        "difficulty" => (text(), text())
            .prop_map(|(category, note)| json!({"category": category, "note": note}))
            .boxed(),
        _ => prop_oneof![Just(Value::Null), text().prop_map(Value::from)].boxed(),
    }
}

/// A batch of 1 to 7 visits, each with up to 3 fields replaced: mostly by a value of the
/// field's type (so the batch decodes and validation is what is tried), sometimes by any.
fn mutated_batch() -> impl Strategy<Value = Vec<u8>> {
    let mutation = prop_oneof![
        12 => (0..PATHS.len()).prop_flat_map(|path| (Just(path), typed(path))),
        1 => (0..PATHS.len(), value()),
    ];
    prop::collection::vec(prop::collection::vec(mutation, 0..4), 1..8).prop_map(|visits| {
        let batch: Vec<Value> = visits
            .into_iter()
            .enumerate()
            .map(|(n, mutations)| {
                let mut visit = a_visit(n as u128);
                for (path, new) in mutations {
                    set(&mut visit, PATHS[path], new);
                }
                visit
            })
            .collect();
        serde_json::to_vec(&json!({ "visits": batch })).unwrap()
    })
}

/// One visit listing thousands of activities (a 2 MB body at most), known codes repeated or
/// codes all different: the case that once kept the writer busy for seconds.
fn huge_activities() -> impl Strategy<Value = Vec<u8>> {
    (1_000usize..31_500, any::<bool>()).prop_map(|(n, known)| {
        const KNOWN: [&str; 3] = ["information", "epayment_account", "health_app"];
        let mut visit = a_visit(0);
        visit["activities"] = Value::Array(
            (0..n)
                .map(|i| {
                    let code = if known {
                        KNOWN[i % KNOWN.len()].to_string()
                    } else {
                        format!("c{i}")
                    };
                    json!({"code": code, "people": 1})
                })
                .collect(),
        );
        serde_json::to_vec(&json!({ "visits": [visit] })).unwrap()
    })
}

/// Random bytes, and valid batches cut short or with a few bytes changed.
fn broken_bytes() -> impl Strategy<Value = Vec<u8>> {
    let valid = serde_json::to_vec(&json!({ "visits": [a_visit(1), a_visit(2)] })).unwrap();
    let length = valid.len();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        (0..length).prop_map({
            let valid = valid.clone();
            move |cut| valid[..cut].to_vec()
        }),
        prop::collection::vec((0..length, any::<u8>()), 1..8).prop_map(move |flips| {
            let mut bytes = valid.clone();
            for (at, byte) in flips {
                bytes[at] = byte;
            }
            bytes
        }),
    ]
}

struct World {
    conn: Connection,
    pusher: visits::Pusher,
}

impl World {
    fn new() -> Self {
        let mut conn = Connection::open_in_memory().unwrap();
        server::db::migrate(&mut conn).unwrap();
        demo::seed(&mut conn, || "not-a-real-hash".into(), 1).unwrap();
        let user = users::login_record(&conn, "0900000012", 1)
            .unwrap()
            .unwrap()
            .user;
        let account = users::account(&conn, user).unwrap().unwrap();
        Self {
            pusher: visits::Pusher::of(&account),
            conn,
        }
    }
}

#[derive(Default)]
struct Tally {
    inputs: u64,
    decoded: u64,
    refused: u64,
    acknowledged: u64,
    rejected: u64,
    slowest: Duration,
}

/// What the push route does with a body once read; every acknowledged revision is stored.
fn push(world: &mut World, bytes: &[u8], tally: &mut Tally) -> Result<(), TestCaseError> {
    let started = Instant::now();
    tally.inputs += 1;
    match server::error::parse_json::<PushRequest>(bytes) {
        Err(_) => tally.refused += 1,
        Ok(request) => {
            tally.decoded += 1;
            if request.visits.len() <= app::api::MAX_PUSH_BATCH {
                let before: i64 = world
                    .conn
                    .query_row("SELECT COUNT(*) FROM visit_revisions", [], |r| r.get(0))
                    .unwrap();
                let results = visits::push(
                    &mut world.conn,
                    world.pusher,
                    &request.visits,
                    1_780_000_100_000,
                )
                .map_err(|e| TestCaseError::fail(format!("push failed: {e}")))?;
                prop_assert_eq!(results.len(), request.visits.len());
                let stored = results
                    .iter()
                    .filter(|r| {
                        !matches!(r.result, PushOutcome::Rejected | PushOutcome::AlreadyHad)
                    })
                    .count() as i64;
                let after: i64 = world
                    .conn
                    .query_row("SELECT COUNT(*) FROM visit_revisions", [], |r| r.get(0))
                    .unwrap();
                prop_assert_eq!(after - before, stored, "every stored revision acknowledged");
                for r in &results {
                    if r.result.is_acknowledged() {
                        tally.acknowledged += 1;
                    } else {
                        tally.rejected += 1;
                    }
                }
            }
        }
    }
    let took = started.elapsed();
    tally.slowest = tally.slowest.max(took);
    prop_assert!(took <= PER_INPUT, "one input took {took:?}");
    Ok(())
}

#[test]
#[ignore = "run by scripts/test.sh with --nocapture, so the counts are printed"]
fn no_sync_batch_panics_or_takes_long_and_only_acknowledged_revisions_are_stored() {
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let world = RefCell::new(World::new());
    let tally = RefCell::new(Tally::default());
    let input = prop_oneof![30 => mutated_batch(), 10 => broken_bytes(), 1 => huge_activities()];
    // Rounds of 64 inputs until the time is up; a failure is shrunk within its round.
    while Instant::now() < deadline {
        let mut runner = TestRunner::new(Config {
            cases: 64,
            failure_persistence: None,
            max_shrink_iters: 200,
            ..Config::default()
        });
        runner
            .run(&input, |bytes| {
                let mut tally = tally.borrow_mut();
                // A fresh database now and then, so the bounds on revisions (reached on the
                // same few visit ids) do not end up refusing everything.
                if tally.inputs % 300 == 299 {
                    *world.borrow_mut() = World::new();
                }
                push(&mut world.borrow_mut(), &bytes, &mut tally)
            })
            .unwrap();
    }
    let tally = tally.into_inner();
    println!(
        "fuzz sync batches: {} inputs in {seconds} s: {} refused whole, {} decoded ({} records acknowledged, {} rejected); slowest input {:?}; 0 panics",
        tally.inputs, tally.refused, tally.decoded, tally.acknowledged, tally.rejected, tally.slowest
    );
    assert!(tally.inputs > 100, "the harness ran");
    assert!(
        tally.acknowledged > 0 && tally.rejected > 0,
        "both kinds of answer were reached"
    );
}
