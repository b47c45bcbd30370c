//! Users, teams and rosters.

use app::api::{FeedKind, Profile, Role, TeamRef, UnitRef};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::visits::Author;
use super::DbError;

const LOGIN: &str = "SELECT id, password_hash FROM users WHERE phone = ?1 AND active = 1";
const PROFILE: &str = "SELECT u.id, u.name, u.phone, u.role, unit.id, unit.name, unit.level, \
            t.id, t.name, v.id, v.name, v.level \
     FROM users u JOIN units unit ON unit.id = u.unit_id \
     LEFT JOIN team_members m ON m.user_id = u.id \
     LEFT JOIN teams t ON t.id = m.team_id \
     LEFT JOIN units v ON v.id = t.village_id \
     WHERE u.id = ?1";
const INSERT_USER: &str =
    "INSERT INTO users (id, phone, name, password_hash, role, unit_id, created_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const INSERT_TEAM: &str =
    "INSERT INTO teams (id, village_id, name, created_at) VALUES (?1, ?2, ?3, ?4)";
const INSERT_MEMBER: &str =
    "INSERT INTO team_members (team_id, user_id, position, affiliation, joined_at) \
     VALUES (?1, ?2, ?3, ?4, ?5)";
const COUNT: &str = "SELECT COUNT(*) FROM users";
const TEAM_VILLAGE: &str = "SELECT village_id FROM teams WHERE id = ?1";
const AUTHOR: &str =
    "SELECT t.id, t.village_id FROM team_members m JOIN teams t ON t.id = m.team_id \
     WHERE m.user_id = ?1";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    LOGIN,
    PROFILE,
    INSERT_USER,
    INSERT_TEAM,
    INSERT_MEMBER,
    COUNT,
    AUTHOR,
];

/// The id and password hash of the active user with this phone number.
pub fn login_record(conn: &Connection, phone: &str) -> Result<Option<(Uuid, String)>, DbError> {
    let row = conn
        .prepare_cached(LOGIN)?
        .query_row([phone], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?;
    Ok(row.and_then(|(id, hash)| Uuid::parse_str(&id).ok().map(|id| (id, hash))))
}

/// A user's profile: who they are, their unit, their team.
pub fn profile(conn: &Connection, user: Uuid) -> Result<Option<Profile>, DbError> {
    let row = conn
        .prepare_cached(PROFILE)?
        .query_row([user.to_string()], |r| {
            let team = match r.get::<_, Option<String>>(7)? {
                Some(team_id) => Some(TeamRef {
                    id: Uuid::parse_str(&team_id).unwrap_or_default(),
                    name: r.get(8)?,
                    village: UnitRef {
                        id: r.get(9)?,
                        name: r.get(10)?,
                        level: r.get(11)?,
                    },
                }),
                None => None,
            };
            let role: String = r.get(3)?;
            Ok(Profile {
                user_id: user,
                name: r.get(1)?,
                phone: r.get(2)?,
                role: Role::parse(&role).unwrap_or(Role::Member),
                unit: UnitRef {
                    id: r.get(4)?,
                    name: r.get(5)?,
                    level: r.get(6)?,
                },
                team,
            })
        })
        .optional()?;
    Ok(row)
}

/// How many users exist (an empty database has none).
pub fn count(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn.prepare_cached(COUNT)?.query_row([], |r| r.get(0))?)
}

/// A new user.
pub struct NewUser<'a> {
    /// Canonical phone number.
    pub phone: &'a str,
    /// Full name.
    pub name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Role.
    pub role: Role,
    /// The unit they work in.
    pub unit_id: i64,
}

/// Creates a user and returns their id.
pub fn create(conn: &Connection, user: &NewUser<'_>, now: i64) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    conn.prepare_cached(INSERT_USER)?.execute(params![
        id.to_string(),
        user.phone,
        user.name,
        user.password_hash,
        user.role.as_str(),
        user.unit_id,
        now
    ])?;
    Ok(id)
}

/// Creates a village's team and returns its id.
pub fn create_team(conn: &Connection, village: i64, name: &str, now: i64) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    conn.prepare_cached(INSERT_TEAM)?
        .execute(params![id.to_string(), village, name, now])?;
    Ok(id)
}

/// Puts a user on a team's roster.
pub fn add_member(
    conn: &Connection,
    team: Uuid,
    user: Uuid,
    leader: bool,
    affiliation: &str,
    now: i64,
) -> Result<(), DbError> {
    let position = if leader { "leader" } else { "member" };
    conn.prepare_cached(INSERT_MEMBER)?.execute(params![
        team.to_string(),
        user.to_string(),
        position,
        affiliation,
        now
    ])?;
    let village: i64 = conn
        .prepare_cached(TEAM_VILLAGE)?
        .query_row([team.to_string()], |r| r.get(0))?;
    super::feed::touch(
        conn,
        FeedKind::Roster,
        &format!("{team}:{user}"),
        Some(village),
        None,
    )
}

/// The team and village a user's visits belong to; `None` for users on no team (staff).
pub fn author(conn: &Connection, user: Uuid) -> Result<Option<Author>, DbError> {
    let row = conn
        .prepare_cached(AUTHOR)?
        .query_row([user.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .optional()?;
    Ok(row.and_then(|(team, village_id)| {
        Uuid::parse_str(&team).ok().map(|team_id| Author {
            user_id: user,
            team_id,
            village_id,
        })
    }))
}
