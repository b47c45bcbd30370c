//! Property tests of the merge core (`db::visits::push` and `review` on a real SQLite schema):
//! for any interleaving of edits on several devices of one member, batches sent in pieces,
//! duplicated, reordered and retried after lost acknowledgements, and approvals in between,
//! the server ends in the state the documented rule predicts, keeps every revision exactly
//! once, and has everything it ever acknowledged.

use std::collections::{HashMap, HashSet};

use app::api::{PushOutcome, ReviewAction};
use app::domain::policy::Scope;
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use proptest::prelude::*;
use rusqlite::Connection;
use server::db::{self, demo, users, visits, StoreError};
use uuid::Uuid;

const DEVICES: usize = 3;
const VISITS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// A device edits (or creates) a visit: version + 1 from its own last version.
    Edit { device: usize, visit: usize },
    /// A device sends some of its unacknowledged revisions.
    Push {
        device: usize,
        picks: Vec<usize>,
        duplicate: bool,
        reverse: bool,
        lose_ack: bool,
    },
    /// Commune staff approve a visit (if it is awaiting review).
    Approve { visit: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..DEVICES, 0..VISITS).prop_map(|(device, visit)| Op::Edit { device, visit }),
        3 => (0..DEVICES, prop::collection::vec(0..8usize, 0..6), any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(device, picks, duplicate, reverse, lose_ack)| Op::Push { device, picks, duplicate, reverse, lose_ack }),
        1 => (0..VISITS).prop_map(|visit| Op::Approve { visit }),
    ]
}

/// A revision: visit, version, base, and a content tag that makes it unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Rev {
    visit: usize,
    version: u32,
    base: u32,
    content: String,
}

/// The documented rule, written independently of the server's code.
#[derive(Default)]
struct Model {
    current: HashMap<usize, Rev>,
    approved: HashSet<usize>,
    history: HashSet<Rev>,
}

impl Model {
    fn apply(&mut self, rev: &Rev) -> PushOutcome {
        let Some(current) = self.current.get(&rev.visit).cloned() else {
            self.current.insert(rev.visit, rev.clone());
            self.history.insert(rev.clone());
            return PushOutcome::Applied;
        };
        if self.history.contains(rev) {
            return PushOutcome::AlreadyHad;
        }
        self.history.insert(rev.clone());
        if self.approved.contains(&rev.visit) {
            PushOutcome::Locked
        } else if rev.version <= current.version {
            PushOutcome::Stale
        } else if rev.base == current.version {
            self.current.insert(rev.visit, rev.clone());
            PushOutcome::Applied
        } else {
            PushOutcome::Conflict
        }
    }
}

struct World {
    conn: Connection,
    pusher: visits::Pusher,
    staff: Uuid,
    commune: i64,
    ids: Vec<Uuid>,
    households: Vec<Uuid>,
    clock: i64,
}

impl World {
    fn new() -> Self {
        let mut conn = Connection::open_in_memory().unwrap();
        db::migrate(&mut conn).unwrap();
        demo::seed(&mut conn, || "not-a-real-hash".into(), 1).unwrap();
        let member = users::login_record(&conn, "0900000012", 1)
            .unwrap()
            .unwrap()
            .user;
        let staff = users::login_record(&conn, "0900000002", 1)
            .unwrap()
            .unwrap()
            .user;
        let pusher = visits::Pusher::of(&users::account(&conn, member).unwrap().unwrap());
        let commune = db::units::commune_id(&conn, demo::DEMO_COMMUNE_CODE).unwrap();
        Self {
            conn,
            pusher,
            staff,
            commune,
            ids: (0..VISITS).map(|_| Uuid::now_v7()).collect(),
            households: (0..VISITS).map(|_| Uuid::now_v7()).collect(),
            clock: 1_780_000_000_000,
        }
    }

