//! Demo data for `sotay serve --demo`: the real province Gia Lai and its real commune Xã An Hòa
//! (from the embedded national list), three villages with a team each, and a user for every
//! role. Seeded only into a database without users, so a restart changes nothing.

use app::api::Role;
use app::domain::team::{Affiliation, Position};
use rusqlite::Connection;

use super::units::{self, EMBEDDED_CSV};
use super::users::{self, NewAccount};
use super::{teams, DbError};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "sotay2025";
/// Official code of the demo commune, Xã An Hòa (Gia Lai).
pub const DEMO_COMMUNE_CODE: &str = "21628";

/// A demo sign-in, printed at start-up and listed in the README.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Role.
    pub role: Role,
    /// Full name.
    pub name: String,
    /// Phone number to sign in with.
    pub phone: String,
    /// Where they work.
    pub unit: String,
}

struct DemoVillage {
    name: &'static str,
    households: i64,
    /// (name, phone, affiliation); the first is the leader. Each team meets the plan's
    /// composition rule: four people, a Youth Union leader and a second Youth Union member,
    /// a Women's Union representative, a village cadre.
    team: [(&'static str, &'static str, Affiliation); 4],
}

const VILLAGES: [DemoVillage; 3] = [
    DemoVillage {
        name: "Thôn Hội Khánh",
        households: 412,
        team: [
            ("Trần Văn Bình", "0900000011", Affiliation::YouthUnion),
            ("Nguyễn Thị Hoa", "0900000012", Affiliation::WomensUnion),
            ("Lê Văn Tâm", "0900000013", Affiliation::VillageCadre),
            ("Đinh Quang Huy", "0900000014", Affiliation::YouthUnion),
        ],
    },
    DemoVillage {
        name: "Thôn Vĩnh Hòa",
        households: 358,
        team: [
            ("Phạm Thị Lan", "0900000021", Affiliation::YouthUnion),
            ("Đặng Minh Quân", "0900000022", Affiliation::YouthUnion),
            ("Võ Văn Sơn", "0900000023", Affiliation::VillageCadre),
            ("Trương Thị Ngọc", "0900000024", Affiliation::WomensUnion),
        ],
    },
    DemoVillage {
        name: "Thôn Xuân Sơn",
        households: 297,
        team: [
            ("Huỳnh Văn Phúc", "0900000031", Affiliation::YouthUnion),
            ("Bùi Thị Mai", "0900000032", Affiliation::WomensUnion),
            ("Ngô Đức Anh", "0900000033", Affiliation::YouthUnion),
            ("Cao Văn Lộc", "0900000034", Affiliation::VillageCadre),
        ],
    },
];

/// Seeds the demo data when the database has no users. Returns the demo sign-ins (also when
/// the data was already there, so they can be printed at every start). `password_hash` is
/// called only when seeding: hashing is deliberately slow and a restart needs none.
pub fn seed(
    conn: &mut Connection,
    password_hash: impl FnOnce() -> String,
    now: i64,
) -> Result<Vec<DemoLogin>, DbError> {
    if users::count(conn)? == 0 {
        let tx = conn.transaction()?;
        seed_in(&tx, &password_hash(), now)?;
        tx.commit()?;
    }
    Ok(logins())
}

