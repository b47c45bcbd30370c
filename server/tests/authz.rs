//! The authorisation matrix: every operation of `GET /api/openapi.json`, asked by every role
//! and by nobody, about records at every distance from the caller, answers exactly what the
//! policy (`app/src/domain/policy.rs`, rules 1 to 9) and the route's own description say.
//!
//! The table ([`rows`]) has one row per documented operation: how to build the request for an
//! actor and a target, and the answer each role gets on each target. A documented operation
//! without a row fails the matrix, so a new route cannot ship without its rows. The answers
//! are written out here from the policy's rules, not computed by the policy's functions: the
//! test is a second reading of the rules, not a copy of the code it checks.
//!
//! One server and one database serve the whole file. The world:
//!
//! ```text
//! P1 (Gia Lai) ─┬─ C1 (Xã An Hòa) ──────────┬─ V1: T1  leader L, member M, member M2
//!               │                            └─ V2: T2  X2
//!               └─ C2 (Phường Quy Nhơn Bắc) ─── V3: T3  X3
//! P2 (Hà Nội) ──── C3 (Phường Ba Đình) ──────── V4: T4  X4
//! ```
//!
//! plus commune staff CS of C1, province staff PS of P1 and an administrator A (unit P1).
//! Targets are relative to the caller: **own** (their own account, visit, team or unit),
//! **same team** (T1, V1, M2), **other team** of the same commune (T2, V2, X2), **other
//! commune** of the same province (C2, T3, V3, X3) and **other province** (P2, C3, T4, V4,
//! X4). Routes without a record are asked once per role (target n/a).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock};
use std::time::Instant;

use app::api::{
    ConflictList, DifficultyList, ErrorBody, ImportReport, Profile, PullResponse, PushOutcome,
    PushResponse, ReviewQueue, Role, UnitList, UserList, VisitList,
};
use app::domain::team::{Affiliation, Position};
use app::domain::VisitRecord;
use common::{now_ms, visit, PASSWORD};
use reqwest::{Client, Method};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{json, Value};
use server::config::ServeArgs;
use server::db::{teams, units, users};
use server::startup::Application;
use uuid::Uuid;

use Target::*;
use Who::*;

// ---------------------------------------------------------------------------------------
// Who asks, about what, and what they should get.
// ---------------------------------------------------------------------------------------

/// The callers: nobody, and one of each role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Who {
    Anonymous,
    Member,
    Leader,
    CommuneStaff,
    ProvinceStaff,
    Admin,
}

const EVERYONE: [Who; 6] = [
    Anonymous,
    Member,
    Leader,
    CommuneStaff,
    ProvinceStaff,
    Admin,
];

impl Who {
    /// The role the server should report for this caller.
    fn role(self) -> Option<Role> {
        Some(match self {
            Anonymous => return None,
            Member => Role::Member,
            Leader => Role::Leader,
            CommuneStaff => Role::CommuneStaff,
            ProvinceStaff => Role::ProvinceStaff,
            Admin => Role::Admin,
        })
    }
}

/// Where the record a request acts on lies, relative to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Target {
    /// The route acts on no record (lists, the caller's own session).
    NA,
    Own,
    SameTeam,
    OtherTeam,
    OtherCommune,
    OtherProvince,
}

const NO_RECORD: &[Target] = &[NA];
const RECORDS: &[Target] = &[Own, SameTeam, OtherTeam, OtherCommune, OtherProvince];

/// The fixture index of a target that is not the caller's own: T1/V1/M2, T2/V2/X2,
/// T3/V3/X3, T4/V4/X4.
fn slot(target: Target) -> usize {
    match target {
        SameTeam => 0,
        OtherTeam => 1,
        OtherCommune => 2,
        OtherProvince => 3,
        NA | Own => unreachable!("{target:?} has no fixture record of its own"),
    }
}

/// An expected answer: the status and, for refusals, the error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Expect {
    status: u16,
    code: Option<&'static str>,
}

impl Expect {
    fn success(self) -> bool {
        (200..300).contains(&self.status)
    }
}

const fn ok(status: u16) -> Expect {
    Expect { status, code: None }
}

const fn refused(status: u16, code: &'static str) -> Expect {
    Expect {
        status,
        code: Some(code),
    }
}

/// Rule 1: no session.
const UNAUTHENTICATED: Expect = refused(401, "unauthenticated");
/// Rule 5: the role may not do this anywhere.
const FORBIDDEN: Expect = refused(403, "forbidden");
/// Rule 6: outside the caller's place the record does not exist.
const NOT_FOUND: Expect = refused(404, "not_found");
/// Rule 8: an account or role not below the caller's.
const ROLE_NOT_BELOW: Expect = refused(403, "role_not_below");

// The policy's grant table (rule 5), restated per action.
/// Logging visits.
const TEAM_PEOPLE: &[Who] = &[Member, Leader];
/// Reading teams.
const SIGNED_IN: &[Who] = &[Member, Leader, CommuneStaff, ProvinceStaff, Admin];
/// Reviewing visits; reading units, accounts and the audit log; keeping accounts.
const STAFF: &[Who] = &[CommuneStaff, ProvinceStaff, Admin];
/// Keeping villages and teams, importing rosters, handling difficulties; exporting and
/// erasing a household's personal data.
const COMMUNE_KEEPERS: &[Who] = &[CommuneStaff, Admin];
/// Reading difficulties and a village's households.
const DIFFICULTY_READERS: &[Who] = &[Leader, CommuneStaff, ProvinceStaff, Admin];
/// Keeping a team's roster; merging households.
const ROSTER_KEEPERS: &[Who] = &[Leader, CommuneStaff, Admin];
/// Keeping a province's catalogue.
const CATALOGUE_KEEPERS: &[Who] = &[ProvinceStaff, Admin];

/// Rule 6: whether a record of `target` lies in the caller's place. Administrators reach the
/// deployment, province staff P1, commune staff C1, leaders and members T1 (members read
/// only their own visits, but no route of their own-only actions takes a record).
fn in_place(who: Who, target: Target) -> bool {
    match who {
        Admin => true,
        ProvinceStaff => target != OtherProvince,
        CommuneStaff => matches!(target, Own | SameTeam | OtherTeam),
        Leader | Member => matches!(target, Own | SameTeam),
        Anonymous => false,
    }
}

/// Rules 5 and 6 for a route acting on one record: a role without the action is refused
/// whatever the record (403 `forbidden`); a record outside the place is 404, never 403.
fn scoped(who: Who, target: Target, allowed: &[Who], success: u16) -> Expect {
    if !allowed.contains(&who) {
        FORBIDDEN
    } else if in_place(who, target) {
        ok(success)
    } else {
        NOT_FOUND
    }
}

/// Rule 5 for a route without a record.
fn granted(who: Who, allowed: &[Who], success: u16) -> Expect {
    if allowed.contains(&who) {
        ok(success)
    } else {
        FORBIDDEN
    }
}

// ---------------------------------------------------------------------------------------
// The table.
// ---------------------------------------------------------------------------------------

/// Whose session sends a request.
#[derive(Clone, Debug)]
enum Caller {
    /// The caller's signed-in client, shared by all their cells.
    Shared,
    /// A new session of the caller's own account (signing out must not end the shared one).
    FreshSession,
    /// A new account of the caller's role and place, for a cell that would change the
    /// caller's own account (its password, its place on a roster).
    As(Person),
}

/// One request of a cell.
struct Call {
    caller: Caller,
    path: String,
    body: Option<Value>,
}

