//! Property tests of the merge core (`db::visits::push`, `review` and `resolve` on a real
//! SQLite schema): for any interleaving of edits on several devices of one member (one of them
//! a client before protocol 2, which names no revisions), devices learning the server's
//! current revision, batches sent in pieces, duplicated, reordered and retried after lost
//! acknowledgements, approvals, returns, amendment decisions, settled conflicts and household
//! merges in between, the server ends in the state the documented rule predicts (every visit
//! naming its household's survivor), keeps every revision exactly once, and has everything it
//! ever acknowledged. The generated runs must reach every rule:
//! a run that never produced a conflict (or a stale, locked... answer) proves nothing about it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use app::api::{PushOutcome, ReviewAction};
use app::domain::policy::Scope;
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::Connection;
use server::db::audit::By;
use server::db::{self, demo, users, visits, StoreError};
use uuid::Uuid;

const DEVICES: usize = 3;
/// Device 2 runs the app before protocol 2: its revisions name no revision.
const LEGACY_DEVICE: usize = 2;
const VISITS: usize = 3;
/// The village's households the visits name; merges fold them together.
const HOUSEHOLDS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// A device edits (or creates) a visit: version + 1 from what it last saw. With
    /// `collapse`, an edit of a revision still waiting in its outbox replaces it, keeping that
    /// revision's base (a device need not send every intermediate state): its version then
    /// runs two or more above its base.
    Edit {
        device: usize,
        visit: usize,
        household: usize,
        collapse: bool,
    },
    /// A device learns the server's current revision of a visit (the feed, a `stale` answer).
    Learn { device: usize, visit: usize },
    /// A device sends some of its unacknowledged revisions.
    Push {
        device: usize,
        picks: Vec<usize>,
        duplicate: bool,
        reverse: bool,
        lose_ack: bool,
    },
    /// Commune staff approve or return what awaits review on a visit (the visit, or its
    /// pending amendment).
    Review { visit: usize, approve: bool },
    /// The leader keeps one of a conflicting visit's revisions.
    Settle { visit: usize, pick: usize },
    /// Commune staff merge one household into another.
    Merge { merged: usize, survivor: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..DEVICES, 0..VISITS, 0..HOUSEHOLDS, any::<bool>())
            .prop_map(|(device, visit, household, collapse)| Op::Edit { device, visit, household, collapse }),
        2 => (0..DEVICES, 0..VISITS).prop_map(|(device, visit)| Op::Learn { device, visit }),
        4 => (0..DEVICES, prop::collection::vec(0..8usize, 0..6), any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(device, picks, duplicate, reverse, lose_ack)| Op::Push { device, picks, duplicate, reverse, lose_ack }),
        2 => (0..VISITS, any::<bool>()).prop_map(|(visit, approve)| Op::Review { visit, approve }),
        1 => (0..VISITS, 0..8usize).prop_map(|(visit, pick)| Op::Settle { visit, pick }),
        1 => (0..HOUSEHOLDS, 0..HOUSEHOLDS).prop_map(|(merged, survivor)| Op::Merge { merged, survivor }),
    ]
}

/// A revision: visit, household named, version, base, its own id and the one it was edited
/// from (both absent from the legacy device), and a content tag that makes it unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Rev {
    visit: usize,
    household: usize,
    version: u32,
    base: u32,
    id: Option<Uuid>,
    base_id: Option<Uuid>,
    content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Submitted,
    Approved,
    Returned,
}

/// The documented rule, written independently of the server's code.
#[derive(Default)]
struct Model {
    current: HashMap<usize, Rev>,
    status: HashMap<usize, Status>,
    amendment: HashMap<usize, Rev>,
    conflict: HashSet<usize>,
    history: Vec<Rev>,
    highest: HashMap<usize, u32>,
    /// Households merged away, and into which.
    merged_into: HashMap<usize, usize>,
}

impl Model {
    /// The household a name stands for after every merge.
    fn survivor(&self, mut household: usize) -> usize {
        while let Some(&next) = self.merged_into.get(&household) {
            household = next;
        }
        household
    }

