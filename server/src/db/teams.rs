//! Teams and their rosters. A team belongs to a village or to the commune itself (one team per
//! unit). The roster keeps its history: a person who leaves or moves keeps their row with
//! `left_at`, so a visit logged before is credited to the team they were on then.

use std::collections::HashMap;

use app::api::{
    AddedMember, ImportReport, ImportedMember, MemberChange, NewTeam, RefusedLine, RosterEntry,
    TeamChange, TeamDetail, TeamSummary, UnitLevel, UnitRef,
};
use app::domain::policy::{outranks, Actor, Scope};
use app::domain::team::{composition_gaps, Affiliation, Position};
use rusqlite::{params, Connection, OptionalExtension, Row};
use uuid::Uuid;

use super::audit::{self, By};
use super::scope::{area_cte, ScopeParams};
use super::users::{self, NewAccount};
use super::{enum_at, feed, uuid_at, DbError, Store, StoreError};

const INSERT_TEAM: &str = "INSERT INTO teams \
       (id, unit_id, commune_id, name, decision_no, decision_date, created_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const TEAM_ON_UNIT: &str = "SELECT 1 FROM teams WHERE unit_id = ?1";
/// A team in scope (`?4`): its unit.
const TEAM_IN_SCOPE: &str = concat!(
    area_cte!(),
    "SELECT t.unit_id FROM teams t WHERE t.id = ?4 \
       AND (?1 IS NULL OR t.commune_id IN area) AND (?2 IS NULL OR t.id = ?2) \
       AND (?3 IS NULL OR t.id IN (SELECT team_id FROM team_members WHERE user_id = ?3 AND left_at IS NULL))"
);
const TEAM: &str = "SELECT t.id, t.name, t.unit_id, un.name, un.level, t.commune_id, \
       t.decision_no, t.decision_date \
     FROM teams t JOIN units un ON un.id = t.unit_id WHERE t.id = ?1";
const TEAMS_OF_COMMUNE: &str = "SELECT t.id, t.name, t.unit_id, un.name, un.level, t.commune_id, \
       t.decision_no, t.decision_date \
     FROM teams t JOIN units un ON un.id = t.unit_id WHERE t.commune_id = ?1 OR t.unit_id = ?1";
const ROSTER: &str = "SELECT u.id, u.name, u.phone, m.position, m.affiliation, m.joined_at, \
       u.last_sync_at, u.must_change_password, u.unsent_count, u.unsent_at \
     FROM team_members m JOIN users u ON u.id = m.user_id \
     WHERE m.team_id = ?1 AND m.left_at IS NULL";
const SET_TEAM: &str = "UPDATE teams SET name = COALESCE(?2, name), \
       decision_no = COALESCE(?3, decision_no), decision_date = COALESCE(?4, decision_date) \
     WHERE id = ?1";
const MEMBERSHIP: &str = "SELECT position, affiliation, left_at FROM team_members \
     WHERE team_id = ?1 AND user_id = ?2";
const CURRENT_AFFILIATION: &str =
    "SELECT affiliation FROM team_members WHERE user_id = ?1 AND left_at IS NULL";
const CURRENT_TEAM: &str =
    "SELECT team_id FROM team_members WHERE user_id = ?1 AND left_at IS NULL";
const LEAVE: &str = "UPDATE team_members SET left_at = ?2 WHERE user_id = ?1 AND left_at IS NULL";
const INSERT_MEMBER: &str = "INSERT INTO team_members \
       (team_id, user_id, position, affiliation, joined_at) VALUES (?1, ?2, ?3, ?4, ?5)";
const REJOIN: &str = "UPDATE team_members SET position = ?3, affiliation = ?4, joined_at = ?5, \
       left_at = NULL WHERE team_id = ?1 AND user_id = ?2";
const LEADER: &str = "SELECT user_id FROM team_members \
     WHERE team_id = ?1 AND position = 'leader' AND left_at IS NULL";
const SET_POSITION: &str =
    "UPDATE team_members SET position = ?3 WHERE team_id = ?1 AND user_id = ?2 AND left_at IS NULL";