fn seed_in(tx: &Connection, hash: &str, now: i64) -> Result<(), DbError> {
    let rows: Vec<_> = units::parse_csv(EMBEDDED_CSV)
        .map_err(|e| DbError::Task(e.to_string()))?
        .into_iter()
        .filter(|r| r.commune_code == DEMO_COMMUNE_CODE)
        .collect();
    // The transaction is already open: import through it.
    for row in &rows {
        tx.execute(
            "INSERT INTO units (level, kind, name, official_code, created_at) VALUES ('province', ?1, ?2, ?3, ?4) \
             ON CONFLICT (level, official_code) DO NOTHING",
            rusqlite::params![row.province_type, row.province_name, row.province_code, now],
        )?;
        tx.execute(
            "INSERT INTO units (parent_id, level, kind, name, official_code, created_at) \
             SELECT id, 'commune', ?1, ?2, ?3, ?4 FROM units WHERE level = 'province' AND official_code = ?5 \
             ON CONFLICT (level, official_code) DO NOTHING",
            rusqlite::params![row.commune_type, row.commune_name, row.commune_code, now, row.province_code],
        )?;
    }
    let commune = units::commune_id(tx, DEMO_COMMUNE_CODE)?;
    let province: i64 = tx.query_row(
        "SELECT parent_id FROM units WHERE id = ?1",
        [commune],
        |r| r.get(0),
    )?;

    let staff = [
        ("Quản trị Hệ thống", "0900000000", Role::Admin, province),
        ("Đỗ Thị Thu", "0900000001", Role::ProvinceStaff, province),
        ("Lý Văn Hùng", "0900000002", Role::CommuneStaff, commune),
    ];
    for (name, phone, role, unit_id) in staff {
        users::create(
            tx,
            &NewAccount {
                phone,
                name,
                password_hash: hash,
                role,
                unit_id,
                must_change_password: false,
            },
            now,
        )
        .map_err(store_fault)?;
    }
    for village in &VILLAGES {
        let village_id = units::add_village(
            tx,
            commune,
            "thôn",
            village.name,
            Some(village.households),
            now,
        )?;
        let team = teams::create(
            tx,
            village_id,
            commune,
            &format!("Tổ công nghệ số cộng đồng {}", village.name),
            (Some("125/QĐ-UBND"), Some("2025-07-15")),
            now,
        )
        .map_err(store_fault)?;
        for (i, (name, phone, affiliation)) in village.team.iter().enumerate() {
            let user = users::create(
                tx,
                &NewAccount {
                    phone,
                    name,
                    password_hash: hash,
                    role: Role::Member,
                    unit_id: village_id,
                    must_change_password: false,
                },
                now,
            )
            .map_err(store_fault)?;
            let position = if i == 0 {
                Position::Leader
            } else {
                Position::Member
            };
            teams::join_roster(tx, team, user, position, *affiliation, now)?;
        }
    }
    Ok(())
}

/// Seeding runs on data it made itself: a refusal there is a fault.
fn store_fault(error: super::StoreError) -> DbError {
    match error {
        super::StoreError::Db(error) => error,
        other => DbError::Task(format!("demo data refused: {other}")),
    }
}

/// The demo sign-ins.
pub fn logins() -> Vec<DemoLogin> {
    let mut logins = vec![
        DemoLogin {
            role: Role::Admin,
            name: "Quản trị Hệ thống".into(),
            phone: "0900000000".into(),
            unit: "Gia Lai".into(),
        },
        DemoLogin {
            role: Role::ProvinceStaff,
            name: "Đỗ Thị Thu".into(),
            phone: "0900000001".into(),
            unit: "Gia Lai".into(),
        },
        DemoLogin {
            role: Role::CommuneStaff,
            name: "Lý Văn Hùng".into(),
            phone: "0900000002".into(),
            unit: "Xã An Hòa".into(),
        },
    ];
    for village in &VILLAGES {
        for (i, (name, phone, _)) in village.team.iter().enumerate() {
            logins.push(DemoLogin {
                role: if i == 0 { Role::Leader } else { Role::Member },
                name: (*name).into(),
                phone: (*phone).into(),
                unit: village.name.into(),
            });
        }
    }
    logins
}

/// Households of each demo village's history: (head of household, business).
const HOUSEHOLD_NAMES: [&str; 12] = [
    "Nguyễn Văn Thành",
    "Trần Thị Hạnh",
    "Lê Văn Dũng",
    "Phạm Thị Thu",
    "Hồ Văn Nam",
    "Đoàn Thị Liên",
    "Võ Minh Tuấn",
    "Lương Thị Bích",
    "Phan Văn Khải",
    "Mai Thị Hương",
    "Đinh Văn Lực",
    "Tạ Thị Yến",
];
/// What the history's visits helped with, in turn: (activity codes, people helped each).
const HELP: [(&[&str], u32); 6] = [
    (&["epayment_account"], 2),
    (&["public_service_account", "online_application"], 1),
    (&["health_app"], 3),
    (&["ecommerce_signup", "online_selling"], 1),
    (&["digital_skills", "information"], 4),
    (&["epayment_account", "health_app"], 2),
];
/// Visits per member in the history.
const HISTORY_VISITS: usize = 15;
const DAY_MS: i64 = 86_400_000;

