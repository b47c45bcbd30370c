//! Property test of the kept figures (`docs/indicators.md`, "How the figures are kept"): after
//! any sequence of visits logged and edited by members of two teams, approvals, returns,
//! withdrawals, amendments accepted or refused and household merges, every kept figure equals
//! a recomputation from the raw visits, written here from the definitions alone. The visits
//! fall around the periods' edges: Vietnam midnight, the new year, 10 October. Counting the
//! same visits from scratch (a database from before the figures were kept) gives the same.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use app::api::{PushOutcome, ReviewAction};
use app::domain::period::Period;
use app::domain::policy::Scope;
use app::domain::time::Date;
use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::Connection;
use server::db::audit::By;
use server::db::{self, demo, figures, users, visits};
use uuid::Uuid;

/// Members: two of one village's team, one of another village's.
const MEMBERS: [&str; 3] = ["0900000012", "0900000013", "0900000022"];
/// Visit slots per member.
const SLOTS: usize = 3;
/// Households per village.
const HOUSEHOLDS: usize = 3;
const HOUR: i64 = 3_600_000;

/// Vietnam wall-clock instants around the periods' edges.
fn instant(n: usize) -> i64 {
    let at = |year, month, day, hour: i64, minute: i64| {
        Date { year, month, day }.start_ms() + hour * HOUR + minute * 60_000
    };
    [
        at(2026, 10, 10, 23, 59),
        at(2026, 10, 11, 0, 0),
        at(2026, 12, 31, 23, 59),
        at(2027, 1, 1, 0, 0),
        at(2026, 3, 2, 6, 30),
    ][n]
}

/// Activities a visit may record (codes with people helped).
fn activities(n: usize) -> Vec<(&'static str, u32)> {
    [
        vec![("epayment_account", 2)],
        vec![("online_selling", 1), ("ecommerce_signup", 3)],
        vec![("health_app", 1), ("epayment_account", 1)],
        vec![("information", 4)],
    ][n]
        .clone()
}

#[derive(Debug, Clone)]
enum Op {
    /// A member logs a visit in a slot, or edits it (a new version from the server's).
    Log {
        member: usize,
        slot: usize,
        household: usize,
        when: usize,
        what: usize,
        business: bool,
    },
    /// A member withdraws a visit.
    Withdraw { member: usize, slot: usize },
    /// Commune staff decide what awaits review on a visit (the visit or its amendment).
    Review {
        member: usize,
        slot: usize,
        approve: bool,
    },
    /// Commune staff merge two households of a village.
    Merge {
        village: usize,
        merged: usize,
        survivor: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..MEMBERS.len(), 0..SLOTS, 0..HOUSEHOLDS, 0..5usize, 0..4usize, any::<bool>())
            .prop_map(|(member, slot, household, when, what, business)| Op::Log { member, slot, household, when, what, business }),
        1 => (0..MEMBERS.len(), 0..SLOTS).prop_map(|(member, slot)| Op::Withdraw { member, slot }),
        4 => (0..MEMBERS.len(), 0..SLOTS, any::<bool>()).prop_map(|(member, slot, approve)| Op::Review { member, slot, approve }),
        1 => (0..2usize, 0..HOUSEHOLDS, 0..HOUSEHOLDS).prop_map(|(village, merged, survivor)| Op::Merge { village, merged, survivor }),
    ]
}

struct World {
    conn: Connection,
    pushers: Vec<visits::Pusher>,
    /// Each member's village (0 or 1).
    village_of: Vec<usize>,
    staff: Uuid,
    commune: i64,
    ids: Vec<Vec<Uuid>>,
    households: Vec<Vec<Uuid>>,
    /// The two villages' unit ids (`village_of` indexes them).
    villages: Vec<i64>,
    /// What each visit was last sent as (version), to edit from.
    versions: Vec<Vec<u32>>,
    clock: i64,
}