    fn record(&self, rev: &Rev) -> VisitRecord {
        VisitRecord {
            id: self.ids[rev.visit],
            version: rev.version,
            base_version: rev.base,
            household: HouseholdInput {
                id: self.households[rev.visit],
                head_name: "Nguyễn Văn An".into(),
                address: "Số 1".into(),
                phone: None,
                phone_consent: true,
                business: false,
            },
            visited_at: 1_770_000_000_000,
            activities: vec![ActivityDone {
                code: "health_app".into(),
                detail: None,
                people: 1,
            }],
            outcome: Outcome::Done,
            follow_up_on: None,
            note: rev.content.clone(),
            village_id: None,
            withdrawn: false,
            difficulty: None,
        }
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut world = World::new();
    let mut model = Model::default();
    // Each device: its last version of each visit, and revisions not yet acknowledged.
    let mut last: Vec<HashMap<usize, u32>> = vec![HashMap::new(); DEVICES];
    let mut outbox: Vec<Vec<Rev>> = vec![Vec::new(); DEVICES];
    let mut acknowledged: HashSet<Rev> = HashSet::new();
    let mut counter = 0;

    for op in ops {
        world.clock += 1000;
        match op {
            Op::Edit { device, visit } => {
                counter += 1;
                let base = last[device].get(&visit).copied().unwrap_or(0);
                let rev = Rev {
                    visit,
                    version: base + 1,
                    base,
                    content: format!("d{device}-n{counter}"),
                };
                last[device].insert(visit, rev.version);
                outbox[device].push(rev);
            }
            Op::Push {
                device,
                picks,
                duplicate,
                reverse,
                lose_ack,
            } => {
                let queue = &outbox[device];
                if queue.is_empty() {
                    continue;
                }
                let mut batch: Vec<Rev> = picks
                    .iter()
                    .map(|i| queue[i % queue.len()].clone())
                    .collect();
                if duplicate {
                    batch.extend(batch.clone());
                }
                if reverse {
                    batch.reverse();
                }
                let records: Vec<_> = batch.iter().map(|r| world.record(r)).collect();
                let results =
                    visits::push(&mut world.conn, world.pusher, &records, world.clock).unwrap();
                prop_assert_eq!(results.len(), batch.len());
                for (rev, result) in batch.iter().zip(&results) {
                    let expected = model.apply(rev);
                    prop_assert_eq!(result.result, expected, "{:?}", rev);
                    prop_assert!(result.result.is_acknowledged());
                    if !lose_ack {
                        acknowledged.insert(rev.clone());
                    }
                }
                if !lose_ack {
                    outbox[device].retain(|r| !batch.contains(r));
                }
            }
            Op::Approve { visit } => {
                let id = world.ids[visit];
                let outcome = visits::review(
                    &mut world.conn,
                    Scope::Commune(world.commune),
                    id,
                    world.staff,
                    ReviewAction::Approve,
                    None,
                    world.clock,
                );
                let approved = match outcome {
                    Ok(()) => true,
                    Err(StoreError::NotFound | StoreError::Conflict { .. }) => false,
                    Err(other) => panic!("{other}"),
                };
                let awaiting =
                    model.current.contains_key(&visit) && !model.approved.contains(&visit);
                prop_assert_eq!(approved, awaiting);
                if awaiting {
                    model.approved.insert(visit);
                }
            }
        }
    }

    // The current revision of every visit is the one the rule picks.
    for (visit, rev) in &model.current {
        let (version, note, status): (u32, String, String) = world
            .conn
            .query_row(
                "SELECT version, note, status FROM visits WHERE id = ?1",
                [world.ids[*visit].to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        prop_assert_eq!((version, &note), (rev.version, &rev.content));
        let expected_status = if model.approved.contains(visit) {
            "approved"
        } else {
            "submitted"
        };
        prop_assert_eq!(status, expected_status);
    }
    let visits: i64 = world
        .conn
        .query_row("SELECT COUNT(*) FROM visits", [], |r| r.get(0))
        .unwrap();
    prop_assert_eq!(visits as usize, model.current.len());

    // Every revision received is in the history exactly once, and nothing else is.
    let stored: Vec<(String, u32, String)> = world
        .conn
        .prepare("SELECT visit_id, version, json_extract(payload, '$.note') FROM visit_revisions")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let stored_set: HashSet<_> = stored.iter().cloned().collect();
    prop_assert_eq!(stored.len(), stored_set.len(), "no revision stored twice");
    let expected: HashSet<_> = model
        .history
        .iter()
        .map(|r| (world.ids[r.visit].to_string(), r.version, r.content.clone()))
        .collect();
    prop_assert_eq!(&stored_set, &expected);

    // Nothing acknowledged is missing.
    for rev in &acknowledged {
        prop_assert!(stored_set.contains(&(
            world.ids[rev.visit].to_string(),
            rev.version,
            rev.content.clone()
        )));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_interleaving_of_pushes_edits_and_approvals_ends_where_the_rule_says(ops in prop::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}