    fn record(&mut self, rev: &Rev) {
        self.history.push(rev.clone());
        let highest = self.highest.entry(rev.visit).or_default();
        *highest = (*highest).max(rev.version);
    }

    fn apply(&mut self, rev: &Rev) -> PushOutcome {
        let Some(current) = self.current.get(&rev.visit).cloned() else {
            self.current.insert(rev.visit, rev.clone());
            self.status.insert(rev.visit, Status::Submitted);
            self.record(rev);
            return PushOutcome::Applied;
        };
        if self.history.contains(rev) {
            return PushOutcome::AlreadyHad;
        }
        self.record(rev);
        let names_current = match (rev.base_id, current.id) {
            (Some(base), Some(id)) => base == id,
            _ => true,
        };
        if self.status[&rev.visit] == Status::Approved {
            self.amendment.insert(rev.visit, rev.clone());
            PushOutcome::Locked
        } else if rev.version <= current.version {
            PushOutcome::Stale
        } else if rev.base == current.version && names_current {
            self.current.insert(rev.visit, rev.clone());
            self.status.insert(rev.visit, Status::Submitted);
            PushOutcome::Applied
        } else {
            self.conflict.insert(rev.visit);
            PushOutcome::Conflict
        }
    }
}

struct World {
    conn: Connection,
    pusher: visits::Pusher,
    staff: Uuid,
    leader: Uuid,
    team: Uuid,
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
        let user = |phone| users::login_record(&conn, phone, 1).unwrap().unwrap().user;
        let (member, staff, leader) = (user("0900000012"), user("0900000002"), user("0900000011"));
        let account = users::account(&conn, member).unwrap().unwrap();
        let team = account.profile.team.as_ref().unwrap().id;
        let pusher = visits::Pusher::of(&account);
        let commune = db::units::commune_id(&conn, demo::DEMO_COMMUNE_CODE).unwrap();
        let village = account.profile.unit.id;
        let households: Vec<Uuid> = (0..HOUSEHOLDS).map(|_| Uuid::now_v7()).collect();
        for (n, id) in households.iter().enumerate() {
            conn.execute(
                "INSERT INTO households (id, village_id, head_name, address, created_by, \
                   created_at, updated_at) VALUES (?1, ?2, 'Nguyễn Văn An', ?3, ?4, 1, 1)",
                rusqlite::params![
                    id.to_string(),
                    village,
                    format!("Số {n}"),
                    member.to_string()
                ],
            )
            .unwrap();
        }
        Self {
            conn,
            pusher,
            staff,
            leader,
            team,
            commune,
            ids: (0..VISITS).map(|_| Uuid::now_v7()).collect(),
            households,
            clock: 1_780_000_000_000,
        }
    }

    fn by(&self, user: Uuid) -> By {
        By {
            user: Some(user),
            address: None,
            at: self.clock,
        }
    }

    fn record(&self, rev: &Rev) -> VisitRecord {
        VisitRecord {
            id: self.ids[rev.visit],
            version: rev.version,
            base_version: rev.base,
            revision: rev.id,
            base_revision: rev.base_id,
            household: HouseholdInput {
                id: self.households[rev.household],
                head_name: "Nguyễn Văn An".into(),
                address: "Số 1".into(),
                phone: None,
                phone_consent: false,
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

/// Which answers and decisions the generated runs reached.
#[derive(Default, Debug)]
struct Reached {
    outcomes: HashSet<&'static str>,
    decisions: HashSet<&'static str>,
}

fn outcome_name(outcome: PushOutcome) -> &'static str {
    match outcome {
        PushOutcome::Applied => "applied",
        PushOutcome::AlreadyHad => "already_had",
        PushOutcome::Stale => "stale",
        PushOutcome::Conflict => "conflict",
        PushOutcome::Locked => "locked",
        PushOutcome::Rejected => "rejected",
    }
}

fn run(ops: Vec<Op>, reached: &RefCell<Reached>) -> Result<(), TestCaseError> {
    let mut world = World::new();
    let mut model = Model::default();
    // Each device: what it last saw of each visit (version, revision), and revisions not yet
    // acknowledged.
    let mut last: Vec<HashMap<usize, (u32, Option<Uuid>)>> = vec![HashMap::new(); DEVICES];
    let mut outbox: Vec<Vec<Rev>> = vec![Vec::new(); DEVICES];
    let mut acknowledged: HashSet<Rev> = HashSet::new();
    let mut counter = 0;
    let team_scope = Scope::Team(world.team);
    let commune_scope = Scope::Commune(world.commune);

    for op in ops {
        world.clock += 1000;
        match op {
            Op::Edit {
                device,
                visit,
                household,
                collapse,
            } => {
                counter += 1;
                let (seen, seen_id) = last[device].get(&visit).copied().unwrap_or((0, None));
                let waiting = outbox[device]
                    .iter()
                    .rposition(|r| r.visit == visit && r.version == seen);
                let (base, base_id) = match waiting {
                    Some(i) if collapse => {
                        let replaced = outbox[device].remove(i);
                        (replaced.base, replaced.base_id)
                    }
                    _ => (seen, seen_id),
                };
                let id = (device != LEGACY_DEVICE).then(Uuid::now_v7);
                let rev = Rev {
                    visit,
                    household,
                    version: seen + 1,
                    base,
                    id,
                    base_id: base_id.filter(|_| device != LEGACY_DEVICE),
                    content: format!("d{device}-n{counter}"),
                };
                last[device].insert(visit, (rev.version, id));
                outbox[device].push(rev);
            }
            Op::Learn { device, visit } => {
                if let Some(current) = model.current.get(&visit) {
                    last[device].insert(visit, (current.version, current.id));
                }
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
                    reached.borrow_mut().outcomes.insert(outcome_name(expected));
                    if expected == PushOutcome::Stale {
                        // A stale answer brings back what the server holds.
                        let current = result.current.as_ref().expect("stale carries current");
                        let held = &model.current[&rev.visit];
                        prop_assert_eq!(current.version, held.version);
                        prop_assert_eq!(
                            current.record.as_ref().map(|r| r.note.clone()),
                            Some(held.content.clone())
                        );
                    }
                    if !lose_ack {
                        acknowledged.insert(rev.clone());
                    }
                }
                if !lose_ack {
                    outbox[device].retain(|r| !batch.contains(r));
                }
            }
            Op::Review { visit, approve } => {
                let action = if approve {
                    ReviewAction::Approve
                } else {
                    ReviewAction::Return
                };
                let by = world.by(world.staff);
                let outcome = visits::review(
                    &mut world.conn,
                    commune_scope,
                    world.ids[visit],
                    &by,
                    action,
                    Some("Thiếu thông tin"),
                );
                let decided = match outcome {
                    Ok(()) => true,
                    Err(StoreError::NotFound | StoreError::Conflict { .. }) => false,
                    Err(other) => panic!("{other}"),
                };
                let expected = if let Some(amendment) = model.amendment.remove(&visit) {
                    if approve {
                        model.current.insert(visit, amendment);
                    }
                    Some(if approve {
                        "amendment approved"
                    } else {
                        "amendment refused"
                    })
                } else if model.status.get(&visit) == Some(&Status::Submitted) {
                    model.status.insert(
                        visit,
                        if approve {
                            Status::Approved
                        } else {
                            Status::Returned
                        },
                    );
                    Some(if approve { "approved" } else { "returned" })
                } else {
                    None
                };
                prop_assert_eq!(decided, expected.is_some(), "{:?}", op);
                if let Some(name) = expected {
                    reached.borrow_mut().decisions.insert(name);
                }
            }
            Op::Settle { visit, pick } => {
                let kept: Vec<(i64, String, String)> = world
                    .conn
                    .prepare(
                        "SELECT id, json_extract(payload, '$.note'), \
                           json_extract(payload, '$.household.id') FROM visit_revisions \
                         WHERE visit_id = ?1 ORDER BY id",
                    )
                    .unwrap()
                    .query_map([world.ids[visit].to_string()], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                if kept.is_empty() {
                    continue;
                }
                let (number, content, named) = kept[pick % kept.len()].clone();
                let household = world
                    .households
                    .iter()
                    .position(|h| h.to_string() == named)
                    .expect("a revision names one of the village's households");
                let by = world.by(world.leader);
                let outcome =
                    visits::resolve(&mut world.conn, team_scope, world.ids[visit], &by, number);
                if model.conflict.remove(&visit) {
                    let settled = outcome.expect("a flagged visit can be settled");
                    let version = model.highest[&visit] + 1;
                    prop_assert_eq!(settled.version, version);
                    let rev = Rev {
                        visit,
                        household,
                        version,
                        base: model.current[&visit].version,
                        id: settled.revision,
                        base_id: model.current[&visit].id,
                        content,
                    };
                    model.record(&rev);
                    model.current.insert(visit, rev);
                    model.status.insert(visit, Status::Submitted);
                    reached.borrow_mut().decisions.insert("settled");
                } else {
                    prop_assert!(
                        matches!(
                            outcome,
                            Err(StoreError::Conflict { .. } | StoreError::NotFound)
                        ),
                        "{:?}",
                        outcome
                    );
                }
            }
            Op::Merge { merged, survivor } => {
                let by = world.by(world.staff);
                let outcome = db::households::merge(
                    &mut world.conn,
                    commune_scope,
                    world.households[merged],
                    world.households[survivor],
                    &by,
                );
                let allowed = merged != survivor
                    && !model.merged_into.contains_key(&merged)
                    && !model.merged_into.contains_key(&survivor);
                if allowed {
                    prop_assert!(outcome.is_ok(), "{:?}", outcome);
                    model.merged_into.insert(merged, survivor);
                    reached.borrow_mut().decisions.insert("merged");
                } else {
                    prop_assert!(
                        matches!(
                            outcome,
                            Err(StoreError::Conflict { .. } | StoreError::Invalid { .. })
                        ),
                        "{:?}",
                        outcome
                    );
                }
            }
        }
    }

    // The current revision, status, amendment and flag of every visit are what the rule says,
    // and each visit names the survivor of the household its revision named.
    for (visit, rev) in &model.current {
        let (version, note, status, revision, amendment, conflict, household): (
            u32,
            String,
            String,
            Option<String>,
            Option<String>,
            bool,
            String,
        ) = world
            .conn
            .query_row(
                "SELECT v.version, v.note, v.status, v.revision, \
                   json_extract(r.payload, '$.note'), v.conflict, v.household_id \
                 FROM visits v LEFT JOIN visit_revisions r ON r.id = v.amendment_revision \
                   AND v.amendment_status = 'pending' \
                 WHERE v.id = ?1",
                [world.ids[*visit].to_string()],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .unwrap();
        prop_assert_eq!(
            household,
            world.households[model.survivor(rev.household)].to_string()
        );
        prop_assert_eq!((version, &note), (rev.version, &rev.content));
        prop_assert_eq!(revision, rev.id.map(|id| id.to_string()));
        let expected_status = match model.status[visit] {
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Returned => "returned",
        };
        prop_assert_eq!(status, expected_status);
        prop_assert_eq!(
            amendment,
            model.amendment.get(visit).map(|r| r.content.clone())
        );
        prop_assert_eq!(conflict, model.conflict.contains(visit));
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

#[test]
fn any_interleaving_of_edits_pushes_reviews_settlements_and_merges_ends_where_the_rule_says() {
    let reached = RefCell::new(Reached::default());
    let mut runner = TestRunner::new(Config {
        cases: 160,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(op(), 1..48), |ops| {
            run(ops, &reached)
        })
        .unwrap();
    // The runs reached every rule and every decision, so a rule switched off would fail them.
    let reached = reached.into_inner();
    for outcome in ["applied", "already_had", "stale", "conflict", "locked"] {
        assert!(
            reached.outcomes.contains(outcome),
            "no run reached {outcome}: {reached:?}"
        );
    }
    for decision in [
        "approved",
        "returned",
        "amendment approved",
        "amendment refused",
        "settled",
        "merged",
    ] {
        assert!(
            reached.decisions.contains(decision),
            "no run reached {decision}: {reached:?}"
        );
    }
}
