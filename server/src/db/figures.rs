//! The kept figures (`docs/indicators.md`, "How the figures are kept"). Every write that changes
//! a visit calls [`refresh`] in its transaction: what the visit counted for before comes off
//! the figures, what it counts for now goes on. The rule of what a visit adds to which figure
//! is the pure function [`contributions`].

use std::collections::BTreeSet;

use app::domain::period::Period;
use rusqlite::{params, Connection, OptionalExtension};

use super::DbError;

/// The activities whose recording on a business household's visit counts it as helped onto
/// e-commerce.
pub const ECOMMERCE: [&str; 2] = ["ecommerce_signup", "online_selling"];
/// Key of the figures over all activities (distinct: households).
pub const ALL: &str = "*";
/// Key of household businesses helped onto e-commerce.
pub const ECOMMERCE_BUSINESS: &str = "+ecommerce_business";
/// Key of a team's distinct members with a counted visit.
pub const MEMBERS: &str = "@members";
/// Key of visits awaiting review (shown apart, never in an official figure).
pub const SUBMITTED: &str = "~submitted";

/// How a visit counts: officially (approved) or apart (awaiting review).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counting {
    Approved,
    Submitted,
}

impl Counting {
    fn as_str(self) -> &'static str {
        match self {
            Counting::Approved => "approved",
            Counting::Submitted => "submitted",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "approved" => Some(Counting::Approved),
            "submitted" => Some(Counting::Submitted),
            _ => None,
        }
    }
}

/// What one visit counts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counted {
    pub counting: Counting,
    pub village: i64,
    pub team: String,
    pub member: String,
    pub household: String,
    pub visited_at: i64,
    pub business: bool,
    /// Activity codes with the people helped.
    pub activities: Vec<(String, u32)>,
}

/// One figure a visit adds to: +1 visit, `people`, and (when `item` is set) the item among
/// the figure's distinct ones.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Contribution {
    pub scope: String,
    pub period: String,
    pub key: String,
    pub people: i64,
    pub item: Option<String>,
}

/// The figures a counted visit adds to (`docs/indicators.md`, "Indicators"): in each period
/// holding its time, for its village all activities, each activity and the e-commerce
/// business figure; for its team and its author all activities (and the team's members).
/// A visit awaiting review adds only to its village's `~submitted`.
pub fn contributions(visit: &Counted) -> Vec<Contribution> {
    let mut out = Vec::new();
    let village = format!("v:{}", visit.village);
    let team = format!("t:{}", visit.team);
    let member = format!("m:{}", visit.member);
    let total: i64 = visit.activities.iter().map(|(_, p)| i64::from(*p)).sum();
    let codes: BTreeSet<&str> = visit.activities.iter().map(|(c, _)| c.as_str()).collect();
    let ecommerce = visit.business && codes.iter().any(|c| ECOMMERCE.contains(c));
    for period in Period::containing(visit.visited_at) {
        let period = period.key();
        let mut add = |scope: &str, key: &str, people: i64, item: Option<&str>| {
            out.push(Contribution {
                scope: scope.to_string(),
                period: period.clone(),
                key: key.to_string(),
                people,
                item: item.map(str::to_string),
            })
        };
        if visit.counting == Counting::Submitted {
            add(&village, SUBMITTED, 0, None);
            continue;
        }
        let household = Some(visit.household.as_str());
        add(&village, ALL, total, household);
        for code in &codes {
            let people = visit
                .activities
                .iter()
                .filter(|(c, _)| c == code)
                .map(|(_, p)| i64::from(*p))
                .sum();
            add(&village, code, people, household);
        }
        if ecommerce {
            add(&village, ECOMMERCE_BUSINESS, 0, household);
        }
        add(&team, ALL, total, household);
        add(&team, MEMBERS, 0, Some(visit.member.as_str()));
        add(&member, ALL, total, household);
    }
    out
}

const VISIT: &str = "SELECT status, village_id, team_id, member_id, household_id, visited_at, \
       business, activities FROM visits WHERE id = ?1";
const COUNTED: &str = "SELECT status, village_id, team_id, member_id, household_id, visited_at, \
       business, activities FROM figure_visits WHERE visit_id = ?1";