/// `--demo-history`: four months of the demo teams' work, so the figures, the targets, the
/// commendation and the leader's summary have something to show. Each member logs
/// [`HISTORY_VISITS`] visits to their village's households through the real push; the commune
/// officer approves those older than a week, returns one, and leaves the rest awaiting review;
/// the province gives the commune this quarter's targets and the commune splits them among its
/// villages (one short, so the page shows the warning). Seeded only into the demo database
/// while it has no visits; returns whether it seeded.
pub fn seed_history(conn: &mut Connection, now: i64) -> Result<bool, super::StoreError> {
    use app::api::ReviewAction;
    use app::domain::period::{Period, PeriodKind};
    use app::domain::target::Indicator;
    use app::domain::visit::DifficultyRaised;
    use app::domain::{ActivityDone, HouseholdInput, Outcome, VisitRecord};
    use uuid::Uuid;

    use super::audit::By;
    use super::visits::{self, Pusher};
    let visits_stored: i64 = conn.query_row("SELECT COUNT(*) FROM visits", [], |r| r.get(0))?;
    let user_of = |conn: &Connection, phone: &str| -> Result<Uuid, DbError> {
        let id: String = conn.query_row("SELECT id FROM users WHERE phone = ?1", [phone], |r| {
            r.get(0)
        })?;
        Uuid::parse_str(&id).map_err(|e| DbError::Task(e.to_string()))
    };
    if visits_stored > 0 || user_of(conn, "0900000002").is_err() {
        return Ok(false);
    }
    let commune = units::commune_id(conn, DEMO_COMMUNE_CODE)?;
    let mut logged = Vec::new();
    for (v, village) in VILLAGES.iter().enumerate() {
        let households: Vec<HouseholdInput> = HOUSEHOLD_NAMES
            .iter()
            .enumerate()
            .map(|(h, name)| HouseholdInput {
                // The same ids on every seeding: v and h name the household.
                id: Uuid::from_u128(
                    0x5074_0000_0000_7000_8000_0000_0000_0000 | (v as u128) << 16 | h as u128,
                ),
                head_name: (*name).to_string(),
                address: format!("Xóm {}, {}", h % 4 + 1, village.name),
                phone: None,
                phone_consent: false,
                business: h % 5 == 3,
            })
            .collect();
        for (m, (_, phone, _)) in village.team.iter().enumerate() {
            let user = user_of(conn, phone)?;
            let account = users::account(conn, user)?
                .ok_or_else(|| DbError::Task("a demo member is missing".into()))?;
            let records: Vec<VisitRecord> = (0..HISTORY_VISITS)
                .map(|i| {
                    let n = m * HISTORY_VISITS + i;
                    let (codes, people) = HELP[(n + v) % HELP.len()];
                    // Spread over the last 120 days, at working hours (Vietnam time).
                    let day = (n as i64 * 120) / (4 * HISTORY_VISITS) as i64;
                    let visited_at = now - day * DAY_MS - (n as i64 % 7 + 1) * 3_600_000;
                    VisitRecord {
                        id: Uuid::now_v7(),
                        version: 1,
                        base_version: 0,
                        revision: None,
                        base_revision: None,
                        household: households[(n * 5 + v) % households.len()].clone(),
                        visited_at,
                        activities: codes
                            .iter()
                            .map(|code| ActivityDone {
                                code: (*code).to_string(),
                                detail: None,
                                people,
                            })
                            .collect(),
                        outcome: Outcome::Done,
                        follow_up_on: None,
                        note: String::new(),
                        village_id: None,
                        withdrawn: false,
                        difficulty: (n % 9 == 4).then(|| DifficultyRaised {
                            category: ["no_id_card", "no_smartphone", "no_signal"][n % 3].into(),
                            note: String::new(),
                        }),
                    }
                })
                .collect();
            let results = visits::push(conn, Pusher::of(&account), &records, now)?;
            if let Some(refused) = results
                .iter()
                .find(|r| r.result != app::api::PushOutcome::Applied)
            {
                return Err(DbError::Task(format!(
                    "a demo visit was refused: {:?}",
                    refused.reason
                ))
                .into());
            }
            logged.extend(records.iter().map(|r| (r.id, r.visited_at)));
        }
    }
    // The commune officer reviews what is older than a week.
    let officer = By {
        user: Some(user_of(conn, "0900000002")?),
        address: None,
        at: now,
    };
    let scope = app::domain::policy::Scope::Commune(commune);
    for (i, (id, visited_at)) in logged.iter().enumerate() {
        if now - visited_at < 7 * DAY_MS {
            continue;
        }
        let (action, reason) = if i == 20 {
            (
                ReviewAction::Return,
                Some("Thiếu số người được hỗ trợ, nhờ bạn bổ sung."),
            )
        } else {
            (ReviewAction::Approve, None)
        };
        visits::review(conn, scope, *id, &officer, action, reason)?;
    }
    // This quarter's targets: the province's for the commune, the commune's split.
    let quarter = Period::of(PeriodKind::Quarter, now).expect("every day is in a quarter");
    let province_staff = user_of(conn, "0900000001")?;
    let actor = |role, user, province: i64| app::domain::policy::Actor {
        user,
        role,
        province: Some(province),
        commune: (role == Role::CommuneStaff).then_some(commune),
        team: None,
        active: true,
        must_change_password: false,
    };
    let province: i64 = conn.query_row(
        "SELECT parent_id FROM units WHERE id = ?1",
        [commune],
        |r| r.get(0),
    )?;
    let by = |user| By {
        user: Some(user),
        address: None,
        at: now,
    };
    let households = Indicator::Households;
    let epayment = Indicator::Activity("epayment_account".into());
    for (indicator, value) in [(&households, 40), (&epayment, 25)] {
        super::targets::set(
            conn,
            app::domain::policy::Scope::Province(province),
            &actor(Role::ProvinceStaff, province_staff, province),
            commune,
            quarter,
            indicator,
            Some(value),
            &by(province_staff),
        )?;
    }
    let villages: Vec<i64> = conn
        .prepare("SELECT id FROM units WHERE parent_id = ?1 AND level = 'village' ORDER BY id")?
        .query_map([commune], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for (village, (h, e)) in villages.iter().zip([(14, 9), (13, 8), (12, 7)]) {
        for (indicator, value) in [(&households, h), (&epayment, e)] {
            super::targets::set(
                conn,
                scope,
                &actor(
                    Role::CommuneStaff,
                    officer.user.expect("the officer"),
                    province,
                ),
                *village,
                quarter,
                indicator,
                Some(value),
                &officer,
            )?;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_twice_leaves_one_copy() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        seed(&mut conn, || "hash".into(), 1).unwrap();
        seed(&mut conn, || "hash".into(), 2).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT COUNT(*) FROM users"), 15);
        assert_eq!(
            count("SELECT COUNT(*) FROM units WHERE level = 'village'"),
            3
        );
        assert_eq!(count("SELECT COUNT(*) FROM teams"), 3);
        assert_eq!(count("SELECT COUNT(*) FROM team_members"), 12);
        let (province, commune): (String, String) = conn
            .query_row(
                "SELECT p.name, c.name FROM units c JOIN units p ON p.id = c.parent_id WHERE c.level = 'commune'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (province.as_str(), commune.as_str()),
            ("Gia Lai", "Xã An Hòa")
        );
    }

    #[test]
    fn the_history_is_reviewed_counted_and_targeted_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        seed(&mut conn, || "hash".into(), 1).unwrap();
        let now = app::domain::time::now_ms();
        assert!(seed_history(&mut conn, now).unwrap());
        assert!(
            !seed_history(&mut conn, now).unwrap(),
            "only into a database without visits"
        );
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            count("SELECT COUNT(*) FROM visits"),
            12 * HISTORY_VISITS as i64
        );
        let approved = count("SELECT COUNT(*) FROM visits WHERE status = 'approved'");
        assert!(approved > 100, "{approved}");
        assert_eq!(
            count("SELECT COUNT(*) FROM visits WHERE status = 'returned'"),
            1
        );
        assert!(count("SELECT COUNT(*) FROM visits WHERE status = 'submitted'") > 0);
        assert_eq!(
            count("SELECT COUNT(*) FROM figure_visits"),
            approved,
            "every approved visit counts"
        );
        assert_eq!(count("SELECT COUNT(*) FROM targets"), 8);
        assert!(count("SELECT COUNT(*) FROM difficulties") > 0);
    }

    #[test]
    fn every_demo_login_exists_after_seeding() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        for login in seed(&mut conn, || "hash".into(), 1).unwrap() {
            assert!(
                users::login_record(&conn, &login.phone, 1)
                    .unwrap()
                    .is_some(),
                "{}",
                login.phone
            );
        }
    }

    #[test]
    fn every_demo_team_meets_the_composition_rule() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate(&mut conn).unwrap();
        seed(&mut conn, || "hash".into(), 1).unwrap();
        let commune = units::commune_id(&conn, DEMO_COMMUNE_CODE).unwrap();
        let teams = teams::of_commune(&conn, commune).unwrap();
        assert_eq!(teams.len(), 3);
        for team in teams {
            assert_eq!(team.gaps, vec![], "{}", team.name);
            assert_eq!(team.people, 4);
        }
    }
}
