//! Property tests of the merge core (`db::visits::push`, `review` and `resolve` on a real
//! SQLite schema): for any interleaving of edits on several devices of one member (one of them
//! a client before protocol 2, which names no revisions), devices learning the server's
//! current revision, batches sent in pieces, duplicated, reordered and retried after lost
//! acknowledgements, approvals, returns, amendment decisions, settled conflicts, household
//! merges and erasures of a household's personal data in between, the server ends in the state
//! the documented rule predicts (every visit naming its household's survivor), keeps every
//! revision exactly once, and has everything it ever acknowledged. Every revision carries
//! personal texts unique to it (the head's name, the address, the phone number, the note, an
//! activity's detail, a difficulty's note): once a household is erased, nothing ever sent for it
//! (before the erasure, or after it by a device that had not heard of it) is left in any text
//! of any table, while the visits, the figures and the revisions themselves stay, and a resend
//! is still recognised. The generated runs must reach every rule:
//! a run that never produced a conflict (or a stale, locked... answer) proves nothing about it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use app::api::{PushOutcome, ReviewAction};
use app::domain::policy::Scope;
use app::domain::visit::DifficultyRaised;
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use server::db::audit::By;
use server::db::{self, demo, users, visits, StoreError};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const DEVICES: usize = 3;
/// Device 2 runs the app before protocol 2: its revisions name no revision.
const LEGACY_DEVICE: usize = 2;
const VISITS: usize = 3;
/// The village's households the visits name; merges fold them together.
const HOUSEHOLDS: usize = 3;
/// What an erased household's name and address read (docs/security.md, "Personal data").
const ERASED: &str = "—";
/// The tables of the kept figures (migrations 05 and 06): erasure leaves them as they are.
const KEPT_FIGURES: [&str; 5] = [
    "figure_visits",
    "figure_counts",
    "figure_reach",
    "figure_state",
    "targets",
];

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
    /// Commune staff erase a household's personal data (with the households merged into it).
    Erase { household: usize },
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
        1 => (0..HOUSEHOLDS).prop_map(|household| Op::Erase { household }),
    ]
}

/// A revision: visit, household named, version, base, its own id and the one it was edited
/// from (both absent from the legacy device), and a content tag that makes it unique. The tag
/// is the note, and is in every other personal text of the revision ([`World::record`]); `n`
/// numbers its phone (none for a revision the server wrote); `hash` is the hash of the
/// payload as sent (as the server stored it, for a revision the server wrote).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Rev {
    visit: usize,
    household: usize,
    version: u32,
    base: u32,
    id: Option<Uuid>,
    base_id: Option<Uuid>,
    content: String,
    n: Option<u32>,
    hash: String,
}

/// The head's name a revision carries, unless erased.
fn head_name(content: &str) -> String {
    format!("Nguyễn Văn {content}")
}

/// The phone number revision `n` carries: ten digits, none of them a user's.
fn phone(n: u32) -> String {
    format!("038{n:07}")
}

/// The personal texts a household held before any visit.
fn first_texts(household: usize) -> [String; 3] {
    [
        format!("Hộ gốc-h{household}x"),
        format!("Ấp gốc-h{household}x"),
        format!("039{household:07}"),
    ]
}

