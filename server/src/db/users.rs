//! Accounts: signing in, the signed-in user's profile, creating, resetting, closing, reopening
//! and moving accounts, and listing them within a scope.

use app::api::{
    IssuedPassword, Profile, Role, TeamRef, UnitLevel, UnitRef, UserChange, UserList, UserSummary,
};
use app::domain::policy::{outranks, Actor, Scope};
use app::domain::team::{Affiliation, Position};
use rusqlite::{params, Connection, OptionalExtension, Row};
use uuid::Uuid;

use super::audit::{self, By};
use super::scope::{area_cte, unit_in_scope, ScopeParams};
use super::{enum_at, uuid_at, DbError, Store, StoreError};

/// How long a closed account may still sign in to send what its phone logged: 30 days.
pub const CLOSED_GRACE_MS: i64 = 30 * 24 * 3600 * 1000;

const LOGIN: &str =
    "SELECT id, password_hash, active, closed_at, unit_id FROM users WHERE phone = ?1";
const ACCOUNT: &str = "SELECT u.id, u.name, u.phone, u.role, u.active, u.must_change_password, \
       u.closed_at, u.last_sync_at, u.unit_id, m.team_id, m.position, t.name, t.unit_id, \
       u.unsent_count \
     FROM users u \
     LEFT JOIN team_members m ON m.user_id = u.id AND m.left_at IS NULL \
     LEFT JOIN teams t ON t.id = m.team_id \
     WHERE u.id = ?1";
/// A unit and its ancestors, the province first.
const UNIT_PATH: &str = "WITH RECURSIVE up(id, parent_id, name, level, depth) AS ( \
       SELECT id, parent_id, name, level, 0 FROM units WHERE id = ?1 \
       UNION ALL SELECT u.id, u.parent_id, u.name, u.level, up.depth + 1 \
         FROM units u JOIN up ON u.id = up.parent_id) \
     SELECT id, name, level FROM up ORDER BY depth DESC";
/// The villages a team works in: its village, or every village of its commune.
const TEAM_VILLAGES: &str = "SELECT id, name, level FROM units \
     WHERE level = 'village' AND (id = ?1 OR parent_id = ?1)";
const PHONE_TAKEN: &str = "SELECT 1 FROM users WHERE phone = ?1";
const INSERT_USER: &str = "INSERT INTO users \
       (id, phone, name, password_hash, role, unit_id, must_change_password, created_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
const COUNT: &str = "SELECT COUNT(*) FROM users";
const UNIT_LEVEL: &str = "SELECT level FROM units WHERE id = ?1";
const SET_PASSWORD: &str =
    "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1";
const PASSWORD_HASH: &str = "SELECT password_hash FROM users WHERE id = ?1";
const SET_NAME: &str = "UPDATE users SET name = ?2 WHERE id = ?1";
const CLOSE: &str = "UPDATE users SET active = 0, closed_at = ?2 WHERE id = ?1 AND active = 1";
const REOPEN: &str = "UPDATE users SET active = 1, closed_at = NULL WHERE id = ?1 AND active = 0";
const END_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = ?1";
const RECORD_SYNC: &str = "UPDATE users SET last_sync_at = ?2 WHERE id = ?1";
const RECORD_UNSENT: &str =
    "UPDATE users SET last_sync_at = ?2, unsent_count = ?3, unsent_at = ?2 WHERE id = ?1";