const SET_AFFILIATION: &str = "UPDATE team_members SET affiliation = ?3 \
     WHERE team_id = ?1 AND user_id = ?2 AND left_at IS NULL";
const ACCOUNT_BY_PHONE: &str = "SELECT id, role, active, unit_id FROM users WHERE phone = ?1";
const SET_UNIT: &str = "UPDATE users SET unit_id = ?2 WHERE id = ?1";
/// Every membership of a user, newest first: which team they were on when.
const MEMBERSHIPS: &str = "SELECT m.team_id, t.unit_id, m.joined_at, m.left_at \
     FROM team_members m JOIN teams t ON t.id = m.team_id \
     WHERE m.user_id = ?1 ORDER BY m.joined_at DESC";
const VILLAGE_OF_COMMUNE: &str =
    "SELECT id FROM units WHERE parent_id = ?1 AND level = 'village' AND name = ?2";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    INSERT_TEAM,
    TEAM_ON_UNIT,
    TEAM_IN_SCOPE,
    TEAM,
    TEAMS_OF_COMMUNE,
    ROSTER,
    SET_TEAM,
    MEMBERSHIP,
    CURRENT_AFFILIATION,
    CURRENT_TEAM,
    LEAVE,
    INSERT_MEMBER,
    REJOIN,
    LEADER,
    SET_POSITION,
    SET_AFFILIATION,
    ACCOUNT_BY_PHONE,
    SET_UNIT,
    MEMBERSHIPS,
    VILLAGE_OF_COMMUNE,
];

/// Creates a team on a village or a commune (its `commune`) and returns its id.
pub fn create(
    conn: &Connection,
    unit: i64,
    commune: i64,
    name: &str,
    decision: (Option<&str>, Option<&str>),
    now: i64,
) -> Result<Uuid, StoreError> {
    if conn
        .prepare_cached(TEAM_ON_UNIT)?
        .query_row([unit], |_| Ok(()))
        .optional()?
        .is_some()
    {
        return Err(StoreError::conflict(
            "team_exists",
            "this village or commune has a team already",
        ));
    }
    let id = Uuid::now_v7();
    conn.prepare_cached(INSERT_TEAM)?.execute(params![
        id.to_string(),
        unit,
        commune,
        name,
        decision.0,
        decision.1,
        now
    ])?;
    Ok(id)
}

