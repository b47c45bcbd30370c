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