impl Call {
    fn to(path: impl Into<String>) -> Self {
        Self {
            caller: Caller::Shared,
            path: path.into(),
            body: None,
        }
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn by(mut self, caller: Caller) -> Self {
        self.caller = caller;
        self
    }
}

/// Checks the body of a successful answer (lists: nothing outside the caller's place).
type Check = fn(&Ctx, Who, &Value) -> Result<(), String>;

/// One documented operation.
struct Row {
    method: Method,
    /// The path as the OpenAPI document writes it.
    path: &'static str,
    /// [`NO_RECORD`] or the record targets that apply.
    targets: &'static [Target],
    /// Answers without a session (rule 1): every other row expects 401 from nobody.
    public: bool,
    /// The answer of a signed-in caller (and of nobody, for public rows).
    expect: fn(Who, Target) -> Expect,
    /// The request for a caller and target; `fresh` when the cell is expected to change
    /// something, so it acts on a record made for it alone. `None`: the cell does not apply
    /// (staff have no visits, team, or roster place of their own).
    build: fn(&Ctx, Who, Target, bool) -> Option<Call>,
    check: Option<Check>,
}

/// Every documented operation, in the order of the routers.
fn rows() -> Vec<Row> {
    vec![
        // --- health: answers everyone (rule 1).
        Row {
            method: Method::GET,
            path: "/api/health",
            targets: NO_RECORD,
            public: true,
            expect: |_, _| ok(200),
            build: |_, _, _, _| Some(Call::to("/api/health")),
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/openapi.json",
            targets: NO_RECORD,
            public: true,
            expect: |_, _| ok(200),
            build: |_, _, _, _| Some(Call::to("/api/openapi.json")),
            check: None,
        },
        // --- auth.
        // Sign-in answers everyone (rule 1): a wrong password is refused alike for all; one's
        // own right password signs in, again, from the shared client.
        Row {
            method: Method::POST,
            path: "/api/auth/login",
            targets: &[NA, Own],
            public: true,
            expect: |_, target| match target {
                Own => ok(200),
                _ => refused(401, "wrong_credentials"),
            },
            build: |ctx, who, target, _| {
                let body = match target {
                    Own => json!({ "phone": ctx.w.actor(who)?.phone, "password": PASSWORD }),
                    _ => json!({ "phone": ctx.w.member.phone, "password": "not-the-password" }),
                };
                Some(Call::to("/api/auth/login").json(body))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/auth/logout",
            targets: NO_RECORD,
            public: false,
            expect: |_, _| ok(204),
            build: |_, _, _, fresh| {
                let caller = if fresh {
                    Caller::FreshSession
                } else {
                    Caller::Shared
                };
                Some(Call::to("/api/auth/logout").by(caller))
            },
            check: None,
        },
        // Rule 4: reading oneself and changing one's password are for every account.
        Row {
            method: Method::GET,
            path: "/api/auth/me",
            targets: NO_RECORD,
            public: false,
            expect: |_, _| ok(200),
            build: |_, _, _, _| Some(Call::to("/api/auth/me")),
            check: Some(check_me),
        },
        Row {
            method: Method::POST,
            path: "/api/auth/password",
            targets: NO_RECORD,
            public: false,
            expect: |_, _| ok(204),
            build: |ctx, who, _, fresh| {
                let caller = match fresh {
                    true => Caller::As(ctx.fresh_actor(who)?.0),
                    false => Caller::Shared,
                };
                let body = json!({ "current": PASSWORD, "new": "một mật khẩu mới 2026" });
                Some(Call::to("/api/auth/password").json(body).by(caller))
            },
            check: None,
        },
        // --- catalogue: reading it is for every account (rule 4); keeping it is province
        // staff's (their province) and administrators'.
        Row {
            method: Method::GET,
            path: "/api/catalogue",
            targets: NO_RECORD,
            public: false,
            expect: |_, _| ok(200),
            build: |_, _, _, _| Some(Call::to("/api/catalogue")),
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/units/{id}/activities",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, CATALOGUE_KEEPERS, 200),
            build: |ctx, who, target, _| {
                let province = ctx.province(who, target)?;
                Some(Call::to(format!("/api/units/{province}/activities")))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/units/{id}/activities",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, CATALOGUE_KEEPERS, 201),
            build: |ctx, who, target, _| {
                let province = ctx.province(who, target)?;
                let body =
                    json!({ "task_group": "digital_society", "name_vi": ctx.unique("Hoạt động") });
                Some(Call::to(format!("/api/units/{province}/activities")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::PATCH,
            path: "/api/units/{id}/activities/{code}",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, CATALOGUE_KEEPERS, 200),
            build: |ctx, who, target, fresh| {
                let province = ctx.province(who, target)?;
                let code = match fresh {
                    true => ctx.fresh_activity(province),
                    false => ctx.w.activity_of(province),
                };
                let body = json!({ "name_vi": ctx.unique("Tên khác") });
                Some(Call::to(format!("/api/units/{province}/activities/{code}")).json(body))
            },
            check: None,
        },
        // The kinds of difficulty: the same keepers as the catalogue.
        Row {
            method: Method::GET,
            path: "/api/units/{id}/difficulty-categories",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, CATALOGUE_KEEPERS, 200),
            build: |ctx, who, target, _| {
                let province = ctx.province(who, target)?;
                Some(Call::to(format!(
                    "/api/units/{province}/difficulty-categories"
                )))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/units/{id}/difficulty-categories",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, CATALOGUE_KEEPERS, 201),
            build: |ctx, who, target, _| {
                let province = ctx.province(who, target)?;
                let body = json!({ "name_vi": ctx.unique("Khó khăn") });
                Some(Call::to(format!("/api/units/{province}/difficulty-categories")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::PATCH,
            path: "/api/units/{id}/difficulty-categories/{code}",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, CATALOGUE_KEEPERS, 200),
            build: |ctx, who, target, _| {
                let province = ctx.province(who, target)?;
                let body = json!({ "name_vi": ctx.unique("Tên khác") });
                Some(
                    Call::to(format!("/api/units/{province}/difficulty-categories/other"))
                        .json(body),
                )
            },
            check: None,
        },
        // --- sync: only people on a team log visits (rules 5, 7); everyone pulls their own
        // feed; conflicts are read over the caller's place (a member: their own).
        Row {
            method: Method::POST,
            path: "/api/sync/push",
            targets: NO_RECORD,
            public: false,
            expect: |who, _| granted(who, TEAM_PEOPLE, 200),
            build: |_, _, _, _| {
                let body = json!({ "visits": [visit(Uuid::now_v7(), 1, 0, "ma trận")] });
                Some(Call::to("/api/sync/push").json(body))
            },
            check: Some(check_push),
        },
        Row {
            method: Method::GET,
            path: "/api/sync/pull",
            targets: NO_RECORD,
            public: false,
            expect: |_, _| ok(200),
            build: |_, _, _, _| Some(Call::to("/api/sync/pull?limit=500")),
            check: Some(check_pull),
        },
        Row {
            method: Method::GET,
            path: "/api/sync/conflicts",
            targets: NO_RECORD,
            public: false,
            expect: |_, _| ok(200),
            build: |_, _, _, _| Some(Call::to("/api/sync/conflicts")),
            check: Some(check_conflicts),
        },
        // --- visits.
        Row {
            method: Method::GET,
            path: "/api/visits",
            targets: NO_RECORD,
            public: false,
            expect: |_, _| ok(200),
            build: |_, _, _, _| Some(Call::to("/api/visits")),
            check: Some(check_visits),
        },
        Row {
            method: Method::POST,
            path: "/api/visits/{id}/review",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, STAFF, 204),
            build: |ctx, who, target, fresh| {
                let fixture = ctx.visit(who, target)?;
                let visit = match fresh {
                    true => ctx.fresh_visit(&ctx.person(who, target)?),
                    false => fixture,
                };
                let body = json!({ "action": "approve" });
                Some(Call::to(format!("/api/visits/{visit}/review")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/visits/{id}/mark",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, &[Leader], 204),
            build: |ctx, who, target, _| {
                let visit = ctx.visit(who, target)?;
                let body = json!({ "mark": "has_issues", "comment": "Ghi rõ ví nào" });
                Some(Call::to(format!("/api/visits/{visit}/mark")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/visits/{id}/resolve",
            targets: RECORDS,
            public: false,
            // The author settles their own conflicts, the leader their team's.
            expect: |who, target| match (who, target) {
                (Member, SameTeam) => NOT_FOUND,
                _ => scoped(who, target, TEAM_PEOPLE, 200),
            },
            build: |ctx, who, target, fresh| {
                let author = ctx.person(who, target)?;
                let (visit, keep) = match fresh {
                    true => ctx.fresh_conflict(&author),
                    false => (ctx.visit(who, target)?, 1),
                };
                Some(Call::to(format!("/api/visits/{visit}/resolve")).json(json!({ "keep": keep })))
            },
            check: None,
        },
        // --- the review loop: the queue and bulk approval (staff), difficulties, households.
        Row {
            method: Method::GET,
            path: "/api/review/queue",
            targets: NO_RECORD,
            public: false,
            expect: |who, _| granted(who, STAFF, 200),
            build: |_, _, _, _| Some(Call::to("/api/review/queue?limit=200")),
            check: Some(check_queue),
        },
        Row {
            method: Method::POST,
            path: "/api/review/approve",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, STAFF, 200),
            build: |ctx, who, target, fresh| {
                let fixture = ctx.visit(who, target)?;
                let visit = match fresh {
                    true => ctx.fresh_visit(&ctx.person(who, target)?),
                    false => fixture,
                };
                let body = json!({ "ids": [visit], "as_of": i64::MAX });
                Some(Call::to("/api/review/approve").json(body))
            },
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/difficulties",
            targets: NO_RECORD,
            public: false,
            expect: |who, _| granted(who, DIFFICULTY_READERS, 200),
            build: |_, _, _, _| Some(Call::to("/api/difficulties?status=all")),
            check: Some(check_difficulties),
        },
        Row {
            method: Method::POST,
            path: "/api/difficulties/{id}/handle",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, COMMUNE_KEEPERS, 204),
            build: |ctx, who, target, _| {
                ctx.visit(who, target)?;
                let visit = ctx.fresh_difficulty(&ctx.person(who, target)?);
                let body = json!({ "comment": "Đã hẹn công an xã làm căn cước" });
                Some(Call::to(format!("/api/difficulties/{visit}/handle")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/difficulty-categories",
            targets: NO_RECORD,
            public: false,
            expect: |who, _| granted(who, SIGNED_IN, 200),
            build: |_, _, _, _| Some(Call::to("/api/difficulty-categories")),
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/units/{id}/households",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, DIFFICULTY_READERS, 200),
            build: |ctx, who, target, _| {
                // A staff account's own place holds the first village.
                let village = match target {
                    Own => ctx.w.actor(who).map(|_| ctx.w.villages[0]),
                    _ => ctx.village(who, target),
                }?;
                Some(Call::to(format!("/api/units/{village}/households")))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/households/{id}/merge",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, ROSTER_KEEPERS, 204),
            build: |ctx, who, target, _| {
                ctx.visit(who, target)?;
                let author = ctx.person(who, target)?;
                let merged = ctx.household_of(ctx.fresh_visit(&author));
                let survivor = ctx.household_of(ctx.fresh_visit(&author));
                let body = json!({ "into": survivor });
                Some(Call::to(format!("/api/households/{merged}/merge")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/households/{id}/export",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, COMMUNE_KEEPERS, 200),
            build: |ctx, who, target, _| {
                ctx.visit(who, target)?;
                let household = ctx.household_of(ctx.fresh_visit(&ctx.person(who, target)?));
                Some(Call::to(format!("/api/households/{household}/export")))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/households/{id}/erase",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, COMMUNE_KEEPERS, 200),
            build: |ctx, who, target, _| {
                ctx.visit(who, target)?;
                let household = ctx.household_of(ctx.fresh_visit(&ctx.person(who, target)?));
                Some(Call::to(format!("/api/households/{household}/erase")))
            },
            check: None,
        },
        // --- units: staff read their place; commune staff and administrators keep villages,
        // teams and rosters.
        Row {
            method: Method::GET,
            path: "/api/units",
            targets: NO_RECORD,
            public: false,
            expect: |who, _| granted(who, STAFF, 200),
            build: |_, _, _, _| Some(Call::to("/api/units")),
            check: Some(check_units),
        },
        Row {
            method: Method::GET,
            path: "/api/units/{id}",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, STAFF, 200),
            build: |ctx, who, target, _| {
                Some(Call::to(format!("/api/units/{}", ctx.unit(who, target)?)))
            },
            check: None,
        },
        // Figures: staff over their place.
        Row {
            method: Method::GET,
            path: "/api/units/{id}/figures",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, STAFF, 200),
            build: |ctx, who, target, _| {
                Some(Call::to(format!(
                    "/api/units/{}/figures?period=Y2026",
                    ctx.unit(who, target)?
                )))
            },
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/units/{id}/report",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, STAFF, 200),
            build: |ctx, who, target, _| {
                Some(Call::to(format!(
                    "/api/units/{}/report?period=Y2026&format=csv",
                    ctx.unit(who, target)?
                )))
            },
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/units/{id}/ranking",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, STAFF, 200),
            build: |ctx, who, target, _| {
                Some(Call::to(format!(
                    "/api/units/{}/ranking?period=Y2026",
                    ctx.unit(who, target)?
                )))
            },
            check: None,
        },
        Row {
            method: Method::GET,
            path: "/api/units/{id}/counted-visits",
            targets: RECORDS,
            public: false,
            expect: |who, target| match (who, target) {
                // A staff account's own unit is a commune or a province.
                (CommuneStaff | ProvinceStaff | Admin, Own) => refused(422, "not_a_village"),
                _ => scoped(who, target, STAFF, 200),
            },
            build: |ctx, who, target, _| {
                Some(Call::to(format!(
                    "/api/units/{}/counted-visits?period=Y2026",
                    ctx.village(who, target)?
                )))
            },
            check: None,
        },
        // Targets (rule 9): set from above; a village's by staff over it.
        Row {
            method: Method::PUT,
            path: "/api/units/{id}/targets",
            targets: RECORDS,
            public: false,
            expect: |who, target| match (who, target) {
                // Nobody sets their own unit's target; a province takes none of its own.
                (CommuneStaff, Own) => FORBIDDEN,
                (ProvinceStaff | Admin, Own) => refused(422, "no_targets"),
                _ => scoped(who, target, STAFF, 200),
            },
            build: |ctx, who, target, _| {
                let body = json!({ "period": "Q2026-4", "indicator": "households", "value": 40 });
                Some(
                    Call::to(format!("/api/units/{}/targets", ctx.village(who, target)?))
                        .json(body),
                )
            },
            check: None,
        },
        Row {
            method: Method::PATCH,
            path: "/api/units/{id}",
            targets: RECORDS,
            public: false,
            expect: |who, target| match (who, target) {
                // The caller's own unit is a commune or a province: they come from the
                // national list and are not changed here.
                (CommuneStaff | Admin, Own) => refused(422, "not_a_village"),
                _ => scoped(who, target, COMMUNE_KEEPERS, 200),
            },
            build: |ctx, who, target, fresh| {
                let fixture = ctx.village(who, target)?;
                // Only commune-wide roles may rename, so a new village of the target's
                // commune stands for the target's village.
                let village = match fresh {
                    true => ctx.fresh_village(ctx.commune(who, target)?).0,
                    false => fixture,
                };
                let body = json!({ "name": ctx.unique("Thôn đổi tên"), "household_count": 321 });
                Some(Call::to(format!("/api/units/{village}")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/units/{id}/villages",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, COMMUNE_KEEPERS, 201),
            build: |ctx, who, target, _| {
                let commune = ctx.commune(who, target)?;
                let body = json!({ "name": ctx.unique("Thôn mới"), "household_count": 120 });
                Some(Call::to(format!("/api/units/{commune}/villages")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/units/{id}/teams",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, COMMUNE_KEEPERS, 201),
            build: |ctx, who, target, fresh| {
                let commune = ctx.commune(who, target)?;
                // One team per village: a success needs a village without one.
                let village = match fresh {
                    true => ctx.fresh_village(commune).0,
                    false => ctx.village(who, target)?,
                };
                let body = json!({
                    "name": ctx.unique("Tổ công nghệ số"),
                    "village_id": village,
                    "decision_no": "7/QĐ-UBND",
                    "decision_date": "2026-01-15",
                });
                Some(Call::to(format!("/api/units/{commune}/teams")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/units/{id}/roster-import",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, COMMUNE_KEEPERS, 200),
            build: |ctx, who, target, fresh| {
                let commune = ctx.commune(who, target)?;
                // A success puts one new person on a new team of the commune.
                let village = match fresh {
                    true => ctx.fresh_team(commune).1,
                    false => "Thôn Một".to_string(),
                };
                let csv = format!(
                    "name,phone,village,affiliation\n{},{},{village},khác\n",
                    ctx.unique("Người nhập"),
                    ctx.phone()
                );
                Some(
                    Call::to(format!("/api/units/{commune}/roster-import"))
                        .json(json!({ "csv": csv })),
                )
            },
            check: Some(check_import),
        },
        // --- teams: everyone reads the teams of their place; commune staff and
        // administrators keep them; leaders keep their own team's roster too.
        Row {
            method: Method::GET,
            path: "/api/teams/{id}",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, SIGNED_IN, 200),
            build: |ctx, who, target, _| {
                Some(Call::to(format!("/api/teams/{}", ctx.team(who, target)?)))
            },
            check: None,
        },
        Row {
            method: Method::PATCH,
            path: "/api/teams/{id}",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, COMMUNE_KEEPERS, 200),
            build: |ctx, who, target, fresh| {
                let fixture = ctx.team(who, target)?;
                // Only commune-wide roles may change a team: a new team of the target's
                // commune stands for the target's team.
                let team = match fresh {
                    true => ctx.fresh_team(ctx.commune(who, target)?).0,
                    false => fixture,
                };
                let body = json!({ "name": ctx.unique("Tổ đổi tên"), "decision_no": "9/QĐ-UBND" });
                Some(Call::to(format!("/api/teams/{team}")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/teams/{id}/members",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, ROSTER_KEEPERS, 201),
            build: |ctx, who, target, _| {
                let team = ctx.team(who, target)?;
                let body = json!({
                    "name": ctx.unique("Thành viên mới"),
                    "phone": ctx.phone(),
                    "affiliation": "youth_union",
                });
                Some(Call::to(format!("/api/teams/{team}/members")).json(body))
            },
            check: None,
        },
        Row {
            method: Method::PATCH,
            path: "/api/teams/{id}/members/{user}",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, ROSTER_KEEPERS, 200),
            build: |ctx, who, target, fresh| {
                let (team, user, caller) = ctx.roster_target(who, target, fresh)?;
                let body = json!({ "affiliation": "police" });
                Some(
                    Call::to(format!("/api/teams/{team}/members/{user}"))
                        .json(body)
                        .by(caller),
                )
            },
            check: None,
        },
        Row {
            method: Method::DELETE,
            path: "/api/teams/{id}/members/{user}",
            targets: RECORDS,
            public: false,
            expect: |who, target| scoped(who, target, ROSTER_KEEPERS, 204),
            build: |ctx, who, target, fresh| {
                let (team, user, caller) = ctx.roster_target(who, target, fresh)?;
                Some(Call::to(format!("/api/teams/{team}/members/{user}")).by(caller))
            },
            check: None,
        },
        // --- users: staff read and keep the accounts of their place, of roles below their
        // own (rule 8); administrators any.
        Row {
            method: Method::GET,
            path: "/api/users",
            targets: NO_RECORD,
            public: false,
            expect: |who, _| granted(who, STAFF, 200),
            build: |_, _, _, _| Some(Call::to("/api/users")),
            check: Some(check_users),
        },
        Row {
            method: Method::POST,
            path: "/api/users",
            targets: RECORDS,
            public: false,
            expect: |who, target| match who {
                // Rule 8: commune staff is not below commune staff (and the roles below, team
                // people, join through rosters: commune staff create no account here). The
                // refusal is about the role asked for, tells nothing of the unit, comes first.
                CommuneStaff => ROLE_NOT_BELOW,
                _ => scoped(who, target, STAFF, 201),
            },
            build: |ctx, who, target, _| {
                let commune = ctx.commune(who, target)?;
                let body = json!({
                    "name": ctx.unique("Cán bộ xã"),
                    "phone": ctx.phone(),
                    "role": "commune_staff",
                    "unit_id": commune,
                });
                Some(Call::to("/api/users").json(body))
            },
            check: None,
        },
        Row {
            method: Method::PATCH,
            path: "/api/users/{id}",
            targets: RECORDS,
            public: false,
            expect: |who, target| match (who, target) {
                // Nobody changes their own account here (documented as 409 own_account).
                (CommuneStaff | ProvinceStaff | Admin, Own) => refused(409, "own_account"),
                _ => scoped(who, target, STAFF, 200),
            },
            build: |ctx, who, target, fresh| {
                let (user, caller) = ctx.user_target(who, target, fresh)?;
                let body = json!({ "name": ctx.unique("Tên mới") });
                Some(Call::to(format!("/api/users/{user}")).json(body).by(caller))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/users/{id}/password-reset",
            targets: RECORDS,
            public: false,
            expect: |who, target| match (who, target) {
                // One's own password is changed with POST /api/auth/password.
                (CommuneStaff | ProvinceStaff | Admin, Own) => refused(409, "own_account"),
                _ => scoped(who, target, STAFF, 200),
            },
            build: |ctx, who, target, fresh| {
                let (user, caller) = ctx.user_target(who, target, fresh)?;
                Some(Call::to(format!("/api/users/{user}/password-reset")).by(caller))
            },
            check: None,
        },
        Row {
            method: Method::POST,
            path: "/api/users/{id}/move",
            targets: RECORDS,
            public: false,
            expect: |who, target| match (who, target) {
                // Nobody moves themselves.
                (CommuneStaff | ProvinceStaff | Admin, Own) => refused(409, "own_account"),
                _ => scoped(who, target, STAFF, 200),
            },
            build: |ctx, who, target, fresh| {
                let (user, caller) = ctx.user_target(who, target, fresh)?;
                // A success moves a new person to a new team of the same commune, so the
                // destination is exactly as far from the caller as the person.
                let team = match fresh {
                    true => ctx.fresh_team(ctx.commune(who, target)?).0,
                    false => ctx.w.teams[0],
                };
                let body = json!({ "team_id": team });
                Some(
                    Call::to(format!("/api/users/{user}/move"))
                        .json(body)
                        .by(caller),
                )
            },
            check: None,
        },
        // --- audit.
        Row {
            method: Method::GET,
            path: "/api/audit",
            targets: NO_RECORD,
            public: false,
            expect: |who, _| granted(who, STAFF, 200),
            build: |_, _, _, _| Some(Call::to("/api/audit?limit=200")),
            check: Some(check_audit),
        },
    ]
}

// ---------------------------------------------------------------------------------------
// Checks of list answers: nothing outside the caller's place, and what must be there is.
// ---------------------------------------------------------------------------------------

fn parse<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, String> {
    serde_json::from_value(body.clone()).map_err(|e| format!("unexpected body: {e}"))
}

fn check_me(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let me: Profile = parse(body)?;
    let actor = ctx.w.actor(who).expect("a signed-in caller");
    if me.user_id != actor.id || Some(me.role) != who.role() {
        return Err(format!("answered {} as {:?}", me.user_id, me.role));
    }
    Ok(())
}

fn check_push(_: &Ctx, _: Who, body: &Value) -> Result<(), String> {
    let pushed: PushResponse = parse(body)?;
    match pushed.results.as_slice() {
        [one] if one.result == PushOutcome::Applied => Ok(()),
        other => Err(format!("the visit was not applied: {other:?}")),
    }
}

fn check_import(_: &Ctx, _: Who, body: &Value) -> Result<(), String> {
    let report: ImportReport = parse(body)?;
    if report.added.len() != 1 || !report.refused.is_empty() {
        return Err(format!("expected one person added: {report:?}"));
    }
    Ok(())
}

/// The visits a list holds are all in the caller's place, and the fixture visit that
/// should be there is.
fn visits_in_place(ctx: &Ctx, who: Who, ids: &[Uuid]) -> Result<(), String> {
    for &id in ids {
        if !ctx.visit_in_place(who, id) {
            return Err(format!("holds visit {id}, outside the caller's place"));
        }
    }
    let expected = ctx.w.visible_visit(who);
    if !ids.contains(&expected) {
        return Err(format!(
            "misses visit {expected}, inside the caller's place"
        ));
    }
    Ok(())
}

fn check_visits(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let list: VisitList = parse(body)?;
    let ids: Vec<Uuid> = list.visits.iter().map(|v| v.record.id).collect();
    visits_in_place(ctx, who, &ids)
}

/// The queue holds nothing outside the caller's place.
fn check_queue(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let queue: ReviewQueue = parse(body)?;
    for item in &queue.items {
        if !ctx.visit_in_place(who, item.visit.id) {
            return Err(format!(
                "queues visit {}, outside the caller's place",
                item.visit.id
            ));
        }
    }
    Ok(())
}

/// The difficulties listed are all of visits in the caller's place.
fn check_difficulties(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let list: DifficultyList = parse(body)?;
    for item in &list.difficulties {
        if !ctx.visit_in_place(who, item.visit_id) {
            return Err(format!(
                "lists visit {}, outside the caller's place",
                item.visit_id
            ));
        }
    }
    Ok(())
}

fn check_conflicts(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let list: ConflictList = parse(body)?;
    let ids: Vec<Uuid> = list.conflicts.iter().map(|c| c.visit_id).collect();
    visits_in_place(ctx, who, &ids)
}

/// The feed carries only the caller's own visits (a leader's: and their team's), their own
/// team's roster and villages, and
/// no other province's own catalogue entries.
fn check_pull(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let page: PullResponse = parse(body)?;
    let me = ctx.w.actor(who).expect("a signed-in caller");
    let team = ctx.w.own_team(who);
    let own_visit = ctx.w.visits.get(&me.id);
    let mut saw_own_visit = false;
    for item in &page.items {
        if let Some(visit) = &item.visit {
            let (author, visit_team, _) = ctx.visit_place(visit.id);
            // A leader's feed carries the team's recent visits too.
            let teams_visit = who == Leader && Some(visit_team) == team;
            if author != me.id && !teams_visit {
                return Err(format!("carries visit {} of {author}", visit.id));
            }
            saw_own_visit |= own_visit == Some(&visit.id);
        }
        if let Some(member) = &item.member {
            if Some(member.team_id) != team {
                return Err(format!("carries the roster of team {}", member.team_id));
            }
        }
        if let Some(household) = &item.household {
            if team.is_none() || household.village_id != ctx.w.villages[0] {
                return Err(format!(
                    "carries a household of village {}",
                    household.village_id
                ));
            }
        }
        if let Some(activity) = &item.activity {
            if let Some(province) = ctx.activity_province(&activity.code) {
                if province != ctx.w.p1 {
                    return Err(format!("carries {} of province {province}", activity.code));
                }
            }
        }
    }
    if own_visit.is_some() && !saw_own_visit {
        return Err("misses the caller's own visit".into());
    }
    Ok(())
}

fn check_units(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let list: UnitList = parse(body)?;
    let ids: Vec<i64> = list.units.iter().map(|u| u.id).collect();
    let w = ctx.w;
    let right = match who {
        CommuneStaff => ids == [w.c1],
        ProvinceStaff => ids == [w.p1],
        Admin => ids.len() == 34 && ids.contains(&w.p1) && ids.contains(&w.p2),
        _ => false,
    };
    match right {
        true => Ok(()),
        false => Err(format!("answered units {ids:?}")),
    }
}

/// The root of a staff caller's place, for lists of accounts and the audit log.
fn place_root(ctx: &Ctx, who: Who) -> Option<i64> {
    match who {
        CommuneStaff => Some(ctx.w.c1),
        ProvinceStaff => Some(ctx.w.p1),
        _ => None,
    }
}

fn check_users(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let list: UserList = parse(body)?;
    if let Some(root) = place_root(ctx, who) {
        if let Some(user) = list.users.iter().find(|u| !ctx.under(u.unit.id, root)) {
            return Err(format!("holds {} of unit {}", user.id, user.unit.id));
        }
    }
    let expected = match who {
        CommuneStaff => &ctx.w.others[0],
        ProvinceStaff => &ctx.w.others[1],
        _ => &ctx.w.others[2],
    };
    match list.users.iter().any(|u| u.id == expected.id) {
        true => Ok(()),
        false => Err(format!("misses {}, inside the caller's place", expected.id)),
    }
}

fn check_audit(ctx: &Ctx, who: Who, body: &Value) -> Result<(), String> {
    let log: app::api::AuditList = parse(body)?;
    if let Some(root) = place_root(ctx, who) {
        for entry in &log.entries {
            if !entry.unit_id.is_some_and(|unit| ctx.under(unit, root)) {
                return Err(format!(
                    "holds entry {} of unit {:?}",
                    entry.id, entry.unit_id
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The world: one server and its fixtures, for the whole file.
// ---------------------------------------------------------------------------------------

/// An account: its id and the phone number it signs in with (the password is [`PASSWORD`]).
#[derive(Clone, Debug)]
struct Person {
    id: Uuid,
    phone: String,
}

struct World {
    base: String,
    db: PathBuf,
    /// The hash of [`PASSWORD`], made once: hashing is deliberately slow.
    hash: String,
    p1: i64,
    p2: i64,
    c1: i64,
    c2: i64,
    c3: i64,
    /// V1..V4.
    villages: [i64; 4],
    /// T1..T4.
    teams: [Uuid; 4],
    member: Person,
    leader: Person,
    commune_staff: Person,
    province_staff: Person,
    admin: Person,
    /// M2, on T1.
    member2: Person,
    /// X2, X3, X4, on T2, T3, T4.
    others: [Person; 3],
    /// Each team person's visit, pushed by them and flagged with a conflict.
    visits: HashMap<Uuid, Uuid>,
    /// A province's own catalogue entry of P1 and of P2.
    activities: [String; 2],
}

/// Fixtures are written through a connection of their own, beside the server's one writer.
/// Both write in deferred transactions, so a write of one landing between the other's first
/// read and first write makes that one fail with `SQLITE_BUSY` at once (no busy timeout
/// applies): the server would answer 500. Requests hold the gate shared while in flight;
/// fixtures are written holding it alone.
static GATE: LazyLock<tokio::sync::RwLock<()>> = LazyLock::new(|| tokio::sync::RwLock::new(()));

/// Numbers for unique phone numbers and names, across every test of the file.
static SERIAL: AtomicU64 = AtomicU64::new(1);

fn serial() -> u64 {
    SERIAL.fetch_add(1, Ordering::Relaxed)
}

/// A phone number no account has: ten digits starting with 0.
fn fresh_phone() -> String {
    format!("08{:08}", serial())
}

/// Makes an account directly in the database (and puts it on a team's roster).
fn account(
    conn: &Connection,
    hash: &str,
    role: Role,
    unit: i64,
    team: Option<(Uuid, Position)>,
) -> Person {
    let phone = fresh_phone();
    let name = format!("Người thử {}", serial());
    let now = now_ms();
    let new = users::NewAccount {
        phone: &phone,
        name: &name,
        password_hash: hash,
        role,
        unit_id: unit,
        must_change_password: false,
    };
    let id = users::create(conn, &new, now).expect("a fixture account");
    if let Some((team, position)) = team {
        teams::join_roster(conn, team, id, position, Affiliation::Other, now).expect("a place");
    }
    Person { id, phone }
}

/// A province's own catalogue entry, made directly in the database.
fn own_activity(conn: &Connection, province: i64) -> String {
    let code = format!("authz-{}", serial());
    conn.execute(
        "INSERT INTO activity_types (code, task_group, name_vi, name_en, sort_order, province_id) \
         VALUES (?1, 'information', ?1, ?1, 2000, ?2)",
        rusqlite::params![code, province],
    )
    .expect("a fixture activity");
    code
}

async fn sign_in(base: &str, phone: &str) -> Client {
    let _in_flight = GATE.read().await;
    let client = anonymous();
    let response = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "phone": phone, "password": PASSWORD }))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200, "{phone} signs in");
    client
}

fn anonymous() -> Client {
    Client::builder().cookie_store(true).build().unwrap()
}

impl World {
    /// The world of this file, built once (the first test to ask waits for it).
    fn get() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(|| {
            // The server needs a runtime that outlives every test (each `#[tokio::test]` has
            // its own, gone when it ends): it gets a thread of its own.
            let (sender, receiver) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    sender.send(World::build().await).unwrap();
                    std::future::pending::<()>().await;
                });
            });
            receiver.recv().expect("the world is built")
        })
    }

    async fn build() -> World {
        // One fixed folder, emptied first, so runs do not pile up databases.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("authz-matrix");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("authz.db");
        let mut args = ServeArgs::for_db(db.clone());
        args.site_root = Some(dir.join("no-site"));
        // Hundreds of sign-ins: no limit (0).
        args.sign_in_limit_phone = 0;
        args.sign_in_limit_address = 0;
        // Opening the store loads the national list of provinces and communes.
        let app = Application::build(args).await.expect("the server starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let hash = password_auth::generate_hash(PASSWORD);

        let conn = server::db::connect(&db).unwrap();
        let now = now_ms();
        let commune = |code| units::commune_id(&conn, code).unwrap();
        let (c1, c2, c3) = (commune("21628"), commune("21553"), commune("4"));
        let parent = |unit: i64| -> i64 {
            conn.query_row("SELECT parent_id FROM units WHERE id = ?1", [unit], |r| {
                r.get(0)
            })
            .unwrap()
        };
        let (p1, p2) = (parent(c1), parent(c3));
        assert_eq!(parent(c2), p1, "C1 and C2 are in the same province");
        assert_ne!(p1, p2);
        let places = [
            (c1, "Thôn Một"),
            (c1, "Thôn Hai"),
            (c2, "Thôn Ba"),
            (c3, "Thôn Bốn"),
        ];
        let mut villages = [0; 4];
        let mut team_ids = [Uuid::nil(); 4];
        for (i, (commune, name)) in places.into_iter().enumerate() {
            villages[i] = units::add_village(&conn, commune, "thôn", name, Some(200), now).unwrap();
            team_ids[i] = teams::create(
                &conn,
                villages[i],
                commune,
                &format!("Tổ công nghệ số {name}"),
                (None, None),
                now,
            )
            .unwrap();
        }
        let on = |i: usize, position| {
            account(
                &conn,
                &hash,
                Role::Member,
                villages[i],
                Some((team_ids[i], position)),
            )
        };
        let leader = on(0, Position::Leader);
        let member = on(0, Position::Member);
        let member2 = on(0, Position::Member);
        let others = [
            on(1, Position::Member),
            on(2, Position::Member),
            on(3, Position::Member),
        ];
        let commune_staff = account(&conn, &hash, Role::CommuneStaff, c1, None);
        let province_staff = account(&conn, &hash, Role::ProvinceStaff, p1, None);
        let admin = account(&conn, &hash, Role::Admin, p1, None);
        let activities = [own_activity(&conn, p1), own_activity(&conn, p2)];
        drop(conn);

        tokio::spawn(app.run_until_stopped());

        // Each team person pushes a visit, then two edits of its first version: the second
        // is a conflict, so every team has a visit and a conflict to see or not.
        let mut visits = HashMap::new();
        let authors = [
            &member, &leader, &member2, &others[0], &others[1], &others[2],
        ];
        for author in authors {
            let client = sign_in(&base, &author.phone).await;
            let id = Uuid::now_v7();
            let batch = json!({ "visits": [visit(id, 1, 0, "một"), visit(id, 2, 1, "hai"), visit(id, 3, 1, "ba")] });
            let response = client
                .post(format!("{base}/api/sync/push"))
                .json(&batch)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let pushed: PushResponse = response.json().await.unwrap();
            let results: Vec<PushOutcome> = pushed.results.iter().map(|r| r.result).collect();
            assert_eq!(
                results,
                [
                    PushOutcome::Applied,
                    PushOutcome::Applied,
                    PushOutcome::Conflict
                ]
            );
            visits.insert(author.id, id);
        }

        World {
            base,
            db,
            hash,
            p1,
            p2,
            c1,
            c2,
            c3,
            villages,
            teams: team_ids,
            member,
            leader,
            commune_staff,
            province_staff,
            admin,
            member2,
            others,
            visits,
            activities,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn actor(&self, who: Who) -> Option<&Person> {
        match who {
            Anonymous => None,
            Member => Some(&self.member),
            Leader => Some(&self.leader),
            CommuneStaff => Some(&self.commune_staff),
            ProvinceStaff => Some(&self.province_staff),
            Admin => Some(&self.admin),
        }
    }

    /// M2, X2, X3, X4.
    fn person_at(&self, target: Target) -> &Person {
        match slot(target) {
            0 => &self.member2,
            i => &self.others[i - 1],
        }
    }

    fn own_team(&self, who: Who) -> Option<Uuid> {
        matches!(who, Member | Leader).then_some(self.teams[0])
    }

    fn own_commune(&self, who: Who) -> Option<i64> {
        matches!(who, Member | Leader | CommuneStaff).then_some(self.c1)
    }

    /// The unit an account works in.
    fn own_unit(&self, who: Who) -> Option<i64> {
        match who {
            Anonymous => None,
            Member | Leader => Some(self.villages[0]),
            CommuneStaff => Some(self.c1),
            ProvinceStaff | Admin => Some(self.p1),
        }
    }

    fn activity_of(&self, province: i64) -> String {
        let i = usize::from(province != self.p1);
        self.activities[i].clone()
    }

    /// A fixture visit the caller's visit list must hold: the farthest one in their place.
    fn visible_visit(&self, who: Who) -> Uuid {
        let author = match who {
            Member => &self.member,
            Leader => &self.member2,
            CommuneStaff => &self.others[0],
            ProvinceStaff => &self.others[1],
            Anonymous | Admin => &self.others[2],
        };
        self.visits[&author.id]
    }
}

// ---------------------------------------------------------------------------------------
// Per-test context: the world, a database connection for fresh records, lookups.
// ---------------------------------------------------------------------------------------

struct Ctx {
    w: &'static World,
    conn: Mutex<Connection>,
}

impl Ctx {
    fn new() -> Self {
        let w = World::get();
        Self {
            w,
            conn: Mutex::new(server::db::connect(&w.db).unwrap()),
        }
    }

    fn phone(&self) -> String {
        fresh_phone()
    }

    fn unique(&self, prefix: &str) -> String {
        format!("{prefix} {}", serial())
    }

    // What a target is for each kind of record; `Own` is the caller's own, if they have one.

    fn team(&self, who: Who, target: Target) -> Option<Uuid> {
        match target {
            NA => None,
            Own => self.w.own_team(who),
            _ => Some(self.w.teams[slot(target)]),
        }
    }

    fn commune(&self, who: Who, target: Target) -> Option<i64> {
        let w = self.w;
        match target {
            NA => None,
            Own => w.own_commune(who),
            _ => Some([w.c1, w.c1, w.c2, w.c3][slot(target)]),
        }
    }

    fn province(&self, who: Who, target: Target) -> Option<i64> {
        let w = self.w;
        match target {
            NA => None,
            Own => w.actor(who).map(|_| w.p1),
            _ => Some([w.p1, w.p1, w.p1, w.p2][slot(target)]),
        }
    }

    /// For village routes: the target's village; one's own unit, whatever its level.
    fn village(&self, who: Who, target: Target) -> Option<i64> {
        match target {
            NA => None,
            Own => self.w.own_unit(who),
            _ => Some(self.w.villages[slot(target)]),
        }
    }

    /// For reading a unit: the widest unit of the target that is not the caller's too.
    fn unit(&self, who: Who, target: Target) -> Option<i64> {
        let w = self.w;
        match target {
            NA => None,
            Own => w.own_unit(who),
            SameTeam => Some(w.villages[0]),
            OtherTeam => Some(w.villages[1]),
            OtherCommune => Some(w.c2),
            OtherProvince => Some(w.p2),
        }
    }

    fn person(&self, who: Who, target: Target) -> Option<Person> {
        match target {
            NA => None,
            Own => self.w.actor(who).cloned(),
            _ => Some(self.w.person_at(target).clone()),
        }
    }

    fn visit(&self, who: Who, target: Target) -> Option<Uuid> {
        let author = self.person(who, target)?;
        self.w.visits.get(&author.id).copied()
    }

    /// An account for an account route: a new team person of the target's team when the
    /// cell may change it; for `Own`, a new account of the caller's role that acts on itself.
    fn user_target(&self, who: Who, target: Target, fresh: bool) -> Option<(Uuid, Caller)> {
        match target {
            NA => None,
            Own if fresh => {
                let (person, _) = self.fresh_actor(who)?;
                Some((person.id, Caller::As(person)))
            }
            Own => Some((self.w.actor(who)?.id, Caller::Shared)),
            _ if fresh => Some((
                self.fresh_member(self.w.teams[slot(target)]).id,
                Caller::Shared,
            )),
            _ => Some((self.w.person_at(target).id, Caller::Shared)),
        }
    }

    /// A team and a person on it, for roster routes: the same rules as [`Ctx::user_target`];
    /// for `Own`, the caller's own place on their team's roster.
    fn roster_target(&self, who: Who, target: Target, fresh: bool) -> Option<(Uuid, Uuid, Caller)> {
        match target {
            NA => None,
            Own if fresh => {
                let (person, team) = self.fresh_actor(who)?;
                Some((team?, person.id, Caller::As(person)))
            }
            Own => Some((self.w.own_team(who)?, self.w.actor(who)?.id, Caller::Shared)),
            _ => {
                let team = self.w.teams[slot(target)];
                let user = match fresh {
                    true => self.fresh_member(team).id,
                    false => self.w.person_at(target).id,
                };
                Some((team, user, Caller::Shared))
            }
        }
    }

    // Fresh records, straight into the database (the server sees them at once: WAL).

    fn fresh_village(&self, commune: i64) -> (i64, String) {
        let name = self.unique("Thôn thử");
        let conn = self.conn.lock().unwrap();
        let id = units::add_village(&conn, commune, "thôn", &name, Some(90), now_ms()).unwrap();
        (id, name)
    }

    /// A new team on a new village of `commune`, and the village's name.
    fn fresh_team(&self, commune: i64) -> (Uuid, String) {
        let (village, name) = self.fresh_village(commune);
        let conn = self.conn.lock().unwrap();
        let team = teams::create(&conn, village, commune, &name, (None, None), now_ms()).unwrap();
        (team, name)
    }

    fn fresh_member(&self, team: Uuid) -> Person {
        let conn = self.conn.lock().unwrap();
        let unit: i64 = conn
            .query_row(
                "SELECT unit_id FROM teams WHERE id = ?1",
                [team.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        account(
            &conn,
            &self.w.hash,
            Role::Member,
            unit,
            Some((team, Position::Member)),
        )
    }

    /// A new account of the caller's role and place, and its team: a member of T1; a
    /// leader of a new team of C1 (T1 keeps its leader); staff of C1 or P1.
    fn fresh_actor(&self, who: Who) -> Option<(Person, Option<Uuid>)> {
        let w = self.w;
        Some(match who {
            Anonymous => return None,
            Member => (self.fresh_member(w.teams[0]), Some(w.teams[0])),
            Leader => {
                let (team, _) = self.fresh_team(w.c1);
                let conn = self.conn.lock().unwrap();
                let unit: i64 = conn
                    .query_row(
                        "SELECT unit_id FROM teams WHERE id = ?1",
                        [team.to_string()],
                        |r| r.get(0),
                    )
                    .unwrap();
                let leader = account(
                    &conn,
                    &w.hash,
                    Role::Member,
                    unit,
                    Some((team, Position::Leader)),
                );
                (leader, Some(team))
            }
            CommuneStaff => (self.fresh_staff(Role::CommuneStaff, w.c1), None),
            ProvinceStaff => (self.fresh_staff(Role::ProvinceStaff, w.p1), None),
            Admin => (self.fresh_staff(Role::Admin, w.p1), None),
        })
    }

    fn fresh_staff(&self, role: Role, unit: i64) -> Person {
        let conn = self.conn.lock().unwrap();
        account(&conn, &self.w.hash, role, unit, None)
    }

    fn fresh_activity(&self, province: i64) -> String {
        own_activity(&self.conn.lock().unwrap(), province)
    }

    /// A new submitted visit of `author`, stored by the same code a push runs.
    fn fresh_visit(&self, author: &Person) -> Uuid {
        let id = Uuid::now_v7();
        let record: VisitRecord = serde_json::from_value(visit(id, 1, 0, "cần duyệt")).unwrap();
        let mut conn = self.conn.lock().unwrap();
        let account = users::account(&conn, author.id).unwrap().unwrap();
        let pusher = server::db::visits::Pusher::of(&account);
        let results = server::db::visits::push(&mut conn, pusher, &[record], now_ms()).unwrap();
        assert_eq!(results[0].result, PushOutcome::Applied, "{results:?}");
        id
    }

    /// A visit of `author` raising a difficulty.
    fn fresh_difficulty(&self, author: &Person) -> Uuid {
        let id = Uuid::now_v7();
        let mut raw = visit(id, 1, 0, "gặp khó khăn");
        raw["difficulty"] = json!({ "category": "no_id_card", "note": "Bà chưa có căn cước" });
        let record: VisitRecord = serde_json::from_value(raw).unwrap();
        let mut conn = self.conn.lock().unwrap();
        let account = users::account(&conn, author.id).unwrap().unwrap();
        let pusher = server::db::visits::Pusher::of(&account);
        let results = server::db::visits::push(&mut conn, pusher, &[record], now_ms()).unwrap();
        assert_eq!(results[0].result, PushOutcome::Applied, "{results:?}");
        id
    }

    /// The household a visit names.
    fn household_of(&self, visit: Uuid) -> Uuid {
        let conn = self.conn.lock().unwrap();
        conn.query_row(
            "SELECT household_id FROM visits WHERE id = ?1",
            [visit.to_string()],
            |r| Ok(r.get::<_, String>(0)?.parse().unwrap()),
        )
        .unwrap()
    }

    /// A visit of `author` flagged with conflicting revisions (version 1, then a version 3
    /// edited from a version 2 the server never had); answers it and the number of its first
    /// revision, to keep.
    fn fresh_conflict(&self, author: &Person) -> (Uuid, i64) {
        let id = self.fresh_visit(author);
        let record: VisitRecord =
            serde_json::from_value(visit(id, 3, 2, "sửa từ bản khác")).unwrap();
        let mut conn = self.conn.lock().unwrap();
        let account = users::account(&conn, author.id).unwrap().unwrap();
        let pusher = server::db::visits::Pusher::of(&account);
        let results = server::db::visits::push(&mut conn, pusher, &[record], now_ms()).unwrap();
        assert_eq!(results[0].result, PushOutcome::Conflict, "{results:?}");
        let first = conn
            .query_row(
                "SELECT min(id) FROM visit_revisions WHERE visit_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        (id, first)
    }

    // Lookups for the checks.

    /// A visit's author, team and village.
    fn visit_place(&self, id: Uuid) -> (Uuid, Uuid, i64) {
        let conn = self.conn.lock().unwrap();
        conn.query_row(
            "SELECT member_id, team_id, village_id FROM visits WHERE id = ?1",
            [id.to_string()],
            |r| {
                let author: String = r.get(0)?;
                let team: String = r.get(1)?;
                Ok((author.parse().unwrap(), team.parse().unwrap(), r.get(2)?))
            },
        )
        .unwrap()
    }

    /// Rule 6 for visits: a member's own, a leader's team's, staff's place's, everything.
    fn visit_in_place(&self, who: Who, id: Uuid) -> bool {
        let (author, team, village) = self.visit_place(id);
        match who {
            Member => author == self.w.member.id,
            Leader => team == self.w.teams[0],
            CommuneStaff => self.under(village, self.w.c1),
            ProvinceStaff => self.under(village, self.w.p1),
            Admin => true,
            Anonymous => false,
        }
    }

    /// Whether `unit` is `root` or under it.
    fn under(&self, unit: i64, root: i64) -> bool {
        let conn = self.conn.lock().unwrap();
        conn.query_row(
            "WITH RECURSIVE up(id) AS (SELECT ?1 UNION ALL \
               SELECT u.parent_id FROM units u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL) \
             SELECT COUNT(*) FROM up WHERE id = ?2",
            [unit, root],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            > 0
    }

    /// The province of a province's own catalogue entry (`None` for national entries).
    fn activity_province(&self, code: &str) -> Option<i64> {
        let conn = self.conn.lock().unwrap();
        conn.query_row(
            "SELECT province_id FROM activity_types WHERE code = ?1",
            [code],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()
        .unwrap()
        .flatten()
    }

    /// A signed-in client for every caller (nobody's has no session).
    async fn clients(&self) -> BTreeMap<Who, Client> {
        let mut clients = BTreeMap::new();
        for who in EVERYONE {
            let client = match self.w.actor(who) {
                Some(person) => sign_in(&self.w.base, &person.phone).await,
                None => anonymous(),
            };
            clients.insert(who, client);
        }
        clients
    }
}

// ---------------------------------------------------------------------------------------
// Running cells.
// ---------------------------------------------------------------------------------------

/// What a request answered.
struct Answer {
    status: u16,
    code: Option<String>,
    body: Value,
    text: String,
}

async fn send(
    ctx: &Ctx,
    client: &Client,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Answer {
    let _in_flight = GATE.read().await;
    let mut request = client.request(method, ctx.w.url(path));
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let code = serde_json::from_str::<ErrorBody>(&text)
        .ok()
        .map(|e| e.error.code);
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        code,
        body,
        text,
    }
}

/// Compares an answer with its expectation; `None` when they agree.
fn judge(cell: &str, expected: Expect, answer: &Answer) -> Option<String> {
    let text: String = answer.text.chars().take(200).collect();
    if answer.status != expected.status {
        return Some(format!(
            "{cell}: expected {}{}, got {} {text}",
            expected.status,
            expected.code.map(|c| format!(" {c}")).unwrap_or_default(),
            answer.status
        ));
    }
    match expected.code {
        Some(code) if answer.code.as_deref() != Some(code) => Some(format!(
            "{cell}: expected {} {code}, got {} {text}",
            expected.status, answer.status
        )),
        _ => None,
    }
}

/// What one caller's cells came to.
#[derive(Default)]
struct Tally {
    on_records: usize,
    without_record: usize,
    failures: Vec<String>,
    /// Answers the route's description does not list.
    undocumented: BTreeSet<String>,
}

/// Every cell of one caller, in order (cells of one caller may share their session).
async fn run_caller(
    ctx: &Ctx,
    documented: &Documented,
    rows: &[Row],
    who: Who,
    client: &Client,
) -> Tally {
    let mut tally = Tally::default();
    for row in rows {
        for &target in row.targets {
            if who == Anonymous && target == Own {
                continue;
            }
            // Rule 1 before anything else.
            let expected = if who == Anonymous && !row.public {
                UNAUTHENTICATED
            } else {
                (row.expect)(who, target)
            };
            let call = {
                let _writing_fixtures = GATE.write().await;
                (row.build)(ctx, who, target, expected.success())
            };
            let Some(call) = call else {
                continue;
            };
            match target {
                NA => tally.without_record += 1,
                _ => tally.on_records += 1,
            }
            let client = match &call.caller {
                Caller::Shared => client.clone(),
                Caller::FreshSession => {
                    let me = ctx.w.actor(who).expect("a signed-in caller");
                    sign_in(&ctx.w.base, &me.phone).await
                }
                Caller::As(person) => sign_in(&ctx.w.base, &person.phone).await,
            };
            let answer = send(
                ctx,
                &client,
                row.method.clone(),
                &call.path,
                call.body.as_ref(),
            )
            .await;
            let cell = format!(
                "{who:?} {} {} [{target:?}: {}]",
                row.method, row.path, call.path
            );
            let listed = &documented[row.path][row.method.as_str()];
            if !listed.contains(&answer.status) {
                let code = answer.code.as_deref().unwrap_or("");
                tally.undocumented.insert(format!(
                    "{} {} answers {} {code}, not among its documented {listed:?}",
                    row.method, row.path, answer.status
                ));
            }
            if let Some(failure) = judge(&cell, expected, &answer) {
                tally.failures.push(failure);
                continue;
            }
            if let (true, Some(check)) = (expected.success(), row.check) {
                if let Err(why) = check(ctx, who, &answer.body) {
                    tally.failures.push(format!("{cell}: {why}"));
                }
            }
        }
    }
    tally
}

/// Every operation of the OpenAPI document: path → method (upper case) → the statuses its
/// description lists.
type Documented = BTreeMap<String, BTreeMap<String, BTreeSet<u16>>>;

async fn documented(ctx: &Ctx) -> Documented {
    let _in_flight = GATE.read().await;
    let doc: Value = reqwest::get(ctx.w.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().expect("the document has paths");
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    paths
        .iter()
        .map(|(path, item)| {
            let item = item.as_object().expect("a path item");
            let ops = methods
                .iter()
                .filter_map(|m| Some((m.to_uppercase(), item.get(*m)?)))
                .map(|(method, op)| {
                    let statuses = op["responses"]
                        .as_object()
                        .expect("an operation lists its responses")
                        .keys()
                        .map(|status| status.parse().expect("a numeric status"))
                        .collect();
                    (method, statuses)
                })
                .collect();
            (path.clone(), ops)
        })
        .collect()
}

/// Fails naming every documented operation without a row, and every row the document no
/// longer has.
fn assert_rows_cover(documented: &Documented, rows: &[Row]) {
    let in_doc: BTreeSet<(String, String)> = documented
        .iter()
        .flat_map(|(path, methods)| methods.keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let in_table: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(in_table.len(), rows.len(), "two rows for one operation");
    let missing: Vec<_> = in_doc.difference(&in_table).collect();
    let stale: Vec<_> = in_table.difference(&in_doc).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "documented operations without rows: {missing:?}; rows of no documented operation: {stale:?}"
    );
}

// ---------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn every_documented_operation_has_a_row_and_every_row_a_documented_operation() {
    let ctx = Ctx::new();
    let documented = documented(&ctx).await;
    assert_rows_cover(&documented, &rows());
}

#[tokio::test]
async fn every_caller_gets_exactly_the_policys_answer_on_every_operation_and_target() {
    let started = Instant::now();
    let ctx = Ctx::new();
    let rows = rows();
    // A new route without rows fails the matrix itself, not only the test above.
    let documented = documented(&ctx).await;
    assert_rows_cover(&documented, &rows);
    let clients = ctx.clients().await;
    // Callers run side by side: no cell changes anything another caller's cell reads,
    // because every cell that may change something acts on a record made for it.
    let tallies = futures::future::join_all(
        EVERYONE
            .iter()
            .map(|who| run_caller(&ctx, &documented, &rows, *who, &clients[who])),
    )
    .await;

    let on_records: usize = tallies.iter().map(|t| t.on_records).sum();
    let without_record: usize = tallies.iter().map(|t| t.without_record).sum();
    let failures: Vec<&String> = tallies.iter().flat_map(|t| &t.failures).collect();
    let (operations, callers, targets) = (rows.len(), EVERYONE.len(), RECORDS.len());
    println!(
        "authorisation matrix: {operations} operations × {callers} roles × {targets} targets = {} cells \
         ({} checked: {on_records} on records, {without_record} without a record; {} failed) in {:.1?}",
        operations * callers * targets,
        on_records + without_record,
        failures.len(),
        started.elapsed()
    );
    for failure in &failures {
        println!("  {failure}");
    }
    // An answer the route's description does not list is the description's fault, not the
    // policy's: it is reported here rather than failing the matrix.
    let undocumented: BTreeSet<&String> = tallies.iter().flat_map(|t| &t.undocumented).collect();
    for gap in &undocumented {
        println!("  undocumented answer: {gap}");
    }
    assert!(
        failures.is_empty(),
        "{} cells answered otherwise than the policy:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A concrete path for a documented one, with real ids (the router matches paths first, so
/// the ids only need the right shape).
fn sample_path(w: &World, template: &str) -> String {
    let id = if template.starts_with("/api/units/") {
        w.p1.to_string()
    } else if template.starts_with("/api/teams/") {
        w.teams[0].to_string()
    } else if template.starts_with("/api/users/") {
        w.member2.id.to_string()
    } else if template.starts_with("/api/visits/") {
        w.visits[&w.member.id].to_string()
    } else {
        "1".to_string()
    };
    let path = template
        .replace("{id}", &id)
        .replace("{user}", &w.member2.id.to_string())
        .replace("{code}", &w.activities[0]);
    assert!(
        !path.contains('{'),
        "a path parameter this test does not know: {template}"
    );
    path
}

/// Every route the server answers is in the document: a documented path asked with a method
/// the document does not give it answers 405 in the API's error shape, signed in or not.
#[tokio::test]
async fn a_method_a_documented_path_does_not_take_answers_a_json_405() {
    let ctx = Ctx::new();
    let clients = ctx.clients().await;
    let methods = [
        Method::GET,
        Method::POST,
        Method::PATCH,
        Method::PUT,
        Method::DELETE,
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (template, operations) in documented(&ctx).await {
        let allowed: BTreeSet<String> = operations.into_keys().collect();
        let path = sample_path(ctx.w, &template);
        for method in methods.iter().filter(|m| !allowed.contains(m.as_str())) {
            for who in [Anonymous, Admin] {
                checked += 1;
                let _in_flight = GATE.read().await;
                let response = clients[&who]
                    .request(method.clone(), ctx.w.url(&path))
                    .send()
                    .await
                    .unwrap();
                let allow = response
                    .headers()
                    .get("allow")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_uppercase();
                let status = response.status().as_u16();
                let code = response
                    .json::<ErrorBody>()
                    .await
                    .map(|e| e.error.code)
                    .unwrap_or_else(|_| "(not the JSON error shape)".into());
                let cell = format!("{who:?} {method} {template}");
                if status != 405 || code != "method_not_allowed" {
                    failures.push(format!(
                        "{cell}: expected 405 method_not_allowed, got {status} {code}"
                    ));
                } else if let Some(missing) = allowed.iter().find(|m| !allow.contains(m.as_str())) {
                    failures.push(format!("{cell}: Allow {allow:?} lacks {missing}"));
                }
            }
        }
    }
    println!("undocumented methods on documented paths: {checked} requests checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Paths the document does not have answer the API's 404, for nobody as for an
/// administrator: nothing is served under /api/ that the document does not describe.
#[tokio::test]
async fn paths_the_document_does_not_have_answer_a_json_404() {
    let ctx = Ctx::new();
    let clients = ctx.clients().await;
    let w = ctx.w;
    let paths = [
        "/api".to_string(),
        "/api/nope".to_string(),
        "/api/users/x/y/z".to_string(),
        "/api/auth".to_string(),
        "/api/health/more".to_string(),
        "/api/sync".to_string(),
        format!("/api/teams/{}/members/{}/more", w.teams[0], w.member2.id),
        format!("/api/units/{}/activities/{}/more", w.p1, w.activities[0]),
        format!("/api/visits/{}", w.visits[&w.member.id]),
    ];
    let mut failures = Vec::new();
    for path in &paths {
        for method in [Method::GET, Method::POST, Method::DELETE] {
            for who in [Anonymous, Admin] {
                let answer = send(&ctx, &clients[&who], method.clone(), path, None).await;
                let cell = format!("{who:?} {method} {path}");
                failures.extend(judge(&cell, NOT_FOUND, &answer));
            }
        }
    }
    // A documented path with an id of the wrong shape is no record either (404), once the
    // caller is known (without a session it is 401 like every other record route).
    for path in [
        "/api/teams/not-a-uuid",
        "/api/units/not-a-number",
        "/api/users/42/move",
    ] {
        let method = if path.ends_with("move") {
            Method::POST
        } else {
            Method::GET
        };
        let body = json!({ "team_id": w.teams[0] });
        let admin = send(&ctx, &clients[&Admin], method.clone(), path, Some(&body)).await;
        failures.extend(judge(&format!("Admin {method} {path}"), NOT_FOUND, &admin));
        let nobody = send(
            &ctx,
            &clients[&Anonymous],
            method.clone(),
            path,
            Some(&body),
        )
        .await;
        failures.extend(judge(
            &format!("Anonymous {method} {path}"),
            UNAUTHENTICATED,
            &nobody,
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One request of the rank and place cases.
struct Case {
    who: Who,
    method: Method,
    path: String,
    body: Option<Value>,
    expected: Expect,
}

fn create_as(who: Who, body: Value, expected: Expect) -> Case {
    let (method, path, body) = (Method::POST, "/api/users".into(), Some(body));
    Case {
        who,
        method,
        path,
        body,
        expected,
    }
}

fn reset_as(who: Who, user: Uuid, expected: Expect) -> Case {
    let (method, path) = (Method::POST, format!("/api/users/{user}/password-reset"));
    Case {
        who,
        method,
        path,
        body: None,
        expected,
    }
}

fn close_as(who: Who, user: Uuid, expected: Expect) -> Case {
    let (method, path) = (Method::PATCH, format!("/api/users/{user}"));
    let body = Some(json!({ "active": false }));
    Case {
        who,
        method,
        path,
        body,
        expected,
    }
}

fn move_as(who: Who, user: Uuid, team: Uuid, expected: Expect) -> Case {
    let (method, path) = (Method::POST, format!("/api/users/{user}/move"));
    let body = Some(json!({ "team_id": team }));
    Case {
        who,
        method,
        path,
        body,
        expected,
    }
}

/// Rule 8 beyond the matrix's one role per route: creating, resetting, closing and moving
/// accounts of each rank; a move whose destination lies outside the caller's place; a roster
/// change naming someone who is not on that roster.
#[tokio::test]
async fn only_administrators_touch_accounts_of_their_own_rank_and_moves_stay_in_place() {
    let ctx = Ctx::new();
    let clients = ctx.clients().await;
    let w = ctx.w;
    let new_user = |role: &str, unit: i64| json!({ "name": ctx.unique("Tài khoản"), "phone": ctx.phone(), "role": role, "unit_id": unit });
    let staff = |role, unit| ctx.fresh_staff(role, unit).id;
    let member_of_t1 = || ctx.fresh_member(w.teams[0]).id;
    let writing_fixtures = GATE.write().await;
    // One line per case: a table reads better than rustfmt's one argument per line.
    #[rustfmt::skip]
    let cases = [
        create_as(ProvinceStaff, new_user("province_staff", w.p1), ROLE_NOT_BELOW),
        create_as(ProvinceStaff, new_user("admin", w.p1), ROLE_NOT_BELOW),
        create_as(Admin, new_user("admin", w.p2), ok(201)),
        create_as(Admin, new_user("member", w.villages[0]), refused(422, "use_roster")),
        reset_as(CommuneStaff, staff(Role::CommuneStaff, w.c1), ROLE_NOT_BELOW),
        reset_as(ProvinceStaff, staff(Role::CommuneStaff, w.c1), ok(200)),
        reset_as(ProvinceStaff, staff(Role::ProvinceStaff, w.p1), ROLE_NOT_BELOW),
        reset_as(Admin, staff(Role::Admin, w.p1), ok(200)),
        close_as(CommuneStaff, staff(Role::CommuneStaff, w.c1), ROLE_NOT_BELOW),
        close_as(ProvinceStaff, staff(Role::ProvinceStaff, w.p1), ROLE_NOT_BELOW),
        close_as(ProvinceStaff, staff(Role::CommuneStaff, w.c2), ok(200)),
        close_as(Admin, staff(Role::Admin, w.p2), ok(200)),
        // Staff are no team people; and a move's destination must be in place too.
        move_as(CommuneStaff, staff(Role::CommuneStaff, w.c1), w.teams[1], ROLE_NOT_BELOW),
        move_as(ProvinceStaff, staff(Role::CommuneStaff, w.c1), w.teams[1], refused(422, "not_team_person")),
        move_as(CommuneStaff, member_of_t1(), w.teams[2], NOT_FOUND),
        move_as(ProvinceStaff, member_of_t1(), w.teams[3], NOT_FOUND),
        // No such place on this roster: X2 is on T2.
        Case {
            who: CommuneStaff,
            method: Method::PATCH,
            path: format!("/api/teams/{}/members/{}", w.teams[0], w.others[0].id),
            body: Some(json!({ "affiliation": "police" })),
            expected: NOT_FOUND,
        },
        Case {
            who: Leader,
            method: Method::DELETE,
            path: format!("/api/teams/{}/members/{}", w.teams[0], w.others[0].id),
            body: None,
            expected: NOT_FOUND,
        },
    ];
    drop(writing_fixtures);
    let mut failures = Vec::new();
    for case in &cases {
        let Case {
            who,
            method,
            path,
            body,
            expected,
        } = case;
        let answer = send(&ctx, &clients[who], method.clone(), path, body.as_ref()).await;
        failures.extend(judge(
            &format!("{who:?} {method} {path}"),
            *expected,
            &answer,
        ));
    }
    println!("rank and place cases: {} checked", cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Sign-in answers without a session (rule 1), but never signs anyone in without the right
/// password: wrong or malformed bodies get 401 or 422 and no cookie.
#[tokio::test]
async fn sign_in_without_the_right_password_never_succeeds_nor_sets_a_cookie() {
    let ctx = Ctx::new();
    let phone = &ctx.w.member.phone;
    let bodies = [
        json!({ "phone": phone, "password": "not-the-password" }),
        json!({ "phone": phone, "password": "" }),
        json!({ "phone": "0999999999", "password": PASSWORD }),
        json!({ "phone": "not a phone", "password": PASSWORD }),
        json!({ "phone": phone }),
        json!({ "password": PASSWORD }),
        // serde also reads a struct from an array: the same answers hold for that shape.
        json!([phone, "not-the-password"]),
    ];
    let mut failures = Vec::new();
    for body in &bodies {
        let _in_flight = GATE.read().await;
        let response = anonymous()
            .post(ctx.w.url("/api/auth/login"))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let cookie = response.headers().contains_key("set-cookie");
        if !matches!(status, 401 | 422) || cookie {
            failures.push(format!("{body}: {status}, cookie set: {cookie}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