const SET_UNIT: &str = "UPDATE users SET unit_id = ?2 WHERE id = ?1";
/// One account in scope (`?4`), with what lists show.
const USER_IN_SCOPE: &str = concat!(
    area_cte!(),
    "SELECT u.id, u.name, u.phone, u.role, u.unit_id, un.name, un.level, m.team_id, m.position, \
       u.active, u.must_change_password, u.last_sync_at \
     FROM users u JOIN units un ON un.id = u.unit_id \
     LEFT JOIN team_members m ON m.user_id = u.id AND m.left_at IS NULL \
     WHERE u.id = ?4 AND ",
    unit_in_scope!("u.unit_id"),
    " AND (?3 IS NULL OR u.id = ?3)"
);
/// Accounts in scope, under unit `?4` when given, at most `?5`.
const USERS_IN_SCOPE: &str = concat!(
    area_cte!(),
    ", under(id) AS (SELECT ?4 WHERE ?4 IS NOT NULL \
       UNION ALL SELECT u.id FROM units u JOIN under ON u.parent_id = under.id) \
     SELECT u.id, u.name, u.phone, u.role, u.unit_id, un.name, un.level, m.team_id, m.position, \
       u.active, u.must_change_password, u.last_sync_at \
     FROM users u JOIN units un ON un.id = u.unit_id \
     LEFT JOIN team_members m ON m.user_id = u.id AND m.left_at IS NULL \
     WHERE ",
    unit_in_scope!("u.unit_id"),
    " AND (?3 IS NULL OR u.id = ?3) AND (?4 IS NULL OR u.unit_id IN under) LIMIT ?5"
);
/// A unit in scope (`?4`), with its level.
const UNIT_IN_SCOPE: &str = concat!(
    area_cte!(),
    "SELECT x.level FROM units x WHERE x.id = ?4 AND ",
    unit_in_scope!("x.id")
);

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    LOGIN,
    ACCOUNT,
    UNIT_PATH,
    TEAM_VILLAGES,
    PHONE_TAKEN,
    INSERT_USER,
    COUNT,
    UNIT_LEVEL,
    SET_PASSWORD,
    PASSWORD_HASH,
    SET_NAME,
    CLOSE,
    REOPEN,
    END_SESSIONS,
    RECORD_SYNC,
    RECORD_UNSENT,
    SET_UNIT,
    USER_IN_SCOPE,
    USERS_IN_SCOPE,
    UNIT_IN_SCOPE,
];

/// What signing in needs to know about a phone number.
#[derive(Clone, Debug)]
pub struct LoginRecord {
    /// The account.
    pub user: Uuid,
    /// Its argon2id PHC string.
    pub password_hash: String,
    /// Open, or closed less than [`CLOSED_GRACE_MS`] ago.
    pub may_sign_in: bool,
    /// Where the account works (for the audit log).
    pub unit: i64,
}

/// A signed-in user as the server keeps them for one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    /// What the user and the pages see.
    pub profile: Profile,
    /// When the account was closed.
    pub closed_at: Option<i64>,
    /// Last sync of one of their devices.
    pub last_sync_at: Option<i64>,
    /// What their device last reported waiting in its outbox.
    pub unsent_count: Option<i64>,
}

/// Whether a closed account (closed at `closed_at`) may still sign in at `now`.
pub fn within_grace(closed_at: Option<i64>, now: i64) -> bool {
    closed_at.is_some_and(|at| now - at < CLOSED_GRACE_MS)
}

/// The account with this phone number, if any.
pub fn login_record(
    conn: &Connection,
    phone: &str,
    now: i64,
) -> Result<Option<LoginRecord>, DbError> {
    Ok(conn
        .prepare_cached(LOGIN)?
        .query_row([phone], |r| {
            let active: bool = r.get(2)?;
            Ok(LoginRecord {
                user: uuid_at(r, 0)?,
                password_hash: r.get(1)?,
                may_sign_in: active || within_grace(r.get(3)?, now),
                unit: r.get(4)?,
            })
        })
        .optional()?)
}

fn unit_ref(r: &Row<'_>, at: usize) -> rusqlite::Result<UnitRef> {
    Ok(UnitRef {
        id: r.get(at)?,
        name: r.get(at + 1)?,
        level: enum_at(r, at + 2, UnitLevel::parse)?,
    })
}

