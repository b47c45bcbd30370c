//! The kept figures (`docs/indicators.md`, "How the figures are kept"). Every write that changes
//! a visit calls [`refresh`] in its transaction: what the visit counted for before comes off
//! the figures, what it counts for now goes on. The rule of what a visit adds to which figure
//! is the pure function [`contributions`].

use std::collections::BTreeSet;

use app::api::{
    ActivityCount, ActivityFigures, ChildFigures, CountedVisit, CountedVisits, Coverage,
    DifficultyFigures, Figures, MonthFigures, RankedEntry, Ranking, TeamCount, UnitFigures,
    UnitLevel,
};
use app::domain::period::Period;
use app::domain::policy::Scope;
use app::domain::target::{period_takes_targets, sum_targets};
use app::domain::text::name_order;
use rusqlite::{params, Connection, OptionalExtension};

use super::{users, DbError, Store, StoreError};

/// The activities whose recording on a business household's visit counts it as helped onto
/// e-commerce.
pub const ECOMMERCE: [&str; 2] = ["ecommerce_signup", "online_selling"];
/// Key of the figures over all activities (distinct: households).
pub const ALL: &str = "*";
/// Key of household businesses helped onto e-commerce.
pub const ECOMMERCE_BUSINESS: &str = "+ecommerce_business";
/// Key of the distinct members with a counted visit.
pub const MEMBERS: &str = "@members";
/// Key of the distinct teams with a counted visit.
pub const TEAMS: &str = "@teams";

/// What one approved visit counts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counted {
    pub village: i64,
    /// The village's commune and province: a village's figures roll up into them.
    pub commune: i64,
    pub province: i64,
    pub team: String,
    pub member: String,
    pub household: String,
    pub visited_at: i64,
    pub business: bool,
    /// Activity codes with the people helped.
    pub activities: Vec<(String, u32)>,
}

/// One figure a visit adds to: +1 visit, `people`, and (when `item` is set) the item among the
/// figure's distinct ones. The same change goes to each scope of `rolls_up_to` (a village's
/// commune and province: a household belongs to one village, so distinct households add up
/// across villages).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Contribution {
    pub scope: String,
    pub period: String,
    pub key: String,
    pub people: i64,
    pub item: Option<String>,
    pub rolls_up_to: Vec<String>,
}

/// The figures an approved visit adds to (`docs/indicators.md`, "Indicators"), in each period
/// holding its time: for its village (rolled up into its commune and province) all activities,
/// each activity and the e-commerce business figure; the distinct teams and members of its
/// village, commune and province; for its team all activities and its members; for its author
/// all activities.
pub fn contributions(visit: &Counted) -> Vec<Contribution> {
    let mut out = Vec::new();
    let village = format!("v:{}", visit.village);
    let units = [
        village.clone(),
        format!("c:{}", visit.commune),
        format!("p:{}", visit.province),
    ];
    let team = format!("t:{}", visit.team);
    let member = format!("m:{}", visit.member);
    let total: i64 = visit.activities.iter().map(|(_, p)| i64::from(*p)).sum();
    let codes: BTreeSet<&str> = visit.activities.iter().map(|(c, _)| c.as_str()).collect();
    let ecommerce = visit.business && codes.iter().any(|c| ECOMMERCE.contains(c));
    let household = Some(visit.household.as_str());
    for period in Period::containing(visit.visited_at) {
        let period = period.key();
        let mut add = |scope: &str, key: &str, people: i64, item: Option<&str>, up: bool| {
            out.push(Contribution {
                scope: scope.to_string(),
                period: period.clone(),
                key: key.to_string(),
                people,
                item: item.map(str::to_string),
                rolls_up_to: if up { units[1..].to_vec() } else { Vec::new() },
            })
        };
        add(&village, ALL, total, household, true);
        for code in &codes {
            let people = visit
                .activities
                .iter()
                .filter(|(c, _)| c == code)
                .map(|(_, p)| i64::from(*p))
                .sum();
            add(&village, code, people, household, true);
        }
        if ecommerce {
            add(&village, ECOMMERCE_BUSINESS, 0, household, true);
        }
        for unit in &units {
            add(unit, TEAMS, 0, Some(visit.team.as_str()), false);
            add(unit, MEMBERS, 0, Some(visit.member.as_str()), false);
        }
        add(&team, ALL, total, household, false);
        add(&team, MEMBERS, 0, Some(visit.member.as_str()), false);
        add(&member, ALL, total, household, false);
    }
    out
}

