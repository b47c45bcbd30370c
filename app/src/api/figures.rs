//! The figures of a unit (`docs/indicators.md`): `GET /api/units/{id}/figures`.

use serde::{Deserialize, Serialize};

/// An activity's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActivityFigures {
    /// Activity code of the catalogue.
    pub code: String,
    /// Approved visits that recorded it.
    pub visits: i64,
    /// People helped with it.
    pub people: i64,
    /// Distinct households helped with it.
    pub households: i64,
}

/// Coverage: households reached over the official household count, summed over the villages
/// that have a count.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Coverage {
    /// Households reached in the villages that have an official count.
    pub reached: i64,
    /// The sum of those villages' official household counts.
    pub households: i64,
    /// Villages of the unit.
    pub villages: i64,
    /// Villages without an official household count (left out of both sums).
    pub villages_without_count: i64,
}

/// The indicators of one unit (or team) in one period.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Approved visits.
    pub visits: i64,
    /// Distinct households with an approved visit.
    pub households: i64,
    /// People helped, all activities.
    pub people: i64,
    /// Per activity, in code order.
    pub activities: Vec<ActivityFigures>,
    /// Distinct household businesses helped onto e-commerce.
    pub ecommerce_businesses: i64,
    /// Teams with an approved visit.
    pub active_teams: i64,
    /// Members with an approved visit.
    pub active_members: i64,
    /// Households reached over the official count.
    pub coverage: Coverage,
    /// Visits awaiting review (shown apart: never in the figures above).
    pub awaiting_review: i64,
    /// The targets set for the unit and the period, by indicator key (a province's: the sum
    /// of its communes'). Empty for weeks, months and the year to 10 October.
    #[serde(default)]
    pub targets: Vec<TargetValue>,
}

/// A target: an indicator (`households`, `visits`, `people`, `ecommerce_businesses`,
/// `activity:<code>`) and the value to reach (`app::domain::target`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TargetValue {
    /// The indicator's key.
    pub indicator: String,
    /// The value to reach in the period.
    pub value: i64,
}

/// `PUT /api/units/{id}/targets` body: sets (or, with `value` null, clears) one target of a
/// commune (province staff) or a village (commune staff).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TargetChange {
    /// A quarter (`Q2026-3`) or a year (`Y2026`).
    pub period: String,
    /// The indicator's key.
    pub indicator: String,
    /// 0 to 10,000,000; null clears the target.
    pub value: Option<i64>,
}

/// `PUT /api/units/{id}/targets` answer: the unit's targets for the period after the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitTargets {
    /// The unit.
    pub unit_id: i64,
    /// The period.
    pub period: String,
    /// Its targets, by indicator key.
    pub targets: Vec<TargetValue>,
}

/// A child unit's figures (a commune's village, a province's commune).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChildFigures {
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub name: String,
    /// Its figures.
    pub figures: Figures,
}

/// One month of the unit's trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// `M2026-09`.
    pub period: String,
    /// Approved visits.
    pub visits: i64,
    /// Distinct households.
    pub households: i64,
    /// People helped.
    pub people: i64,
}

/// Difficulties raised in the period, per kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DifficultyFigures {
    /// Kind code.
    pub category: String,
    /// Still open.
    pub open: i64,
    /// Handled.
    pub handled: i64,
}

/// `GET /api/units/{id}/figures` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitFigures {
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub name: String,
    /// `province`, `commune` or `village`.
    pub level: super::UnitLevel,
    /// The period's name (`Q2026-3`...).
    pub period: String,
    /// Its first day, `yyyy-mm-dd`.
    pub first_day: String,
    /// Its last day, `yyyy-mm-dd`.
    pub last_day: String,
    /// The unit's figures.
    pub total: Figures,
    /// Its communes (a province) or villages (a commune), side by side, in name order.
    pub children: Vec<ChildFigures>,
    /// The months of the period's year.
    pub trend: Vec<MonthFigures>,
    /// Difficulties raised in the period.
    pub difficulties: Vec<DifficultyFigures>,
}

/// A team or a member in the commendation ranking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RankedEntry {
    /// 1 for the best.
    pub rank: u32,
    /// The team's or member's id.
    pub id: String,
    /// The team's or member's name.
    pub name: String,
    /// For a team, its unit; for a member, their team.
    pub within: String,
    /// Distinct households reached in the period (the first criterion).
    pub households: i64,
    /// People helped (the second).
    pub people: i64,
    /// Approved visits (the third).
    pub visits: i64,
}

/// `GET /api/units/{id}/ranking` answer: the best teams and the best Youth Union members of a
/// unit in a period, by the rule of `docs/indicators.md` ("Commendation").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ranking {
    /// The period's name.
    pub period: String,
    /// The best teams, best first.
    pub teams: Vec<RankedEntry>,
    /// The best Youth Union members (on a team's roster as such now), best first.
    pub members: Vec<RankedEntry>,
}

/// An activity of a counted visit, with the people helped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActivityCount {
    /// Activity code of the catalogue.
    pub code: String,
    /// People helped.
    pub people: u32,
}

/// An approved visit as the figures count it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CountedVisit {
    /// The visit.
    pub id: uuid::Uuid,
    /// When it happened (ms since the epoch).
    pub visited_at: i64,
    /// The household's head (personal data: only staff over the village read it).
    pub household_name: String,
    /// The team it was logged for.
    pub team_id: uuid::Uuid,
    /// That team's name.
    pub team_name: String,
    /// Its author.
    pub member_name: String,
    /// What was done.
    pub activities: Vec<ActivityCount>,
}

/// A team with counted visits in a village and period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamCount {
    /// The team.
    pub team_id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Its approved visits in the village and period.
    pub visits: i64,
    /// The distinct households they reached.
    pub households: i64,
}

/// `GET /api/units/{id}/counted-visits` answer: the approved visits behind a village's figures
/// for a period, newest first, optionally of one team or with one activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CountedVisits {
    /// The village.
    pub unit_id: i64,
    /// The period's name.
    pub period: String,
    /// The teams with counted visits in the village and period (whatever the filters).
    pub teams: Vec<TeamCount>,
    /// How many visits match the filters.
    pub total: i64,
    /// The newest of them (at most the limit).
    pub visits: Vec<CountedVisit>,
}