/// A unit and its ancestors, the province first.
pub fn unit_path(conn: &Connection, unit: i64) -> Result<Vec<UnitRef>, DbError> {
    let mut stmt = conn.prepare_cached(UNIT_PATH)?;
    let rows = stmt.query_map([unit], |r| unit_ref(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The villages a team on unit `team_unit` works in, in the Vietnamese order of their names.
pub fn team_villages(conn: &Connection, team_unit: i64) -> Result<Vec<UnitRef>, DbError> {
    let mut stmt = conn.prepare_cached(TEAM_VILLAGES)?;
    let mut villages: Vec<UnitRef> = stmt
        .query_map([team_unit], |r| unit_ref(r, 0))?
        .collect::<Result<_, _>>()?;
    villages.sort_by_key(|v| app::domain::text::collation_key(&v.name));
    Ok(villages)
}

/// The stored role and the roster position make the effective role.
fn effective_role(stored: Role, position: Option<Position>) -> Role {
    match (stored, position) {
        (Role::Member | Role::Leader, Some(Position::Leader)) => Role::Leader,
        (Role::Member | Role::Leader, _) => Role::Member,
        (staff, _) => staff,
    }
}

/// A user's account: profile (role, places, team), state.
pub fn account(conn: &Connection, user: Uuid) -> Result<Option<Account>, DbError> {
    type Head = (
        String,
        String,
        Role,
        bool,
        bool,
        Option<i64>,
        Option<i64>,
        i64,
        Option<(Uuid, Position, String, i64)>,
        Option<i64>,
    );
    let head: Option<Head> = conn
        .prepare_cached(ACCOUNT)?
        .query_row([user.to_string()], |r| {
            let team = match r.get::<_, Option<String>>(9)? {
                Some(_) => Some((
                    uuid_at(r, 9)?,
                    enum_at(r, 10, Position::parse)?,
                    r.get(11)?,
                    r.get(12)?,
                )),
                None => None,
            };
            Ok((
                r.get(1)?,
                r.get(2)?,
                enum_at(r, 3, Role::parse)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                team,
                r.get(13)?,
            ))
        })
        .optional()?;
    let Some((
        name,
        phone,
        stored,
        active,
        must_change,
        closed_at,
        last_sync_at,
        unit,
        team,
        unsent_count,
    )) = head
    else {
        return Ok(None);
    };
    let path = unit_path(conn, unit)?;
    let find = |level| path.iter().find(|u| u.level == level).cloned();
    let team = match team {
        Some((id, position, team_name, team_unit)) => {
            let villages = team_villages(conn, team_unit)?;
            let village = unit_path(conn, team_unit)?
                .pop()
                .filter(|u| u.level == UnitLevel::Village);
            Some(TeamRef {
                id,
                name: team_name,
                village,
                villages,
                position,
            })
        }
        None => None,
    };
    let role = effective_role(stored, team.as_ref().map(|t| t.position));
    let Some(unit) = path.last().cloned() else {
        return Ok(None);
    };
    Ok(Some(Account {
        profile: Profile {
            user_id: user,
            name,
            phone,
            role,
            province: find(UnitLevel::Province),
            commune: find(UnitLevel::Commune),
            unit,
            team,
            must_change_password: must_change,
            active,
        },
        closed_at,
        last_sync_at,
        unsent_count,
    }))
}

/// How many users exist (an empty database has none).
pub fn count(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn.prepare_cached(COUNT)?.query_row([], |r| r.get(0))?)
}

/// A new account.
pub struct NewAccount<'a> {
    /// Canonical phone number.
    pub phone: &'a str,
    /// Full name, cleaned.
    pub name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Role; a leader is stored as a member (the roster makes the leader).
    pub role: Role,
    /// The unit they work in.
    pub unit_id: i64,
    /// The password was set by someone else: change it at the first sign-in.
    pub must_change_password: bool,
}

/// The level a role's unit must have.
fn level_for(role: Role) -> &'static [UnitLevel] {
    match role {
        Role::Member | Role::Leader => &[UnitLevel::Village, UnitLevel::Commune],
        Role::CommuneStaff => &[UnitLevel::Commune],
        Role::ProvinceStaff | Role::Admin => &[UnitLevel::Province],
    }
}

/// Creates an account; refuses a phone number already in use and a unit of the wrong level.
pub fn create(conn: &Connection, user: &NewAccount<'_>, now: i64) -> Result<Uuid, StoreError> {
    if conn
        .prepare_cached(PHONE_TAKEN)?
        .query_row([user.phone], |_| Ok(()))
        .optional()?
        .is_some()
    {
        return Err(StoreError::conflict(
            "phone_taken",
            "another account has this phone number",
        ));
    }
    let level = conn
        .prepare_cached(UNIT_LEVEL)?
        .query_row([user.unit_id], |r| enum_at(r, 0, UnitLevel::parse))
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if !level_for(user.role).contains(&level) {
        return Err(StoreError::invalid(
            "unit_level",
            "unit_id",
            "the unit is not of the level this role works at",
        ));
    }
    let stored = if user.role == Role::Leader {
        Role::Member
    } else {
        user.role
    };
    let id = Uuid::now_v7();
    conn.prepare_cached(INSERT_USER)?.execute(params![
        id.to_string(),
        user.phone,
        user.name,
        user.password_hash,
        stored.as_str(),
        user.unit_id,
        user.must_change_password,
        now
    ])?;
    Ok(id)
}