/// An approved visit as it counts now, with its village's commune and province.
const VISIT: &str = "SELECT v.village_id, cu.id, cu.parent_id, v.team_id, v.member_id, \
       v.household_id, v.visited_at, v.business, v.activities \
     FROM visits v JOIN units vu ON vu.id = v.village_id JOIN units cu ON cu.id = vu.parent_id \
     WHERE v.id = ?1 AND v.status = 'approved'";
const COUNTED: &str = "SELECT village_id, commune_id, province_id, team_id, member_id, \
       household_id, visited_at, business, activities FROM figure_visits WHERE visit_id = ?1";
const SAVE_COUNTED: &str = "INSERT OR REPLACE INTO figure_visits (visit_id, village_id, \
       commune_id, province_id, team_id, member_id, household_id, visited_at, business, \
       activities) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
const FORGET_COUNTED: &str = "DELETE FROM figure_visits WHERE visit_id = ?1";
const ADD_COUNT: &str = "INSERT INTO figure_counts (scope, period, key, visits, people, reached) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (scope, period, key) DO UPDATE SET \
       visits = visits + excluded.visits, people = people + excluded.people, \
       reached = reached + excluded.reached";
const DROP_EMPTY_COUNT: &str = "DELETE FROM figure_counts WHERE scope = ?1 AND period = ?2 \
       AND key = ?3 AND visits = 0 AND people = 0 AND reached = 0";
const ADD_REACH: &str = "INSERT INTO figure_reach (scope, period, key, item, visits) \
     VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT (scope, period, key, item) DO UPDATE SET \
       visits = visits + 1 RETURNING visits";
const LESS_REACH: &str = "UPDATE figure_reach SET visits = visits - 1 \
     WHERE scope = ?1 AND period = ?2 AND key = ?3 AND item = ?4 AND visits > 1";
const DROP_REACH: &str = "DELETE FROM figure_reach \
     WHERE scope = ?1 AND period = ?2 AND key = ?3 AND item = ?4";
const BUILT: &str = "SELECT built FROM figure_state";
const SET_BUILT: &str = "UPDATE figure_state SET built = 1";
const ALL_VISITS: &str = "SELECT id FROM visits WHERE status = 'approved'";

#[cfg(test)]
pub(crate) const STATEMENTS: &[&str] = &[
    VISIT,
    COUNTED,
    SAVE_COUNTED,
    FORGET_COUNTED,
    ADD_COUNT,
    DROP_EMPTY_COUNT,
    ADD_REACH,
    LESS_REACH,
    DROP_REACH,
    BUILT,
    SET_BUILT,
    ALL_VISITS,
];

fn counted_at(r: &rusqlite::Row<'_>) -> rusqlite::Result<Counted> {
    let activities: String = r.get(8)?;
    Ok(Counted {
        village: r.get(0)?,
        commune: r.get(1)?,
        province: r.get(2)?,
        team: r.get(3)?,
        member: r.get(4)?,
        household: r.get(5)?,
        visited_at: r.get(6)?,
        business: r.get(7)?,
        activities: parse_activities(&activities),
    })
}

/// Activities as `visits.activities` (`[{code, people, ...}]`) or `figure_visits.activities`
/// (`[[code, people]]`) hold them.
fn parse_activities(raw: &str) -> Vec<(String, u32)> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Done {
        Pair(String, u32),
        Object { code: String, people: u32 },
    }
    serde_json::from_str::<Vec<Done>>(raw)
        .unwrap_or_default()
        .into_iter()
        .map(|d| match d {
            Done::Pair(code, people) | Done::Object { code, people } => (code, people),
        })
        .collect()
}

/// Adds (`sign` 1) or takes off (`sign` -1) a counted visit's contributions.
fn apply(tx: &Connection, visit: &Counted, sign: i64) -> Result<(), DbError> {
    for c in contributions(visit) {
        let mut reached = 0;
        if let Some(item) = &c.item {
            let keys = params![c.scope, c.period, c.key, item];
            if sign > 0 {
                let count: i64 = tx
                    .prepare_cached(ADD_REACH)?
                    .query_row(keys, |r| r.get(0))?;
                reached = i64::from(count == 1);
            } else if tx.prepare_cached(LESS_REACH)?.execute(keys)? == 0 {
                tx.prepare_cached(DROP_REACH)?.execute(keys)?;
                reached = -1;
            }
        }
        for scope in std::iter::once(&c.scope).chain(&c.rolls_up_to) {
            tx.prepare_cached(ADD_COUNT)?.execute(params![
                scope,
                c.period,
                c.key,
                sign,
                sign * c.people,
                reached
            ])?;
            if sign < 0 {
                tx.prepare_cached(DROP_EMPTY_COUNT)?
                    .execute(params![scope, c.period, c.key])?;
            }
        }
    }
    Ok(())
}