impl World {
    fn new() -> Self {
        let mut conn = Connection::open_in_memory().unwrap();
        db::migrate(&mut conn).unwrap();
        demo::seed(&mut conn, || "not-a-real-hash".into(), 1).unwrap();
        let accounts: Vec<_> = MEMBERS
            .iter()
            .map(|phone| {
                let user = users::login_record(&conn, phone, 1).unwrap().unwrap().user;
                users::account(&conn, user).unwrap().unwrap()
            })
            .collect();
        let villages: Vec<i64> = accounts.iter().map(|a| a.profile.unit.id).collect();
        let village_of = villages
            .iter()
            .map(|v| usize::from(*v != villages[0]))
            .collect();
        let villages = vec![villages[0], villages[2]];
        let staff = users::login_record(&conn, "0900000002", 1)
            .unwrap()
            .unwrap()
            .user;
        let commune = db::units::commune_id(&conn, demo::DEMO_COMMUNE_CODE).unwrap();
        Self {
            pushers: accounts.iter().map(visits::Pusher::of).collect(),
            conn,
            village_of,
            villages,
            staff,
            commune,
            ids: (0..MEMBERS.len())
                .map(|_| (0..SLOTS).map(|_| Uuid::now_v7()).collect())
                .collect(),
            households: (0..2)
                .map(|_| (0..HOUSEHOLDS).map(|_| Uuid::now_v7()).collect())
                .collect(),
            versions: vec![vec![0; SLOTS]; MEMBERS.len()],
            clock: 1_800_000_000_000,
        }
    }

    fn push(&mut self, member: usize, record: VisitRecord) -> PushOutcome {
        let results =
            visits::push(&mut self.conn, self.pushers[member], &[record], self.clock).unwrap();
        results[0].result
    }

    fn record(&self, member: usize, slot: usize, household: Uuid) -> VisitRecord {
        let version = self.versions[member][slot];
        VisitRecord {
            id: self.ids[member][slot],
            version: version + 1,
            base_version: version,
            revision: None,
            base_revision: None,
            household: HouseholdInput {
                id: household,
                head_name: "Nguyễn Văn An".into(),
                address: "Số 1".into(),
                phone: None,
                phone_consent: false,
                business: false,
            },
            visited_at: instant(0),
            activities: Vec::new(),
            outcome: Outcome::Done,
            follow_up_on: None,
            note: String::new(),
            village_id: None,
            withdrawn: false,
            difficulty: None,
        }
    }
}

/// A figure as recomputed: visits, people, the distinct items.
type Expected = BTreeMap<(String, String, String), (i64, i64, BTreeSet<String>)>;

/// The figures recomputed from the raw visits, from the definitions in docs/indicators.md.
fn recompute(conn: &Connection) -> Expected {
    let mut expected = Expected::new();
    let mut statement = conn
        .prepare(
            "SELECT v.village_id, cu.id, cu.parent_id, v.team_id, v.member_id, v.household_id, \
               v.visited_at, v.business, v.activities \
             FROM visits v JOIN units vu ON vu.id = v.village_id JOIN units cu ON cu.id = vu.parent_id \
             WHERE v.status = 'approved'",
        )
        .unwrap();
    let rows = statement
        .query_map([], |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ),
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, String>(8)?,
            ))
        })
        .unwrap();
    for row in rows {
        let ((village, commune, province), team, member, household, at, business, done) =
            row.unwrap();
        let done: Vec<ActivityDone> = serde_json::from_str(&done).unwrap();
        let total: i64 = done.iter().map(|a| i64::from(a.people)).sum();
        let sells = business
            && done
                .iter()
                .any(|a| a.code == "ecommerce_signup" || a.code == "online_selling");
        for period in Period::containing(at) {
            let mut count = |scope: String, key: &str, people: i64, item: &str| {
                let entry = expected
                    .entry((scope, period.key(), key.to_string()))
                    .or_default();
                entry.0 += 1;
                entry.1 += people;
                entry.2.insert(item.to_string());
            };
            // The village, its commune and its province count the same households.
            for unit in [
                format!("v:{village}"),
                format!("c:{commune}"),
                format!("p:{province}"),
            ] {
                count(unit.clone(), "*", total, &household);
                for a in &done {
                    count(unit.clone(), &a.code, i64::from(a.people), &household);
                }
                if sells {
                    count(unit.clone(), "+ecommerce_business", 0, &household);
                }
                count(unit.clone(), "@teams", 0, &team);
                count(unit, "@members", 0, &member);
            }
            count(format!("t:{team}"), "*", total, &household);
            count(format!("t:{team}"), "@members", 0, &member);
            count(format!("m:{member}"), "*", total, &household);
        }
    }
    expected
}