/// The unit of a team in scope, or 404.
pub fn team_unit_in_scope(conn: &Connection, scope: Scope, team: Uuid) -> Result<i64, StoreError> {
    let s = ScopeParams::from(scope);
    conn.prepare_cached(TEAM_IN_SCOPE)?
        .query_row(params![s.area, s.team, s.own, team.to_string()], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The affiliation of a user's current place on a roster.
pub fn current_affiliation(conn: &Connection, user: Uuid) -> Result<Option<Affiliation>, DbError> {
    Ok(conn
        .prepare_cached(CURRENT_AFFILIATION)?
        .query_row([user.to_string()], |r| enum_at(r, 0, Affiliation::parse))
        .optional()?)
}

fn current_team(conn: &Connection, user: Uuid) -> Result<Option<Uuid>, DbError> {
    Ok(conn
        .prepare_cached(CURRENT_TEAM)?
        .query_row([user.to_string()], |r| uuid_at(r, 0))
        .optional()?)
}

/// Ends a user's current place on a roster, if any; their team's devices learn it.
pub fn leave_roster(conn: &Connection, user: Uuid, now: i64) -> Result<(), DbError> {
    let team = current_team(conn, user)?;
    conn.prepare_cached(LEAVE)?
        .execute(params![user.to_string(), now])?;
    if let Some(team) = team {
        feed::touch_roster(conn, team, user)?;
    }
    Ok(())
}

/// Puts a user (on no team now) on a team's roster; a new leader steps the old one down.
pub fn join_roster(
    conn: &Connection,
    team: Uuid,
    user: Uuid,
    position: Position,
    affiliation: Affiliation,
    now: i64,
) -> Result<(), DbError> {
    if position == Position::Leader {
        step_down_leader(conn, team)?;
    }
    let args = params![
        team.to_string(),
        user.to_string(),
        position.as_str(),
        affiliation.as_str(),
        now
    ];
    let returning = conn
        .prepare_cached(MEMBERSHIP)?
        .query_row(params![team.to_string(), user.to_string()], |_| Ok(()))
        .optional()?
        .is_some();
    if returning {
        conn.prepare_cached(REJOIN)?.execute(args)?;
    } else {
        conn.prepare_cached(INSERT_MEMBER)?.execute(args)?;
    }
    feed::touch_roster(conn, team, user)
}

fn step_down_leader(conn: &Connection, team: Uuid) -> Result<(), DbError> {
    let leader = conn
        .prepare_cached(LEADER)?
        .query_row([team.to_string()], |r| uuid_at(r, 0))
        .optional()?;
    if let Some(leader) = leader {
        conn.prepare_cached(SET_POSITION)?.execute(params![
            team.to_string(),
            leader.to_string(),
            Position::Member.as_str()
        ])?;
        feed::touch_roster(conn, team, leader)?;
    }
    Ok(())
}

/// Where a visit of `user` at `visited_at` belongs: the team they were on then (and its unit),
/// else their current team. `None` for a user who was never on a team.
pub fn team_at(
    conn: &Connection,
    user: Uuid,
    visited_at: i64,
) -> Result<Option<(Uuid, i64)>, DbError> {
    let mut stmt = conn.prepare_cached(MEMBERSHIPS)?;
    let rows: Vec<(Uuid, i64, i64, Option<i64>)> = stmt
        .query_map([user.to_string()], |r| {
            Ok((uuid_at(r, 0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let covering = rows
        .iter()
        .find(|(_, _, joined, left)| *joined <= visited_at && left.is_none_or(|l| visited_at < l));
    let current = rows.iter().find(|(_, _, _, left)| left.is_none());
    Ok(covering
        .or(current)
        .or(rows.first())
        .map(|(team, unit, _, _)| (*team, *unit)))
}

fn summary_head(r: &Row<'_>) -> rusqlite::Result<TeamSummary> {
    Ok(TeamSummary {
        id: uuid_at(r, 0)?,
        name: r.get(1)?,
        unit: UnitRef {
            id: r.get(2)?,
            name: r.get(3)?,
            level: enum_at(r, 4, UnitLevel::parse)?,
        },
        commune_id: r.get(5)?,
        decision_no: r.get(6)?,
        decision_date: r.get(7)?,
        people: 0,
        leader: None,
        gaps: Vec::new(),
    })
}

fn roster(conn: &Connection, team: Uuid) -> Result<Vec<RosterEntry>, DbError> {
    let mut stmt = conn.prepare_cached(ROSTER)?;
    let mut entries: Vec<RosterEntry> = stmt
        .query_map([team.to_string()], |r| {
            Ok(RosterEntry {
                user_id: uuid_at(r, 0)?,
                name: r.get(1)?,
                phone: r.get(2)?,
                position: enum_at(r, 3, Position::parse)?,
                affiliation: enum_at(r, 4, Affiliation::parse)?,
                joined_at: r.get(5)?,
                last_sync_at: r.get(6)?,
                must_change_password: r.get(7)?,
                unsent: r.get(8)?,
                unsent_at: r.get(9)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    entries.sort_by(|a, b| {
        (a.position != Position::Leader)
            .cmp(&(b.position != Position::Leader))
            .then_with(|| app::domain::text::name_order(&a.name, &b.name))
    });
    Ok(entries)
}

/// Fills a team's roster counts, leader and composition gaps.
fn complete(
    conn: &Connection,
    mut team: TeamSummary,
) -> Result<(TeamSummary, Vec<RosterEntry>), DbError> {
    let entries = roster(conn, team.id)?;
    let pairs: Vec<_> = entries
        .iter()
        .map(|e| (e.position, e.affiliation))
        .collect();
    team.people = entries.len() as u32;
    team.leader = entries
        .iter()
        .find(|e| e.position == Position::Leader)
        .map(|e| e.name.clone());
    team.gaps = composition_gaps(&pairs);
    Ok((team, entries))
}

/// A team with its roster, without a scope check.
pub fn detail(conn: &Connection, id: Uuid) -> Result<TeamDetail, StoreError> {
    let head = conn
        .prepare_cached(TEAM)?
        .query_row([id.to_string()], summary_head)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let (team, roster) = complete(conn, head)?;
    let commune = users::unit_path(conn, team.commune_id)?
        .pop()
        .ok_or(StoreError::NotFound)?;
    Ok(TeamDetail {
        team,
        commune,
        roster,
    })
}

/// The teams of a commune (its own and its villages'), by name.
pub fn of_commune(conn: &Connection, commune: i64) -> Result<Vec<TeamSummary>, DbError> {
    let mut stmt = conn.prepare_cached(TEAMS_OF_COMMUNE)?;
    let heads: Vec<TeamSummary> = stmt
        .query_map([commune], summary_head)?
        .collect::<Result<_, _>>()?;
    let mut teams = heads
        .into_iter()
        .map(|t| complete(conn, t).map(|(t, _)| t))
        .collect::<Result<Vec<_>, _>>()?;
    teams.sort_by_key(|t| app::domain::text::collation_key(&t.unit.name));
    Ok(teams)
}

/// A person to put on a roster, already checked.
#[derive(Clone, Debug)]
pub struct Joiner {
    /// Cleaned name.
    pub name: String,
    /// Canonical phone number.
    pub phone: String,
    /// What they represent.
    pub affiliation: Affiliation,
    /// Leader or member.
    pub position: Position,
    /// A one-time password and its hash, used if the account is new.
    pub password: (String, String),
}

/// Adds a person to a team's roster: a new account for a new phone number, the existing
/// account of a team person on no team. Returns their entry and, for a new account, the
/// one-time password.
fn add(
    conn: &Connection,
    scope: Scope,
    team: Uuid,
    team_unit: i64,
    joiner: &Joiner,
    by: &By,
) -> Result<(Uuid, Option<String>), StoreError> {
    let existing = conn
        .prepare_cached(ACCOUNT_BY_PHONE)?
        .query_row([&joiner.phone], |r| {
            Ok((
                uuid_at(r, 0)?,
                enum_at(r, 1, app::api::Role::parse)?,
                r.get::<_, bool>(2)?,
            ))
        })
        .optional()?;
    let (user, password) = match existing {
        Some((user, role, active)) => {
            let reachable = users::user_in_scope(conn, scope, user).is_ok();
            if !role.is_team() || !active || !reachable {
                return Err(StoreError::conflict(
                    "phone_taken",
                    "another account has this phone number",
                ));
            }
            match current_team(conn, user)? {
                Some(t) if t == team => {
                    return Err(StoreError::conflict(
                        "already_on_team",
                        "the person is on this team already",
                    ))
                }
                Some(_) => {
                    return Err(StoreError::conflict(
                        "on_another_team",
                        "the person is on another team: move them instead",
                    ))
                }
                None => {}
            }
            conn.prepare_cached(SET_UNIT)?
                .execute(params![user.to_string(), team_unit])?;
            (user, None)
        }
        None => {
            let user = users::create(
                conn,
                &NewAccount {
                    phone: &joiner.phone,
                    name: &joiner.name,
                    password_hash: &joiner.password.1,
                    role: app::api::Role::Member,
                    unit_id: team_unit,
                    must_change_password: true,
                },
                by.at,
            )?;
            audit::record(
                conn,
                by,
                "user_created",
                "user",
                &user.to_string(),
                Some(team_unit),
                serde_json::json!({ "role": "member", "name": joiner.name }),
            )?;
            (user, Some(joiner.password.0.clone()))
        }
    };
    join_roster(conn, team, user, joiner.position, joiner.affiliation, by.at)?;
    audit::record(
        conn,
        by,
        "roster_added",
        "team",
        &team.to_string(),
        Some(team_unit),
        serde_json::json!({ "user": user, "position": joiner.position, "affiliation": joiner.affiliation }),
    )?;
    Ok((user, password))
}

/// One line of a roster CSV, as read.
#[derive(Clone, Debug)]
pub struct ImportLine {
    /// Line in the file.
    pub line: u32,
    /// What it holds, or why it cannot be read.
    pub content: Result<ImportPerson, &'static str>,
}

/// A readable line of a roster CSV.
#[derive(Clone, Debug)]
pub struct ImportPerson {
    /// The person.
    pub joiner: Joiner,
    /// Their village's name, or `None` for the commune's own team.
    pub village: Option<String>,
}

impl Store {
    /// Creates a team on a village of the commune, or on the commune itself.
    pub async fn create_team(
        &self,
        scope: Scope,
        commune: i64,
        new: NewTeam,
        by: By,
    ) -> Result<TeamSummary, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                if users::unit_level_in_scope(&tx, scope, commune)? != UnitLevel::Commune {
                    return Err(StoreError::invalid("not_a_commune", "unit", "teams are created in a commune"));
                }
                let unit = match new.village_id {
                    Some(village) => {
                        let path = users::unit_path(&tx, village)?;
                        let parent = path.iter().rev().nth(1).map(|u| u.id);
                        if path.last().map(|u| u.level) != Some(UnitLevel::Village) || parent != Some(commune) {
                            return Err(StoreError::invalid("village_not_in_commune", "village_id", "the village is not in this commune"));
                        }
                        village
                    }
                    None => commune,
                };
                let id = create(&tx, unit, commune, &new.name, (new.decision_no.as_deref(), new.decision_date.as_deref()), by.at)?;
                audit::record(&tx, &by, "team_created", "team", &id.to_string(), Some(unit), serde_json::json!({ "name": new.name, "decision_no": new.decision_no, "decision_date": new.decision_date }))?;
                let team = detail(&tx, id)?.team;
                tx.commit()?;
                Ok(team)
            })
            .await
    }

    /// A team in scope, with its roster.
    pub async fn team(&self, scope: Scope, id: Uuid) -> Result<TeamDetail, StoreError> {
        self.db
            .read(move |conn| {
                team_unit_in_scope(conn, scope, id)?;
                detail(conn, id)
            })
            .await
    }

    /// Renames a team in scope or records its decision.
    pub async fn change_team(
        &self,
        scope: Scope,
        id: Uuid,
        change: TeamChange,
        by: By,
    ) -> Result<TeamSummary, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                let unit = team_unit_in_scope(&tx, scope, id)?;
                tx.prepare_cached(SET_TEAM)?.execute(params![
                    id.to_string(),
                    change.name,
                    change.decision_no,
                    change.decision_date
                ])?;
                audit::record(
                    &tx,
                    &by,
                    "team_changed",
                    "team",
                    &id.to_string(),
                    Some(unit),
                    serde_json::to_value(&change).unwrap_or_default(),
                )?;
                let team = detail(&tx, id)?.team;
                tx.commit()?;
                Ok(team)
            })
            .await
    }

    /// Adds a person to a team in scope.
    pub async fn add_member(
        &self,
        scope: Scope,
        team: Uuid,
        joiner: Joiner,
        by: By,
    ) -> Result<AddedMember, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                let unit = team_unit_in_scope(&tx, scope, team)?;
                let (user, one_time_password) = add(&tx, scope, team, unit, &joiner, &by)?;
                let member = roster(&tx, team)?
                    .into_iter()
                    .find(|e| e.user_id == user)
                    .ok_or(StoreError::NotFound)?;
                tx.commit()?;
                Ok(AddedMember {
                    member,
                    one_time_password,
                })
            })
            .await
    }

    /// Changes a person's affiliation or position on a team in scope.
    pub async fn change_member(
        &self,
        scope: Scope,
        team: Uuid,
        user: Uuid,
        change: MemberChange,
        by: By,
    ) -> Result<RosterEntry, StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                let unit = team_unit_in_scope(&tx, scope, team)?;
                if current_team(&tx, user)? != Some(team) {
                    return Err(StoreError::NotFound);
                }
                if let Some(affiliation) = change.affiliation {
                    tx.prepare_cached(SET_AFFILIATION)?.execute(params![team.to_string(), user.to_string(), affiliation.as_str()])?;
                }
                if let Some(position) = change.position {
                    if position == Position::Leader {
                        step_down_leader(&tx, team)?;
                    }
                    tx.prepare_cached(SET_POSITION)?.execute(params![team.to_string(), user.to_string(), position.as_str()])?;
                }
                feed::touch_roster(&tx, team, user)?;
                audit::record(&tx, &by, "roster_changed", "team", &team.to_string(), Some(unit), serde_json::json!({ "user": user, "affiliation": change.affiliation, "position": change.position }))?;
                let entry = roster(&tx, team)?
                    .into_iter()
                    .find(|e| e.user_id == user)
                    .ok_or(StoreError::NotFound)?;
                tx.commit()?;
                Ok(entry)
            })
            .await
    }

    /// Takes a person off a team in scope. The account stays open (it can join another team);
    /// their visits stay with this team.
    pub async fn remove_member(
        &self,
        scope: Scope,
        team: Uuid,
        user: Uuid,
        by: By,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |conn| {
                let tx = conn.transaction()?;
                let unit = team_unit_in_scope(&tx, scope, team)?;
                if current_team(&tx, user)? != Some(team) {
                    return Err(StoreError::NotFound);
                }
                leave_roster(&tx, user, by.at)?;
                audit::record(
                    &tx,
                    &by,
                    "roster_removed",
                    "team",
                    &team.to_string(),
                    Some(unit),
                    serde_json::json!({ "user": user }),
                )?;
                tx.commit()?;
                Ok(())
            })
            .await
    }

    /// Imports a commune's roster lines: every good line joins its village's team (or the
    /// commune's own), every bad one is reported with a code and changes nothing.
    pub async fn import_roster(
        &self,
        scope: Scope,
        actor: Actor,
        commune: i64,
        lines: Vec<ImportLine>,
        by: By,
    ) -> Result<ImportReport, StoreError> {
        self.db
            .write(move |conn| {
                let mut tx = conn.transaction()?;
                if users::unit_level_in_scope(&tx, scope, commune)? != UnitLevel::Commune {
                    return Err(StoreError::invalid("not_a_commune", "unit", "rosters are imported for a commune"));
                }
                outranks(&actor, app::api::Role::Member).map_err(StoreError::Refused)?;
                let teams: HashMap<i64, Uuid> = of_commune(&tx, commune)?
                    .into_iter()
                    .map(|t| (t.unit.id, t.id))
                    .collect();
                let mut report = ImportReport { added: Vec::new(), refused: Vec::new() };
                for line in lines {
                    let refuse = |code: &str| RefusedLine { line: line.line, code: code.to_string() };
                    let person = match line.content {
                        Ok(person) => person,
                        Err(code) => {
                            report.refused.push(refuse(code));
                            continue;
                        }
                    };
                    let unit = match &person.village {
                        None => Some(commune),
                        Some(name) => tx
                            .prepare_cached(VILLAGE_OF_COMMUNE)?
                            .query_row(params![commune, name], |r| r.get::<_, i64>(0))
                            .optional()?,
                    };
                    let Some(unit) = unit else {
                        report.refused.push(refuse("village_unknown"));
                        continue;
                    };
                    let Some(team) = teams.get(&unit).copied() else {
                        report.refused.push(refuse("no_team"));
                        continue;
                    };
                    // Each line on its own savepoint: a refused line leaves nothing behind.
                    let sp = tx.savepoint()?;
                    match add(&sp, scope, team, unit, &person.joiner, &by) {
                        Ok((user, one_time_password)) => {
                            sp.commit()?;
                            report.added.push(ImportedMember {
                                line: line.line,
                                user_id: user,
                                name: person.joiner.name.clone(),
                                team_id: team,
                                one_time_password,
                            });
                        }
                        Err(StoreError::Conflict { code, .. }) | Err(StoreError::Invalid { code, .. }) => {
                            drop(sp);
                            report.refused.push(refuse(code));
                        }
                        Err(other) => return Err(other),
                    }
                }
                audit::record(&tx, &by, "roster_imported", "unit", &commune.to_string(), Some(commune), serde_json::json!({ "added": report.added.len(), "refused": report.refused.len() }))?;
                tx.commit()?;
                Ok(report)
            })
            .await
    }
}