/// Marks that one of the user's devices synced and had `unsent` visits waiting.
pub fn record_unsent(conn: &Connection, user: Uuid, now: i64, unsent: i64) -> Result<(), DbError> {
    conn.prepare_cached(RECORD_UNSENT)?
        .execute(params![user.to_string(), now, unsent])?;
    Ok(())
}

/// Marks that one of the user's devices synced.
pub fn record_sync(conn: &Connection, user: Uuid, now: i64) -> Result<(), DbError> {
    conn.prepare_cached(RECORD_SYNC)?
        .execute(params![user.to_string(), now])?;
    Ok(())
}

fn summary(r: &Row<'_>) -> rusqlite::Result<UserSummary> {
    let position = match r.get::<_, Option<String>>(8)? {
        Some(_) => Some(enum_at(r, 8, Position::parse)?),
        None => None,
    };
    let team_id = match r.get::<_, Option<String>>(7)? {
        Some(_) => Some(uuid_at(r, 7)?),
        None => None,
    };
    Ok(UserSummary {
        id: uuid_at(r, 0)?,
        name: r.get(1)?,
        phone: r.get(2)?,
        role: effective_role(enum_at(r, 3, Role::parse)?, position),
        unit: unit_ref(r, 4)?,
        team_id,
        active: r.get(9)?,
        must_change_password: r.get(10)?,
        last_sync_at: r.get(11)?,
    })
}