/// A figure as kept: visits, people, the distinct count.
type Kept = BTreeMap<(String, String, String), (i64, i64, i64)>;

/// Every figure kept.
fn kept_figures(conn: &Connection) -> Kept {
    conn.prepare("SELECT scope, period, key, visits, people, reached FROM figure_counts")
        .unwrap()
        .query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?, r.get(2)?),
                (r.get(3)?, r.get(4)?, r.get(5)?),
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Which events the runs reached.
#[derive(Default, Debug)]
struct Reached(HashSet<&'static str>);

fn run(ops: Vec<Op>, reached: &RefCell<Reached>) -> Result<(), TestCaseError> {
    let mut world = World::new();
    let commune = Scope::Commune(world.commune);
    let note = |event| {
        reached.borrow_mut().0.insert(event);
    };
    for op in ops {
        world.clock += 1000;
        match op {
            Op::Log {
                member,
                slot,
                household,
                when,
                what,
                business,
            } => {
                let village = world.village_of[member];
                let mut record = world.record(member, slot, world.households[village][household]);
                record.household.business = business;
                record.visited_at = instant(when);
                record.activities = activities(what)
                    .into_iter()
                    .map(|(code, people)| ActivityDone {
                        code: code.into(),
                        detail: None,
                        people,
                    })
                    .collect();
                let outcome = world.push(member, record);
                prop_assert!(
                    matches!(outcome, PushOutcome::Applied | PushOutcome::Locked),
                    "{outcome:?}"
                );
                world.versions[member][slot] += 1;
                note(if outcome == PushOutcome::Locked {
                    "amendment sent"
                } else {
                    "logged"
                });
            }
            Op::Withdraw { member, slot } => {
                if world.versions[member][slot] == 0 {
                    continue;
                }
                let village = world.village_of[member];
                let stored: String = world
                    .conn
                    .query_row(
                        "SELECT household_id FROM visits WHERE id = ?1",
                        [world.ids[member][slot].to_string()],
                        |r| r.get(0),
                    )
                    .unwrap();
                let household = Uuid::parse_str(&stored).unwrap_or(world.households[village][0]);
                let mut record = world.record(member, slot, household);
                record.withdrawn = true;
                record.activities = vec![ActivityDone {
                    code: "information".into(),
                    detail: None,
                    people: 1,
                }];
                let outcome = world.push(member, record);
                world.versions[member][slot] += 1;
                if outcome == PushOutcome::Applied {
                    note("withdrawn");
                }
            }
            Op::Review {
                member,
                slot,
                approve,
            } => {
                let by = By {
                    user: Some(world.staff),
                    address: None,
                    at: world.clock,
                };
                let action = if approve {
                    ReviewAction::Approve
                } else {
                    ReviewAction::Return
                };
                let amendment: bool = world
                    .conn
                    .query_row(
                        "SELECT COUNT(*) FROM visits WHERE id = ?1 AND amendment_status = 'pending'",
                        [world.ids[member][slot].to_string()],
                        |r| r.get(0),
                    )
                    .unwrap();
                if visits::review(
                    &mut world.conn,
                    commune,
                    world.ids[member][slot],
                    &by,
                    action,
                    Some("Thiếu thông tin"),
                )
                .is_ok()
                {
                    note(match (amendment, approve) {
                        (false, true) => "approved",
                        (false, false) => "returned",
                        (true, true) => "amendment accepted",
                        (true, false) => "amendment refused",
                    });
                }
            }
            Op::Merge {
                village,
                merged,
                survivor,
            } => {
                let by = By {
                    user: Some(world.staff),
                    address: None,
                    at: world.clock,
                };
                let ids = &world.households[village];
                let (merged, survivor) = (ids[merged], ids[survivor]);
                if db::households::merge(&mut world.conn, commune, merged, survivor, &by).is_ok() {
                    note("merged");
                }
            }
        }
    }

    // Every kept figure is the recomputed one, and no other figure is kept.
    let expected = recompute(&world.conn);
    let kept = kept_figures(&world.conn);
    let want: Kept = expected
        .iter()
        .map(|(k, (v, p, items))| (k.clone(), (*v, *p, items.len() as i64)))
        .collect();
    prop_assert_eq!(&kept, &want);
    // The reference counts behind each distinct figure are the visits behind its items (the
    // communes' and provinces' roll-ups of village figures keep none of their own).
    let reach: i64 = world
        .conn
        .query_row(
            "SELECT COALESCE(SUM(visits), 0) FROM figure_reach",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let counted: i64 = expected
        .iter()
        .filter(|((scope, _, key), _)| !scope.starts_with(['c', 'p']) || key.starts_with('@'))
        .map(|(_, (visits, _, _))| visits)
        .sum();
    prop_assert_eq!(reach, counted);

    // Coverage, as a province reads it (from its communes' figures) and as a commune reads it
    // (village by village), is the definition: the households reached in the villages with
    // an official count, over those counts; the villages without one are left out and named.
    // The first village gets a count, the second has none.
    let villages = &world.villages;
    world
        .conn
        .execute(
            "UPDATE units SET household_count = CASE id WHEN ?1 THEN 50 ELSE NULL END \
             WHERE parent_id = ?2",
            [villages[0], world.commune],
        )
        .unwrap();
    let province: i64 = world
        .conn
        .query_row(
            "SELECT parent_id FROM units WHERE id = ?1",
            [world.commune],
            |r| r.get(0),
        )
        .unwrap();
    let siblings: i64 = world
        .conn
        .query_row(
            "SELECT COUNT(*) FROM units WHERE parent_id = ?1",
            [world.commune],
            |r| r.get(0),
        )
        .unwrap();
    let periods: BTreeSet<String> = expected
        .keys()
        .map(|(_, period, _)| period.clone())
        .collect();
    for key in periods {
        let period = Period::parse(&key).unwrap();
        let reached = expected
            .get(&(format!("v:{}", villages[0]), key.clone(), "*".into()))
            .map_or(0, |(_, _, items)| items.len() as i64);
        let want = app::api::Coverage {
            reached,
            households: 50,
            villages: siblings,
            villages_without_count: siblings - 1,
        };
        let read =
            |unit| figures::unit_figures(&world.conn, Scope::Everything, unit, period).unwrap();
        let from_province = read(province)
            .children
            .into_iter()
            .find(|c| c.unit_id == world.commune)
            .unwrap()
            .figures
            .coverage;
        prop_assert_eq!(&from_province, &want, "{} from the province", key);
        prop_assert_eq!(
            &read(world.commune).total.coverage,
            &want,
            "{} from the commune",
            key
        );
    }

    // A database from before the figures were kept is counted once at start: the same figures.
    world
        .conn
        .execute_batch(
            "DELETE FROM figure_counts; DELETE FROM figure_reach; DELETE FROM figure_visits; \
             UPDATE figure_state SET built = 0;",
        )
        .unwrap();
    db::migrate(&mut world.conn).unwrap();
    let rebuilt = kept_figures(&world.conn);
    prop_assert_eq!(&rebuilt, &kept);
    Ok(())
}

#[test]
fn the_kept_figures_always_equal_a_recomputation_from_the_raw_visits() {
    let reached = RefCell::new(Reached::default());
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(op(), 1..40), |ops| {
            run(ops, &reached)
        })
        .unwrap();
    let reached = reached.into_inner();
    for event in [
        "logged",
        "withdrawn",
        "approved",
        "returned",
        "amendment sent",
        "amendment accepted",
        "amendment refused",
        "merged",
    ] {
        assert!(
            reached.0.contains(event),
            "no run reached {event}: {reached:?}"
        );
    }
}