/// The SHA-256 of a revision's JSON as sent: what the server knows a resend by.
fn hash_of(record: &VisitRecord) -> String {
    let payload = serde_json::to_string(record).unwrap();
    Sha256::digest(payload.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
    /// Households erased: never merged away; those merged into one are erased with it.
    erased: HashSet<usize>,
    /// Revisions stored before their household was erased.
    stored_before_erasure: HashSet<Rev>,
}

impl Model {
    /// The household a name stands for after every merge.
    fn survivor(&self, mut household: usize) -> usize {
        while let Some(&next) = self.merged_into.get(&household) {
            household = next;
        }
        household
    }

    /// A household is erased when the survivor of its merges was.
    fn is_erased(&self, household: usize) -> bool {
        self.erased.contains(&self.survivor(household))
    }

    /// The note a revision reads on the server: nothing once its household is erased.
    fn note(&self, rev: &Rev) -> String {
        if self.is_erased(rev.household) {
            String::new()
        } else {
            rev.content.clone()
        }
    }

    /// The head's name a stored revision reads.
    fn name(&self, rev: &Rev) -> String {
        if self.is_erased(rev.household) {
            ERASED.to_string()
        } else {
            head_name(&rev.content)
        }
    }

    /// Every text ever sent for an erased household: what it held at first, and what the
    /// revisions naming it carried.
    fn erased_texts(&self) -> Vec<String> {
        let mut texts: Vec<String> = (0..HOUSEHOLDS)
            .filter(|&h| self.is_erased(h))
            .flat_map(first_texts)
            .collect();
        for rev in self.history.iter().filter(|r| self.is_erased(r.household)) {
            texts.push(rev.content.clone());
            texts.extend(rev.n.map(phone));
        }
        texts.retain(|t| !t.is_empty());
        texts
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
            let [name, address, phone] = first_texts(n);
            conn.execute(
                "INSERT INTO households (id, village_id, head_name, address, phone, \
                   phone_consent_at, created_by, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, 1, 1)",
                rusqlite::params![
                    id.to_string(),
                    village,
                    name,
                    address,
                    phone,
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

    /// The revision as a device sends it: every personal text carries its tag (`n`: it is one
    /// a device wrote).
    fn record(&self, rev: &Rev) -> VisitRecord {
        let n = rev.n.expect("a revision a device wrote");
        let tag = &rev.content;
        VisitRecord {
            id: self.ids[rev.visit],
            version: rev.version,
            base_version: rev.base,
            revision: rev.id,
            base_revision: rev.base_id,
            household: HouseholdInput {
                id: self.households[rev.household],
                head_name: head_name(tag),
                address: format!("Xóm {tag}"),
                phone: Some(phone(n)),
                phone_consent: true,
                business: false,
            },
            visited_at: 1_770_000_000_000,
            activities: vec![ActivityDone {
                code: "health_app".into(),
                detail: Some(format!("cài cho {tag}")),
                people: 1,
            }],
            outcome: Outcome::Done,
            follow_up_on: None,
            note: tag.clone(),
            village_id: None,
            withdrawn: false,
            // Every other revision raises a difficulty (and a later one may drop it).
            difficulty: n.is_multiple_of(2).then(|| DifficultyRaised {
                category: "no_id_card".into(),
                note: format!("mất CCCD {tag}"),
            }),
        }
    }
}

/// A visit's free texts: note, activities, return reason, amendment reason, mark comment.
type FreeTexts = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

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

/// Where any of `texts` is still stored: every text (and blob) of every row of every table.
fn left_behind(conn: &Connection, texts: &[String]) -> Vec<String> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for (i, column) in columns.iter().enumerate() {
                let value = match row.get_ref(i).unwrap() {
                    ValueRef::Text(bytes) | ValueRef::Blob(bytes) => String::from_utf8_lossy(bytes),
                    _ => continue,
                };
                for text in texts.iter().filter(|t| value.contains(t.as_str())) {
                    found.push(format!("{text:?} in {table}.{column}: {value}"));
                }
            }
        }
    }
    found
}

/// Every row `sql` reads, sorted.
fn rows_of(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let width = stmt.column_count();
    let mut rows: Vec<String> = stmt
        .query_map([], |r| {
            (0..width)
                .map(|i| r.get::<_, rusqlite::types::Value>(i))
                .collect::<Result<Vec<_>, _>>()
                .map(|row| format!("{row:?}"))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    rows
}

/// What erasure keeps: the kept figures, the visits but for their free texts, the revisions
/// but for their payloads' texts.
fn kept(conn: &Connection) -> Vec<Vec<String>> {
    let mut kept: Vec<Vec<String>> = KEPT_FIGURES
        .iter()
        .map(|table| rows_of(conn, &format!("SELECT * FROM {table}")))
        .collect();
    kept.push(rows_of(
        conn,
        "SELECT id, household_id, village_id, team_id, member_id, visited_at, outcome, \
           follow_up_on, version, base_version, status, revision, conflict, amendment, \
           amendment_status, amendment_revision, business, \
           (SELECT json_group_array(json_array(json_extract(a.value, '$.code'), \
              json_extract(a.value, '$.people'))) FROM json_each(visits.activities) a) \
         FROM visits",
    ));
    kept.push(rows_of(
        conn,
        "SELECT id, visit_id, version, base_version, author_id, payload_hash, outcome, \
           revision, json_extract(payload, '$.household.id') FROM visit_revisions",
    ));
    kept
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
                let mut rev = Rev {
                    visit,
                    household,
                    version: seen + 1,
                    base,
                    id,
                    base_id: base_id.filter(|_| device != LEGACY_DEVICE),
                    // Ends with `x`: no tag is part of another.
                    content: format!("d{device}-n{counter}x"),
                    n: Some(counter),
                    hash: String::new(),
                };
                let record = world.record(&rev);
                // Sent as the server keeps it, so the hash is of what was sent.
                let valid = record.validate(|_| true, world.clock);
                prop_assert!(matches!(&valid, Ok(v) if *v == record), "{:?}", valid);
                rev.hash = hash_of(&record);
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
                    let erased = model.is_erased(rev.household);
                    let expected = model.apply(rev);
                    prop_assert_eq!(result.result, expected, "{:?}", rev);
                    prop_assert!(result.result.is_acknowledged());
                    reached.borrow_mut().outcomes.insert(outcome_name(expected));
                    if erased && expected != PushOutcome::AlreadyHad {
                        reached.borrow_mut().decisions.insert("pushed_after_erase");
                    }
                    if model.stored_before_erasure.contains(rev) {
                        // Its acknowledgement was lost before the erasure: still recognised.
                        prop_assert_eq!(expected, PushOutcome::AlreadyHad);
                        reached.borrow_mut().decisions.insert("resent_after_erase");
                    }
                    if expected == PushOutcome::Stale {
                        // A stale answer brings back what the server holds.
                        let current = result.current.as_ref().expect("stale carries current");
                        let held = &model.current[&rev.visit];
                        prop_assert_eq!(current.version, held.version);
                        prop_assert_eq!(
                            current.record.as_ref().map(|r| r.note.clone()),
                            Some(model.note(held))
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
                        // The current, approved revision: also when a settled conflict sent
                        // the visit back to review while the amendment waited.
                        model.current.insert(visit, amendment);
                        model.status.insert(visit, Status::Approved);
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
                    // The kept revision as stored: scrubbed when its household is erased.
                    prop_assert_eq!(content.is_empty(), model.is_erased(household));
                    let hash: String = world
                        .conn
                        .query_row(
                            "SELECT payload_hash FROM visit_revisions \
                             WHERE visit_id = ?1 AND revision = ?2",
                            [
                                world.ids[visit].to_string(),
                                settled.revision.expect("a settlement is named").to_string(),
                            ],
                            |r| r.get(0),
                        )
                        .unwrap();
                    let rev = Rev {
                        visit,
                        household,
                        version,
                        base: model.current[&visit].version,
                        id: settled.revision,
                        base_id: model.current[&visit].id,
                        content,
                        n: None,
                        hash,
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
                let erased = model.erased.contains(&merged) || model.erased.contains(&survivor);
                if allowed && erased {
                    prop_assert!(
                        matches!(
                            outcome,
                            Err(StoreError::Conflict {
                                code: "household_erased",
                                ..
                            })
                        ),
                        "{:?}",
                        outcome
                    );
                    reached
                        .borrow_mut()
                        .decisions
                        .insert("merge refused: erased");
                } else if allowed {
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
            Op::Erase { household } => {
                let before = kept(&world.conn);
                let by = world.by(world.staff);
                let outcome = db::households::erase(
                    &mut world.conn,
                    commune_scope,
                    world.households[household],
                    &by,
                );
                if model.merged_into.contains_key(&household) {
                    prop_assert!(
                        matches!(
                            outcome,
                            Err(StoreError::Conflict {
                                code: "already_merged",
                                ..
                            })
                        ),
                        "{:?}",
                        outcome
                    );
                } else if model.erased.contains(&household) {
                    prop_assert!(
                        matches!(
                            outcome,
                            Err(StoreError::Conflict {
                                code: "already_erased",
                                ..
                            })
                        ),
                        "{:?}",
                        outcome
                    );
                } else {
                    let erased = match outcome {
                        Ok(erased) => erased,
                        Err(error) => {
                            return Err(TestCaseError::fail(format!("erasing: {error:?}")))
                        }
                    };
                    // The household, those merged into it, their visits and every revision
                    // naming one of them.
                    let group = |h: &usize| model.survivor(*h) == household;
                    let visits = model
                        .current
                        .values()
                        .filter(|r| group(&r.household))
                        .count();
                    let named: Vec<Rev> = model
                        .history
                        .iter()
                        .filter(|r| group(&r.household))
                        .cloned()
                        .collect();
                    prop_assert_eq!(
                        (erased.households, erased.visits, erased.revisions),
                        (
                            (0..HOUSEHOLDS).filter(group).count() as u32,
                            visits as u32,
                            named.len() as u32
                        )
                    );
                    model.stored_before_erasure.extend(named);
                    model.erased.insert(household);
                    reached.borrow_mut().decisions.insert("erased");
                    if erased.households > 1 {
                        reached
                            .borrow_mut()
                            .decisions
                            .insert("erased with merged households");
                    }
                    let counted: i64 = world
                        .conn
                        .query_row(
                            "SELECT count(*) FROM figure_visits WHERE household_id = ?1",
                            [world.households[household].to_string()],
                            |r| r.get(0),
                        )
                        .unwrap();
                    if counted > 0 {
                        // Its visits count: the figures erasure must keep are there.
                        reached
                            .borrow_mut()
                            .decisions
                            .insert("erased counted visits");
                    }
                    // Its visits keep no free text; the staff's and leader's words are marked.
                    let texts: Vec<FreeTexts> = world
                        .conn
                        .prepare(
                            "SELECT note, activities, review_reason, amendment_reason, \
                               mark_comment FROM visits WHERE household_id = ?1",
                        )
                        .unwrap()
                        .query_map([world.households[household].to_string()], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                        })
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap();
                    prop_assert_eq!(texts.len(), visits);
                    for (note, activities, review, amendment, mark) in texts {
                        prop_assert_eq!(note, "");
                        let activities: Vec<ActivityDone> =
                            serde_json::from_str(&activities).unwrap();
                        prop_assert!(activities.iter().all(|a| a.detail.is_none()));
                        for words in [review, amendment, mark].into_iter().flatten() {
                            prop_assert_eq!(words, ERASED);
                        }
                    }
                    let left = left_behind(&world.conn, &model.erased_texts());
                    prop_assert!(left.is_empty(), "left after erasure: {:#?}", left);
                }
                // Erasure keeps what is counted, the visits and the revisions.
                prop_assert_eq!(kept(&world.conn), before);
            }
        }
    }

    // The current revision, status, amendment and flag of every visit are what the rule says,
    // and each visit names the survivor of the household its revision named. A visit of an
    // erased household (and its pending amendment, if it names one) has no note left.
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
        prop_assert_eq!((version, note), (rev.version, model.note(rev)));
        prop_assert_eq!(revision, rev.id.map(|id| id.to_string()));
        let expected_status = match model.status[visit] {
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Returned => "returned",
        };
        prop_assert_eq!(status, expected_status);
        prop_assert_eq!(amendment, model.amendment.get(visit).map(|r| model.note(r)));
        prop_assert_eq!(conflict, model.conflict.contains(visit));
    }
    let visits: i64 = world
        .conn
        .query_row("SELECT COUNT(*) FROM visits", [], |r| r.get(0))
        .unwrap();
    prop_assert_eq!(visits as usize, model.current.len());

    // An erased household reads as erased, and stays so whatever was pushed since; the others
    // are not erased.
    for (h, id) in world.households.iter().enumerate() {
        let held: (String, String, Option<String>, Option<i64>, Option<i64>) = world
            .conn
            .query_row(
                "SELECT head_name, address, phone, phone_consent_at, erased_at FROM households \
                 WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        if model.is_erased(h) {
            prop_assert_eq!(
                (held.0.as_str(), held.1.as_str(), held.2, held.3),
                (ERASED, ERASED, None, None)
            );
            prop_assert!(held.4.is_some());
        } else {
            prop_assert_eq!(held.4, None);
        }
    }

    // Every revision received is in the history exactly once, and nothing else is: known by
    // the hash of what was sent; one naming an erased household is stored scrubbed.
    let mut stored: Vec<(String, u32, String, String, String)> = world
        .conn
        .prepare(
            "SELECT visit_id, version, payload_hash, json_extract(payload, '$.note'), \
               json_extract(payload, '$.household.head_name') FROM visit_revisions",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let stored_set: HashSet<_> = stored
        .iter()
        .map(|(visit, version, hash, _, _)| (visit.clone(), *version, hash.clone()))
        .collect();
    prop_assert_eq!(stored.len(), stored_set.len(), "no revision stored twice");
    let mut expected: Vec<_> = model
        .history
        .iter()
        .map(|r| {
            (
                world.ids[r.visit].to_string(),
                r.version,
                r.hash.clone(),
                model.note(r),
                model.name(r),
            )
        })
        .collect();
    stored.sort();
    expected.sort();
    prop_assert_eq!(&stored, &expected);

    // Nothing acknowledged is missing.
    for rev in &acknowledged {
        prop_assert!(stored_set.contains(&(
            world.ids[rev.visit].to_string(),
            rev.version,
            rev.hash.clone()
        )));
    }

    // Nothing sent for an erased household is left anywhere, whenever it was sent.
    let left = left_behind(&world.conn, &model.erased_texts());
    prop_assert!(left.is_empty(), "left after the run: {:#?}", left);
    Ok(())
}

#[test]
fn any_interleaving_of_edits_pushes_reviews_settlements_merges_and_erasures_ends_where_the_rule_says(
) {
    let reached = RefCell::new(Reached::default());
    // Settling and approving an amendment are each reached by 2–3% of generated runs: 320
    // runs miss one of them about once in 3,000 (160 missed about once in 50).
    let mut runner = TestRunner::new(Config {
        cases: 320,
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
        "merge refused: erased",
        "erased",
        "pushed_after_erase",
        "resent_after_erase",
        "erased with merged households",
        "erased counted visits",
    ] {
        assert!(
            reached.decisions.contains(decision),
            "no run reached {decision}: {reached:?}"
        );
    }
}

/// Erasure's story told whole, run every time whatever the generator draws.
#[test]
fn erasing_a_household_with_a_duplicate_and_counted_visits_ends_where_the_rule_says() {
    let edit = |device, visit, household| Op::Edit {
        device,
        visit,
        household,
        collapse: false,
    };
    let push = |device, lose_ack| Op::Push {
        device,
        picks: vec![0],
        duplicate: false,
        reverse: false,
        lose_ack,
    };
    // A household with a duplicate merged into it and an approved, counted visit is erased
    // while a batch's acknowledgement is lost: the resend is recognised; an offline device's
    // edit naming the merged-away duplicate and an amendment naming the household are stored
    // scrubbed, and the amendment is approved as it is; erasing it again, erasing the
    // duplicate and merging into the erased household are refused.
    let ops = vec![
        edit(0, 0, 0),
        edit(1, 1, 1),
        Op::Merge {
            merged: 1,
            survivor: 0,
        },
        push(0, true),
        Op::Review {
            visit: 0,
            approve: true,
        },
        Op::Erase { household: 0 },
        push(0, false),
        push(1, false),
        edit(0, 0, 0),
        push(0, false),
        Op::Review {
            visit: 0,
            approve: true,
        },
        Op::Erase { household: 0 },
        Op::Erase { household: 1 },
        Op::Merge {
            merged: 2,
            survivor: 0,
        },
    ];
    let reached = RefCell::new(Reached::default());
    run(ops, &reached).unwrap();
    let reached = reached.into_inner();
    for decision in [
        "amendment approved",
        "erased",
        "erased with merged households",
        "erased counted visits",
        "resent_after_erase",
        "pushed_after_erase",
        "merge refused: erased",
    ] {
        assert!(
            reached.decisions.contains(decision),
            "{decision} not reached: {reached:?}"
        );
    }
}