/// Brings the figures in line with visit `id` as it is now, inside the caller's transaction.
/// Only approved visits count; a visit awaiting review costs two reads.
pub fn refresh(tx: &Connection, id: &str) -> Result<(), DbError> {
    let now: Option<Counted> = tx
        .prepare_cached(VISIT)?
        .query_row([id], counted_at)
        .optional()?;
    let before: Option<Counted> = tx
        .prepare_cached(COUNTED)?
        .query_row([id], counted_at)
        .optional()?;
    if now == before {
        return Ok(());
    }
    if let Some(before) = &before {
        apply(tx, before, -1)?;
    }
    match &now {
        Some(now) => {
            apply(tx, now, 1)?;
            let activities =
                serde_json::to_string(&now.activities).map_err(|e| DbError::Task(e.to_string()))?;
            tx.prepare_cached(SAVE_COUNTED)?.execute(params![
                id,
                now.village,
                now.commune,
                now.province,
                now.team,
                now.member,
                now.household,
                now.visited_at,
                now.business,
                activities
            ])?;
        }
        None => {
            tx.prepare_cached(FORGET_COUNTED)?.execute([id])?;
        }
    }
    Ok(())
}

/// Counts the visits stored before the figures were kept (once, after the migration that
/// added them).
pub fn build_once(conn: &mut Connection) -> Result<(), DbError> {
    let tx = conn.transaction()?;
    let built: i64 = tx.prepare_cached(BUILT)?.query_row([], |r| r.get(0))?;
    if built == 0 {
        let ids: Vec<String> = tx
            .prepare_cached(ALL_VISITS)?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &ids {
            refresh(&tx, id)?;
        }
        tx.prepare_cached(SET_BUILT)?.execute([])?;
    }
    tx.commit()?;
    Ok(())
}

/// The villages under unit `?1`, each with the unit's child it lies in: a village itself, a
/// commune's villages (each its own child), a province's communes' villages. (`+level`: found
/// through the parent, never by scanning every village of the country for the level.)
macro_rules! under {
    () => {
        "WITH under(village, child) AS ( \
           SELECT id, id FROM units WHERE id = ?1 AND +level = 'village' \
           UNION ALL SELECT id, id FROM units WHERE parent_id = ?1 AND +level = 'village' \
           UNION ALL SELECT v.id, c.id FROM units c JOIN units v ON v.parent_id = c.id \
             WHERE c.parent_id = ?1 AND +v.level = 'village') "
    };
}
const CHILDREN: &str =
    "SELECT id, name FROM units WHERE parent_id = ?1 AND level IN ('commune', 'village')";
const UNIT_NAME: &str = "SELECT name FROM units WHERE id = ?1";
const ROWS: &str =
    "SELECT key, visits, people, reached FROM figure_counts WHERE scope = ?1 AND period = ?2";
const TREND: &str = "SELECT period, visits, people, reached FROM figure_counts \
     WHERE scope = ?1 AND period >= ?2 AND period <= ?3 AND key = '*' ORDER BY period";
const COVERAGE: &str = concat!(
    under!(),
    "SELECT under.child, COUNT(*), SUM(u.household_count IS NULL), \
       COALESCE(SUM(CASE WHEN u.household_count IS NOT NULL THEN f.reached END), 0), \
       COALESCE(SUM(u.household_count), 0) \
     FROM under JOIN units u ON u.id = under.village \
     LEFT JOIN figure_counts f ON f.scope = 'v:' || under.village AND f.period = ?2 AND f.key = '*' \
     GROUP BY under.child"
);
/// Coverage per commune of a province (`?1`), without reading each village's figures: the
/// households from the villages' counts, the reached ones from the commune's kept figure less
/// those of its villages without a count (a household lies in one village, so a commune's
/// reached households are the sum of its villages'; only villages without a count are read).
const PROVINCE_COVERAGE: &str = "SELECT c.id, COUNT(*), SUM(v.household_count IS NULL), \
       COALESCE((SELECT f.reached FROM figure_counts f \
                 WHERE f.scope = 'c:' || c.id AND f.period = ?2 AND f.key = '*'), 0) \
       - COALESCE(SUM(CASE WHEN v.household_count IS NULL THEN \
           (SELECT f.reached FROM figure_counts f \
            WHERE f.scope = 'v:' || v.id AND f.period = ?2 AND f.key = '*') END), 0), \
       COALESCE(SUM(v.household_count), 0) \
     FROM units c JOIN units v ON v.parent_id = c.id \
     WHERE c.parent_id = ?1 AND +v.level = 'village' GROUP BY c.id";