const SAVE_COUNTED: &str = "INSERT OR REPLACE INTO figure_visits (visit_id, status, village_id, \
       team_id, member_id, household_id, visited_at, business, activities) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
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
const ALL_VISITS: &str = "SELECT id FROM visits";

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

fn counted_at(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Counted>> {
    let status: String = r.get(0)?;
    let Some(counting) = Counting::parse(&status) else {
        return Ok(None);
    };
    let activities: String = r.get(7)?;
    Ok(Some(Counted {
        counting,
        village: r.get(1)?,
        team: r.get(2)?,
        member: r.get(3)?,
        household: r.get(4)?,
        visited_at: r.get(5)?,
        business: r.get(6)?,
        activities: parse_activities(&activities),
    }))
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
        tx.prepare_cached(ADD_COUNT)?.execute(params![
            c.scope,
            c.period,
            c.key,
            sign,
            sign * c.people,
            reached
        ])?;
        if sign < 0 {
            tx.prepare_cached(DROP_EMPTY_COUNT)?
                .execute(params![c.scope, c.period, c.key])?;
        }
    }
    Ok(())
}

/// Brings the figures in line with visit `id` as it is now, inside the caller's transaction.
pub fn refresh(tx: &Connection, id: &str) -> Result<(), DbError> {
    let now: Option<Counted> = tx
        .prepare_cached(VISIT)?
        .query_row([id], counted_at)
        .optional()?
        .flatten();
    let before: Option<Counted> = tx
        .prepare_cached(COUNTED)?
        .query_row([id], counted_at)
        .optional()?
        .flatten();
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
                now.counting.as_str(),
                now.village,
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

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::time::Date;

    fn visit(counting: Counting, business: bool, activities: &[(&str, u32)]) -> Counted {
        Counted {
            counting,
            village: 7,
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

    fn rows(visit: &Counted, period: &str) -> Vec<(String, String, i64, Option<String>)> {
        contributions(visit)
            .into_iter()
            .filter(|c| c.period == period)
            .map(|c| (c.scope, c.key, c.people, c.item))
            .collect()
    }

    #[test]
    fn an_approved_visit_adds_to_its_village_per_activity_to_its_team_and_to_its_author() {
        let v = visit(
            Counting::Approved,
            false,
            &[("epayment_account", 2), ("health_app", 1)],
        );
        let h = Some("H".to_string());
        assert_eq!(
            rows(&v, "Q2026-4"),
            vec![
                ("v:7".into(), "*".into(), 3, h.clone()),
                ("v:7".into(), "epayment_account".into(), 2, h.clone()),
                ("v:7".into(), "health_app".into(), 1, h.clone()),
                ("t:T".into(), "*".into(), 3, h.clone()),
                ("t:T".into(), "@members".into(), 0, Some("M".into())),
                ("m:M".into(), "*".into(), 3, h),
            ]
        );
    }

    #[test]
    fn it_counts_in_its_week_month_quarter_and_year_but_not_after_ten_october() {
        let v = visit(Counting::Approved, false, &[("health_app", 1)]);
        let periods: BTreeSet<String> = contributions(&v).into_iter().map(|c| c.period).collect();
        assert_eq!(
            periods.into_iter().collect::<Vec<_>>(),
            ["M2026-10", "Q2026-4", "W2026-10-12", "Y2026"]
        );
    }

    #[test]
    fn a_business_household_helped_to_sell_online_counts_for_e_commerce_and_others_do_not() {
        let sells = visit(Counting::Approved, true, &[("online_selling", 1)]);
        assert!(rows(&sells, "Y2026")
            .iter()
            .any(|(s, k, _, _)| s == "v:7" && k == ECOMMERCE_BUSINESS));
        let not_business = visit(Counting::Approved, false, &[("online_selling", 1)]);
        let pays = visit(Counting::Approved, true, &[("epayment_account", 1)]);
        for other in [not_business, pays] {
            assert!(rows(&other, "Y2026")
                .iter()
                .all(|(_, k, _, _)| k != ECOMMERCE_BUSINESS));
        }
    }

    #[test]
    fn a_visit_awaiting_review_is_counted_apart_only() {
        let v = visit(Counting::Submitted, true, &[("online_selling", 4)]);
        assert_eq!(
            rows(&v, "M2026-10"),
            vec![("v:7".into(), SUBMITTED.into(), 0, None)]
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