/// One account in scope.
pub fn user_in_scope(conn: &Connection, scope: Scope, id: Uuid) -> Result<UserSummary, StoreError> {
    let s = ScopeParams::from(scope);
    conn.prepare_cached(USER_IN_SCOPE)?
        .query_row(params![s.area, s.team, s.own, id.to_string()], summary)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The level of a unit in scope, or 404.
pub fn unit_level_in_scope(
    conn: &Connection,
    scope: Scope,
    unit: i64,
) -> Result<UnitLevel, StoreError> {
    let s = ScopeParams::from(scope);
    conn.prepare_cached(UNIT_IN_SCOPE)?
        .query_row(params![s.area, s.team, s.own, unit], |r| {
            enum_at(r, 0, UnitLevel::parse)
        })
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// An account in scope that `actor` may manage (rule 8: a role below theirs), or why not.
fn managed(
    conn: &Connection,
    scope: Scope,
    actor: Actor,
    id: Uuid,
) -> Result<UserSummary, StoreError> {
    let user = user_in_scope(conn, scope, id)?;
    outranks(&actor, user.role).map_err(StoreError::Refused)?;
    Ok(user)
}

/// Most accounts one list answer holds.
pub const LIST_LIMIT: i64 = 500;

fn by_name(mut users: Vec<UserSummary>) -> Vec<UserSummary> {
    users.sort_by(|a, b| app::domain::text::name_order(&a.name, &b.name));
    users
}

/// Closes an account: it leaves its team's roster and its sessions end; its visits keep the
/// team and village they were logged in.
fn close(conn: &Connection, user: Uuid, now: i64) -> Result<bool, DbError> {
    let id = user.to_string();
    let closed = conn.prepare_cached(CLOSE)?.execute(params![id, now])? > 0;
    if closed {
        super::teams::leave_roster(conn, user, now)?;
    }
    Ok(closed)
}

impl Store {
    /// What signing in with `phone` needs.
    pub async fn login_record(
        &self,
        phone: String,
        now: i64,
    ) -> Result<Option<LoginRecord>, DbError> {
        self.db
            .read(move |conn| login_record(conn, &phone, now))
            .await
    }

    /// A user's account.
    pub async fn account(&self, user: Uuid) -> Result<Option<Account>, DbError> {
        self.db.read(move |conn| account(conn, user)).await
    }

    /// Records that one of the user's devices synced with `unsent` visits waiting.
    pub async fn record_unsent(&self, user: Uuid, now: i64, unsent: i64) -> Result<(), DbError> {
        self.db
            .write(move |conn| record_unsent(conn, user, now, unsent))
            .await
    }

    /// Records that one of the user's devices synced.
    pub async fn record_sync(&self, user: Uuid, now: i64) -> Result<(), DbError> {
        self.db
            .write(move |conn| record_sync(conn, user, now))
            .await
    }

    /// The stored password hash of a user.
    pub async fn password_hash(&self, user: Uuid) -> Result<String, StoreError> {
        self.db
            .read(move |conn| {
                conn.prepare_cached(PASSWORD_HASH)?
                    .query_row([user.to_string()], |r| r.get(0))
                    .optional()?
                    .ok_or(StoreError::NotFound)
            })
            .await
    }

    /// The user set their own password: it no longer needs changing; every other session of
    /// theirs ends (`keep` stays).
    pub async fn set_own_password(
        &self,
        user: Uuid,
        hash: String,
        keep: String,
        by: By,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                tx.prepare_cached(SET_PASSWORD)?
                    .execute(params![user.to_string(), hash, false])?;
                super::sessions::end_others(&tx, user, &keep)?;
                let unit = account(&tx, user)?.map(|a| a.profile.unit.id);
                audit::record(
                    &tx,
                    &by,
                    "password_changed",
                    "user",
                    &user.to_string(),
                    unit,
                    serde_json::json!({}),
                )?;
                tx.commit()?;
                Ok(())
            })
            .await
    }

    /// Accounts in scope, under `unit` when given, in the Vietnamese order of names.
    pub async fn users(&self, scope: Scope, unit: Option<i64>) -> Result<UserList, StoreError> {
        self.db
            .read(move |conn| {
                let s = ScopeParams::from(scope);
                let mut stmt = conn.prepare_cached(USERS_IN_SCOPE)?;
                let users = stmt
                    .query_map(params![s.area, s.team, s.own, unit, LIST_LIMIT], summary)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(UserList {
                    users: by_name(users),
                })
            })
            .await
    }

    /// Creates a staff account (commune staff, province staff, administrator) in a unit of
    /// the scope, with a one-time password.
    pub async fn create_staff(
        &self,
        scope: Scope,
        actor: Actor,
        new: NewStaff,
        by: By,
    ) -> Result<IssuedPassword, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                unit_level_in_scope(&tx, scope, new.unit_id)?;
                outranks(&actor, new.role).map_err(StoreError::Refused)?;
                if new.role.is_team() {
                    return Err(StoreError::invalid(
                        "use_roster",
                        "role",
                        "team people join through a team's roster",
                    ));
                }
                let id = create(
                    &tx,
                    &NewAccount {
                        phone: &new.phone,
                        name: &new.name,
                        password_hash: &new.password_hash,
                        role: new.role,
                        unit_id: new.unit_id,
                        must_change_password: true,
                    },
                    now_of(&by),
                )?;
                audit::record(
                    &tx,
                    &by,
                    "user_created",
                    "user",
                    &id.to_string(),
                    Some(new.unit_id),
                    serde_json::json!({ "role": new.role, "name": new.name }),
                )?;
                let user = user_in_scope(&tx, Scope::Everything, id)?;
                tx.commit()?;
                Ok(IssuedPassword {
                    user,
                    one_time_password: new.password,
                })
            })
            .await
    }

    /// Sets a one-time password on an account in scope of a role below the actor's; it must
    /// be changed at the next sign-in, and the account's sessions end.
    pub async fn reset_password(
        &self,
        scope: Scope,
        actor: Actor,
        id: Uuid,
        password: String,
        hash: String,
        by: By,
    ) -> Result<IssuedPassword, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                let user = managed(&tx, scope, actor, id)?;
                tx.prepare_cached(SET_PASSWORD)?
                    .execute(params![id.to_string(), hash, true])?;
                tx.prepare_cached(END_SESSIONS)?.execute([id.to_string()])?;
                audit::record(
                    &tx,
                    &by,
                    "password_reset",
                    "user",
                    &id.to_string(),
                    Some(user.unit.id),
                    serde_json::json!({}),
                )?;
                let user = user_in_scope(&tx, Scope::Everything, id)?;
                tx.commit()?;
                Ok(IssuedPassword {
                    user,
                    one_time_password: password,
                })
            })
            .await
    }

    /// Renames, closes or reopens an account in scope of a role below the actor's.
    pub async fn change_user(
        &self,
        scope: Scope,
        actor: Actor,
        id: Uuid,
        change: UserChange,
        by: By,
    ) -> Result<UserSummary, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                let user = managed(&tx, scope, actor, id)?;
                let now = now_of(&by);
                let key = id.to_string();
                if let Some(name) = &change.name {
                    tx.prepare_cached(SET_NAME)?.execute(params![key, name])?;
                    audit::record(
                        &tx,
                        &by,
                        "user_renamed",
                        "user",
                        &key,
                        Some(user.unit.id),
                        serde_json::json!({ "from": user.name, "to": name }),
                    )?;
                }
                match change.active {
                    Some(false) if close(&tx, id, now)? => {
                        tx.prepare_cached(END_SESSIONS)?.execute([&key])?;
                        audit::record(
                            &tx,
                            &by,
                            "user_closed",
                            "user",
                            &key,
                            Some(user.unit.id),
                            serde_json::json!({ "team": user.team_id }),
                        )?;
                    }
                    Some(true) if tx.prepare_cached(REOPEN)?.execute([&key])? > 0 => {
                        audit::record(
                            &tx,
                            &by,
                            "user_reopened",
                            "user",
                            &key,
                            Some(user.unit.id),
                            serde_json::json!({}),
                        )?;
                    }
                    _ => {}
                }
                let user = user_in_scope(&tx, Scope::Everything, id)?;
                tx.commit()?;
                Ok(user)
            })
            .await
    }

    /// Moves a team person in scope to another team in scope: their place on the old roster
    /// ends (visits logged there stay there), a place on the new one begins.
    pub async fn move_user(
        &self,
        scope: Scope,
        actor: Actor,
        id: Uuid,
        team: Uuid,
        affiliation: Option<Affiliation>,
        by: By,
    ) -> Result<UserSummary, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                let user = managed(&tx, scope, actor, id)?;
                if !user.role.is_team() {
                    return Err(StoreError::invalid(
                        "not_team_person",
                        "user",
                        "only team people move between teams",
                    ));
                }
                if !user.active {
                    return Err(StoreError::conflict(
                        "account_closed",
                        "reopen the account first",
                    ));
                }
                let target = super::teams::team_unit_in_scope(&tx, scope, team)?;
                if user.team_id == Some(team) {
                    return Err(StoreError::conflict(
                        "already_on_team",
                        "the person is on this team already",
                    ));
                }
                let now = now_of(&by);
                let affiliation = match affiliation {
                    Some(a) => a,
                    None => {
                        super::teams::current_affiliation(&tx, id)?.unwrap_or(Affiliation::Other)
                    }
                };
                super::teams::leave_roster(&tx, id, now)?;
                super::teams::join_roster(&tx, team, id, Position::Member, affiliation, now)?;
                tx.prepare_cached(SET_UNIT)?
                    .execute(params![id.to_string(), target])?;
                audit::record(
                    &tx,
                    &by,
                    "user_moved",
                    "user",
                    &id.to_string(),
                    Some(target),
                    serde_json::json!({ "from_team": user.team_id, "to_team": team }),
                )?;
                let user = user_in_scope(&tx, Scope::Everything, id)?;
                tx.commit()?;
                Ok(user)
            })
            .await
    }
}

/// A staff account to create, already checked.
#[derive(Clone, Debug)]
pub struct NewStaff {
    /// Cleaned name.
    pub name: String,
    /// Canonical phone number.
    pub phone: String,
    /// Role.
    pub role: Role,
    /// Unit.
    pub unit_id: i64,
    /// The one-time password, to hand back once.
    pub password: String,
    /// Its hash.
    pub password_hash: String,
}

fn now_of(by: &By) -> i64 {
    by.at
}