const AWAITING: &str = concat!(
    under!(),
    "SELECT under.child, COUNT(*) FROM under \
     JOIN visits v INDEXED BY visits_submitted ON v.village_id = under.village \
     WHERE v.status = 'submitted' AND v.visited_at >= ?2 AND v.visited_at < ?3 \
     GROUP BY under.child"
);
const DIFFICULTIES: &str = concat!(
    under!(),
    "SELECT d.category, SUM(d.status = 'open'), SUM(d.status = 'handled') FROM under \
     JOIN difficulties d INDEXED BY difficulties_village ON d.village_id = under.village \
     WHERE d.raised_at >= ?2 AND d.raised_at < ?3 GROUP BY d.category ORDER BY d.category"
);

#[cfg(test)]
pub(crate) const READS: &[&str] = &[
    CHILDREN,
    UNIT_NAME,
    ROWS,
    TREND,
    COVERAGE,
    PROVINCE_COVERAGE,
    AWAITING,
    DIFFICULTIES,
];

/// The figures of a scope (`v:`, `c:`, `p:`...) in a period, from its kept rows.
fn figures_of(conn: &Connection, scope: &str, period: &str) -> Result<Figures, DbError> {
    let mut figures = Figures::default();
    let mut statement = conn.prepare_cached(ROWS)?;
    let rows = statement.query_map(params![scope, period], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (key, visits, people, reached) = row?;
        match key.as_str() {
            ALL => {
                figures.visits = visits;
                figures.people = people;
                figures.households = reached;
            }
            ECOMMERCE_BUSINESS => figures.ecommerce_businesses = reached,
            TEAMS => figures.active_teams = reached,
            MEMBERS => figures.active_members = reached,
            _ => figures.activities.push(ActivityFigures {
                code: key,
                visits,
                people,
                households: reached,
            }),
        }
    }
    figures.activities.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(figures)
}

/// The figures of unit `unit` in scope for `period`: its own, its children's side by side, the
/// months of the period's year and the difficulties raised in it.
pub fn unit_figures(
    conn: &Connection,
    scope: Scope,
    unit: i64,
    period: Period,
) -> Result<UnitFigures, StoreError> {
    let level = users::unit_level_in_scope(conn, scope, unit)?;
    let prefix = match level {
        UnitLevel::Village => "v",
        UnitLevel::Commune => "c",
        UnitLevel::Province => "p",
        UnitLevel::District => {
            return Err(StoreError::invalid(
                "no_figures",
                "unit",
                "figures are kept for villages, communes and provinces",
            ))
        }
    };
    let key = period.key();
    let (start, end) = period.span_ms();
    let name: String = conn
        .prepare_cached(UNIT_NAME)?
        .query_row([unit], |r| r.get(0))?;
    let mut children: Vec<ChildFigures> = Vec::new();
    if level != UnitLevel::Village {
        let child_prefix = if level == UnitLevel::Province {
            "c"
        } else {
            "v"
        };
        let units: Vec<(i64, String)> = conn
            .prepare_cached(CHILDREN)?
            .query_map([unit], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, child_name) in units {
            children.push(ChildFigures {
                unit_id: id,
                name: child_name,
                figures: figures_of(conn, &format!("{child_prefix}:{id}"), &key)?,
            });
        }
        children.sort_by(|a, b| name_order(&a.name, &b.name));
    }
    let mut total = figures_of(conn, &format!("{prefix}:{unit}"), &key)?;
    // Coverage and visits awaiting review, per child (or for the village itself).
    let mut place = |child: i64, apply: &mut dyn FnMut(&mut Figures)| {
        if child == unit {
            apply(&mut total);
        } else if let Some(c) = children.iter_mut().find(|c| c.unit_id == child) {
            apply(&mut c.figures);
        }
    };
    let coverage_read = if level == UnitLevel::Province {
        PROVINCE_COVERAGE
    } else {
        COVERAGE
    };
    let coverage: Vec<(i64, Coverage)> = conn
        .prepare_cached(coverage_read)?
        .query_map(params![unit, key], |r| {
            Ok((
                r.get(0)?,
                Coverage {
                    villages: r.get(1)?,
                    villages_without_count: r.get(2)?,
                    reached: r.get(3)?,
                    households: r.get(4)?,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    for (child, c) in coverage {
        place(child, &mut |f| f.coverage = c.clone());
    }
    let awaiting: Vec<(i64, i64)> = conn
        .prepare_cached(AWAITING)?
        .query_map(params![unit, start, end], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (child, n) in awaiting {
        place(child, &mut |f| f.awaiting_review = n);
    }
    let takes_targets = period_takes_targets(period);
    if takes_targets {
        for (of, target) in super::targets::of_unit_and_children(conn, unit, &key)? {
            place(of, &mut |f| f.targets.push(target.clone()));
        }
    }
    if takes_targets && level == UnitLevel::Province {
        total.targets = sum_targets(children.iter().map(|c| &c.figures));
    }
    if level != UnitLevel::Village {
        total.coverage = children
            .iter()
            .fold(Coverage::default(), |sum, c| Coverage {
                reached: sum.reached + c.figures.coverage.reached,
                households: sum.households + c.figures.coverage.households,
                villages: sum.villages + c.figures.coverage.villages,
                villages_without_count: sum.villages_without_count
                    + c.figures.coverage.villages_without_count,
            });
        total.awaiting_review = children.iter().map(|c| c.figures.awaiting_review).sum();
    }
    let year = period.days().0.year;
    let trend = conn
        .prepare_cached(TREND)?
        .query_map(
            params![
                format!("{prefix}:{unit}"),
                format!("M{year:04}-01"),
                format!("M{year:04}-12")
            ],
            |r| {
                Ok(MonthFigures {
                    period: r.get(0)?,
                    visits: r.get(1)?,
                    people: r.get(2)?,
                    households: r.get(3)?,
                })
            },
        )?
        .collect::<Result<_, _>>()?;
    let difficulties = conn
        .prepare_cached(DIFFICULTIES)?
        .query_map(params![unit, start, end], |r| {
            Ok(DifficultyFigures {
                category: r.get(0)?,
                open: r.get(1)?,
                handled: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let (first, last) = period.days();
    let iso = |d: app::domain::time::Date| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day);
    Ok(UnitFigures {
        unit_id: unit,
        name,
        level,
        period: key,
        first_day: iso(first),
        last_day: iso(last),
        total,
        children,
        trend,
        difficulties,
    })
}

/// One row of the quarterly report: a unit, its place in the hierarchy and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRow {
    /// The unit's level.
    pub level: UnitLevel,
    /// Its name.
    pub name: String,
    /// The unit it belongs to (a village's commune, a commune's province).
    pub parent: String,
    /// Its figures.
    pub figures: Figures,
}

/// The report of a unit for a period: its own row (the total) first, then each commune with
/// its villages after it (a province), or each village (a commune).
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// The activities of the unit's province, in the catalogue's order: (code, Vietnamese name).
    pub activities: Vec<(String, String)>,
    /// The rows.
    pub rows: Vec<ReportRow>,
}

const PARENT_NAME: &str =
    "SELECT p.name FROM units u JOIN units p ON p.id = u.parent_id WHERE u.id = ?1";

#[cfg(test)]
pub(crate) const REPORT_READS: &[&str] = &[PARENT_NAME];

/// The report of unit `unit` in scope for `period`. Its cost follows the number of units.
pub fn report(
    conn: &Connection,
    scope: Scope,
    unit: i64,
    period: Period,
) -> Result<Report, StoreError> {
    let top = unit_figures(conn, scope, unit, period)?;
    let parent: String = conn
        .prepare_cached(PARENT_NAME)?
        .query_row([unit], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let province = super::targets::province_of(conn, unit)?;
    let activities = super::catalogue::entries(conn, province)?
        .into_iter()
        .map(|e| (e.code, e.name_vi))
        .collect();
    let child_level = match top.level {
        UnitLevel::Province => UnitLevel::Commune,
        _ => UnitLevel::Village,
    };
    let mut rows = vec![ReportRow {
        level: top.level,
        name: top.name.clone(),
        parent,
        figures: top.total.clone(),
    }];
    for child in &top.children {
        rows.push(ReportRow {
            level: child_level,
            name: child.name.clone(),
            parent: top.name.clone(),
            figures: child.figures.clone(),
        });
        if top.level == UnitLevel::Province {
            let commune = unit_figures(conn, scope, child.unit_id, period)?;
            rows.extend(commune.children.into_iter().map(|village| ReportRow {
                level: UnitLevel::Village,
                name: village.name,
                parent: child.name.clone(),
                figures: village.figures,
            }));
        }
    }
    Ok(Report {
        period,
        activities,
        rows,
    })
}

/// The teams of unit `?1` (a village's, a commune's, a province's communes') with their
/// figures over all activities in period `?2`.
const RANKED_TEAMS: &str = "SELECT t.id, t.name, u.name, f.reached, f.people, f.visits \
     FROM teams t JOIN units u ON u.id = t.unit_id JOIN units c ON c.id = t.commune_id \
     JOIN figure_counts f ON f.scope = 't:' || t.id AND f.period = ?2 AND f.key = '*' \
     WHERE t.unit_id = ?1 OR t.commune_id = ?1 OR c.parent_id = ?1";
/// The Youth Union members now on those teams, with their figures in period `?2`.
const RANKED_MEMBERS: &str = "SELECT us.id, us.name, t.name, f.reached, f.people, f.visits \
     FROM teams t JOIN units c ON c.id = t.commune_id \
     JOIN team_members m ON m.team_id = t.id AND m.left_at IS NULL AND m.affiliation = 'youth_union' \
     JOIN users us ON us.id = m.user_id \
     JOIN figure_counts f ON f.scope = 'm:' || m.user_id AND f.period = ?2 AND f.key = '*' \
     WHERE t.unit_id = ?1 OR t.commune_id = ?1 OR c.parent_id = ?1";

#[cfg(test)]
pub(crate) const RANKING_READS: &[&str] = &[RANKED_TEAMS, RANKED_MEMBERS];

/// Entries ranked by the commendation rule (`docs/indicators.md`, "Commendation"): most
/// households reached, then most people helped, then most visits, then name the Vietnamese
/// way; equal figures share a rank (1, 2, 2, 4). The first `limit` are kept.
pub fn rank(mut entries: Vec<RankedEntry>, limit: usize) -> Vec<RankedEntry> {
    let figures = |e: &RankedEntry| (e.households, e.people, e.visits);
    entries.sort_by(|a, b| {
        figures(b)
            .cmp(&figures(a))
            .then_with(|| name_order(&a.name, &b.name))
    });
    for i in 0..entries.len() {
        entries[i].rank = if i > 0 && figures(&entries[i]) == figures(&entries[i - 1]) {
            entries[i - 1].rank
        } else {
            i as u32 + 1
        };
    }
    entries.truncate(limit);
    entries
}

/// The best teams and Youth Union members of a unit in scope for a period.
pub fn ranking(
    conn: &Connection,
    scope: Scope,
    unit: i64,
    period: Period,
    limit: usize,
) -> Result<Ranking, StoreError> {
    users::unit_level_in_scope(conn, scope, unit)?;
    let key = period.key();
    let read = |sql: &str| -> Result<Vec<RankedEntry>, DbError> {
        Ok(conn
            .prepare_cached(sql)?
            .query_map(params![unit, key], |r| {
                Ok(RankedEntry {
                    rank: 0,
                    id: r.get(0)?,
                    name: r.get(1)?,
                    within: r.get(2)?,
                    households: r.get(3)?,
                    people: r.get(4)?,
                    visits: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?)
    };
    Ok(Ranking {
        period: key.clone(),
        teams: rank(read(RANKED_TEAMS)?, limit),
        members: rank(read(RANKED_MEMBERS)?, limit),
    })
}

/// The teams with counted visits in village `?1` between `?2` and `?3`.
const VILLAGE_TEAMS: &str = "SELECT fv.team_id, t.name, COUNT(*), COUNT(DISTINCT fv.household_id) \
     FROM figure_visits fv INDEXED BY figure_visits_village JOIN teams t ON t.id = fv.team_id \
     WHERE fv.village_id = ?1 AND fv.visited_at >= ?2 AND fv.visited_at < ?3 \
     GROUP BY fv.team_id";
/// The counted visits of village `?1` between `?2` and `?3`, of team `?4` (or any) with
/// activity `?5` (or any).
macro_rules! counted_where {
    () => {
        "WHERE fv.village_id = ?1 AND fv.visited_at >= ?2 AND fv.visited_at < ?3 \
           AND (?4 IS NULL OR fv.team_id = ?4) \
           AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(fv.activities) a \
                                      WHERE json_extract(a.value, '$[0]') = ?5)) "
    };
}
const COUNTED_TOTAL: &str = concat!(
    "SELECT COUNT(*) FROM figure_visits fv INDEXED BY figure_visits_village ",
    counted_where!()
);
const COUNTED_VISITS: &str = concat!(
    "SELECT fv.visit_id, fv.visited_at, h.head_name, fv.team_id, t.name, u.name, fv.activities \
     FROM figure_visits fv INDEXED BY figure_visits_village \
     JOIN households h ON h.id = fv.household_id JOIN teams t ON t.id = fv.team_id \
     JOIN users u ON u.id = fv.member_id ",
    counted_where!(),
    "ORDER BY fv.visited_at DESC, fv.visit_id LIMIT ?6"
);

#[cfg(test)]
pub(crate) const DRILL_READS: &[&str] = &[VILLAGE_TEAMS, COUNTED_TOTAL, COUNTED_VISITS];

/// The approved visits behind the figures of village `unit` in scope for `period`, newest
/// first (at most `limit`), of one team and with one activity when asked.
pub fn counted_visits(
    conn: &Connection,
    scope: Scope,
    unit: i64,
    period: Period,
    team: Option<uuid::Uuid>,
    activity: Option<&str>,
    limit: i64,
) -> Result<CountedVisits, StoreError> {
    if users::unit_level_in_scope(conn, scope, unit)? != UnitLevel::Village {
        return Err(StoreError::invalid(
            "not_a_village",
            "unit",
            "the visits behind the figures are listed per village",
        ));
    }
    let (start, end) = period.span_ms();
    let uuid_at = |r: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<uuid::Uuid> {
        let raw: String = r.get(i)?;
        uuid::Uuid::parse_str(&raw).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    let mut teams: Vec<TeamCount> = conn
        .prepare_cached(VILLAGE_TEAMS)?
        .query_map(params![unit, start, end], |r| {
            Ok(TeamCount {
                team_id: uuid_at(r, 0)?,
                name: r.get(1)?,
                visits: r.get(2)?,
                households: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    teams.sort_by(|a, b| name_order(&a.name, &b.name));
    let team = team.map(|t| t.to_string());
    let total: i64 = conn
        .prepare_cached(COUNTED_TOTAL)?
        .query_row(params![unit, start, end, team, activity], |r| r.get(0))?;
    let visits = conn
        .prepare_cached(COUNTED_VISITS)?
        .query_map(params![unit, start, end, team, activity, limit], |r| {
            let activities: String = r.get(6)?;
            Ok(CountedVisit {
                id: uuid_at(r, 0)?,
                visited_at: r.get(1)?,
                household_name: r.get(2)?,
                team_id: uuid_at(r, 3)?,
                team_name: r.get(4)?,
                member_name: r.get(5)?,
                activities: parse_activities(&activities)
                    .into_iter()
                    .map(|(code, people)| ActivityCount { code, people })
                    .collect(),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(CountedVisits {
        unit_id: unit,
        period: period.key(),
        teams,
        total,
        visits,
    })
}

impl Store {
    /// The approved visits behind a village's figures.
    #[allow(clippy::too_many_arguments)]
    pub async fn counted_visits(
        &self,
        scope: Scope,
        unit: i64,
        period: Period,
        team: Option<uuid::Uuid>,
        activity: Option<String>,
        limit: i64,
    ) -> Result<CountedVisits, StoreError> {
        self.db
            .read(move |conn| {
                counted_visits(conn, scope, unit, period, team, activity.as_deref(), limit)
            })
            .await
    }

    /// The figures of a unit in scope for a period.
    pub async fn unit_figures(
        &self,
        scope: Scope,
        unit: i64,
        period: Period,
    ) -> Result<UnitFigures, StoreError> {
        self.db
            .read(move |conn| unit_figures(conn, scope, unit, period))
            .await
    }

    /// The best teams and Youth Union members of a unit in scope for a period.
    pub async fn ranking(
        &self,
        scope: Scope,
        unit: i64,
        period: Period,
        limit: usize,
    ) -> Result<Ranking, StoreError> {
        self.db
            .read(move |conn| ranking(conn, scope, unit, period, limit))
            .await
    }

    /// The report of a unit in scope for a period, recorded in the audit log as exported in
    /// `format`.
    pub async fn export_report(
        &self,
        scope: Scope,
        unit: i64,
        period: Period,
        format: &'static str,
        by: super::audit::By,
    ) -> Result<Report, StoreError> {
        let report = self
            .db
            .read(move |conn| report(conn, scope, unit, period))
            .await?;
        let rows = report.rows.len();
        self.db
            .write(move |conn| {
                super::audit::record(
                    conn,
                    &by,
                    "report_exported",
                    "unit",
                    &unit.to_string(),
                    Some(unit),
                    serde_json::json!({ "period": period.key(), "format": format, "rows": rows }),
                )?;
                Ok::<_, StoreError>(())
            })
            .await?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::time::Date;

    fn visit(business: bool, activities: &[(&str, u32)]) -> Counted {
        Counted {
            village: 7,
            commune: 5,
            province: 1,
            team: "T".into(),
            member: "M".into(),
            household: "H".into(),
            // 15 October 2026, 10:00 in Vietnam: after the 10 October period.
            visited_at: Date {
                year: 2026,
                month: 10,
                day: 15,
            }
            .start_ms()
                + 10 * 3_600_000,
            business,
            activities: activities
                .iter()
                .map(|(c, p)| (c.to_string(), *p))
                .collect(),
        }
    }

    fn rows(visit: &Counted, period: &str) -> Vec<(String, String, i64, Option<String>, usize)> {
        contributions(visit)
            .into_iter()
            .filter(|c| c.period == period)
            .map(|c| (c.scope, c.key, c.people, c.item, c.rolls_up_to.len()))
            .collect()
    }

    #[test]
    fn an_approved_visit_adds_to_its_village_its_commune_province_team_and_author() {
        let v = visit(false, &[("epayment_account", 2), ("health_app", 1)]);
        let h = || Some("H".to_string());
        let t = || Some("T".to_string());
        let m = || Some("M".to_string());
        assert_eq!(
            rows(&v, "Q2026-4"),
            vec![
                ("v:7".into(), "*".into(), 3, h(), 2),
                ("v:7".into(), "epayment_account".into(), 2, h(), 2),
                ("v:7".into(), "health_app".into(), 1, h(), 2),
                ("v:7".into(), "@teams".into(), 0, t(), 0),
                ("v:7".into(), "@members".into(), 0, m(), 0),
                ("c:5".into(), "@teams".into(), 0, t(), 0),
                ("c:5".into(), "@members".into(), 0, m(), 0),
                ("p:1".into(), "@teams".into(), 0, t(), 0),
                ("p:1".into(), "@members".into(), 0, m(), 0),
                ("t:T".into(), "*".into(), 3, h(), 0),
                ("t:T".into(), "@members".into(), 0, m(), 0),
                ("m:M".into(), "*".into(), 3, h(), 0),
            ]
        );
    }

    #[test]
    fn it_counts_in_its_week_month_quarter_and_year_but_not_after_ten_october() {
        let v = visit(false, &[("health_app", 1)]);
        let periods: BTreeSet<String> = contributions(&v).into_iter().map(|c| c.period).collect();
        assert_eq!(
            periods.into_iter().collect::<Vec<_>>(),
            ["M2026-10", "Q2026-4", "W2026-10-12", "Y2026"]
        );
    }

    #[test]
    fn a_business_household_helped_to_sell_online_counts_for_e_commerce_and_others_do_not() {
        let sells = visit(true, &[("online_selling", 1)]);
        assert!(rows(&sells, "Y2026")
            .iter()
            .any(|(s, k, _, _, _)| s == "v:7" && k == ECOMMERCE_BUSINESS));
        let not_business = visit(false, &[("online_selling", 1)]);
        let pays = visit(true, &[("epayment_account", 1)]);
        for other in [not_business, pays] {
            assert!(rows(&other, "Y2026")
                .iter()
                .all(|(_, k, _, _, _)| k != ECOMMERCE_BUSINESS));
        }
    }

    fn entry(name: &str, households: i64, people: i64, visits: i64) -> RankedEntry {
        RankedEntry {
            rank: 0,
            id: name.into(),
            name: name.into(),
            within: String::new(),
            households,
            people,
            visits,
        }
    }

    #[test]
    fn teams_rank_by_households_then_people_then_visits_and_equal_figures_share_a_rank() {
        let ranked = rank(
            vec![
                entry("Tổ Đông", 5, 9, 6),
                entry("Tổ Ánh Dương", 7, 2, 7),
                entry("Tổ Bắc", 5, 9, 6),
                entry("Tổ Cầu", 5, 12, 5),
                entry("Tổ Em", 1, 1, 1),
            ],
            4,
        );
        let shown: Vec<(u32, &str)> = ranked.iter().map(|e| (e.rank, e.name.as_str())).collect();
        assert_eq!(
            shown,
            [
                (1, "Tổ Ánh Dương"),
                (2, "Tổ Cầu"),
                (3, "Tổ Bắc"),
                (3, "Tổ Đông")
            ]
        );
    }

    #[test]
    fn activities_read_from_the_visit_and_from_the_kept_copy_alike() {
        let from_visit = parse_activities(r#"[{"code":"health_app","detail":null,"people":2}]"#);
        let kept = parse_activities(r#"[["health_app",2]]"#);
        assert_eq!(from_visit, vec![("health_app".to_string(), 2)]);
        assert_eq!(kept, from_visit);
    }
}
