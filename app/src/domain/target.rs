//! Targets (chỉ tiêu): what a commune or a village should reach in a quarter or a year, and how
//! far its figures are from it (`docs/indicators.md`, "Targets"). Pure: no I/O, no clock.
//!
//! The rules:
//! 1. A target is set for a **quarter or a year**, never a week, a month or the year to
//!    10 October. A page for a period shows the targets of exactly that period: a year's target
//!    is not divided into quarters.
//! 2. A target names an [`Indicator`]: approved visits, households reached, people helped,
//!    household businesses onto e-commerce, or households helped with one activity of the
//!    catalogue. Active teams and members, and coverage (which has its own denominator), have
//!    none.
//! 3. **Province staff** set their communes' targets; **commune staff** split their commune's
//!    target among its villages (province staff may too). Nobody sets their own unit's target
//!    (the policy's rule 9: [`crate::domain::policy::may_set_target`]).
//! 4. A province's target is the sum of its communes' targets for the indicator.
//! 5. Progress is the figure over the target, in whole percent rounded down; a target is
//!    **met** when the figure reaches it (a target of 0 is met at once).
//! 6. A split **adds up** when the villages' targets sum to the commune's target. Villages
//!    without a target count as 0 and are counted apart; otherwise the page says by how much
//!    the split is short or over.
//! 7. A target is a whole number from 0 to [`MAX_TARGET`]; clearing it removes it.

use crate::api::Figures;
use crate::domain::period::{Period, PeriodKind};

/// The largest target (ten million: more than any province's households).
pub const MAX_TARGET: i64 = 10_000_000;

/// An indicator a target can name (rule 2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    /// Approved visits.
    Visits,
    /// Distinct households reached.
    Households,
    /// People helped, all activities.
    People,
    /// Household businesses helped onto e-commerce.
    EcommerceBusinesses,
    /// Distinct households helped with this activity code.
    Activity(String),
}

impl Indicator {
    /// The indicators every catalogue has, before the per-activity ones.
    pub const FIXED: [Indicator; 4] = [
        Indicator::Households,
        Indicator::Visits,
        Indicator::People,
        Indicator::EcommerceBusinesses,
    ];

    /// The stored and sent name: `visits`, `households`, `people`, `ecommerce_businesses`,
    /// `activity:<code>`.
    pub fn key(&self) -> String {
        match self {
            Indicator::Visits => "visits".into(),
            Indicator::Households => "households".into(),
            Indicator::People => "people".into(),
            Indicator::EcommerceBusinesses => "ecommerce_businesses".into(),
            Indicator::Activity(code) => format!("activity:{code}"),
        }
    }

    /// Parses [`Indicator::key`]. An activity code is not checked against a catalogue here.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "visits" => Indicator::Visits,
            "households" => Indicator::Households,
            "people" => Indicator::People,
            "ecommerce_businesses" => Indicator::EcommerceBusinesses,
            _ => {
                let code = raw.strip_prefix("activity:")?;
                let valid = !code.is_empty()
                    && code.len() <= 64
                    && code.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
                    });
                if !valid {
                    return None;
                }
                Indicator::Activity(code.to_string())
            }
        })
    }

    /// The indicator's figure.
    pub fn value(&self, figures: &Figures) -> i64 {
        match self {
            Indicator::Visits => figures.visits,
            Indicator::Households => figures.households,
            Indicator::People => figures.people,
            Indicator::EcommerceBusinesses => figures.ecommerce_businesses,
            Indicator::Activity(code) => figures
                .activities
                .iter()
                .find(|a| &a.code == code)
                .map_or(0, |a| a.households),
        }
    }
}

/// Rule 1: whether a period can carry targets.
pub fn period_takes_targets(period: Period) -> bool {
    matches!(period.kind(), PeriodKind::Quarter | PeriodKind::Year)
}

/// Rule 7: whether a value may be a target.
pub fn valid_value(value: i64) -> bool {
    (0..=MAX_TARGET).contains(&value)
}

/// The target set on `figures` for `indicator`, if any.
pub fn target_of(figures: &Figures, indicator: &Indicator) -> Option<i64> {
    let key = indicator.key();
    figures
        .targets
        .iter()
        .find(|t| t.indicator == key)
        .map(|t| t.value)
}

/// How far a figure is from its target (rule 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The figure.
    pub actual: i64,
    /// The target.
    pub target: i64,
    /// Whole percent, rounded down (100 when the target is 0).
    pub percent: i64,
    /// The figure reaches the target.
    pub met: bool,
}

/// Rule 5.
pub fn progress(actual: i64, target: i64) -> Progress {
    let percent = if target <= 0 {
        100
    } else {
        actual.saturating_mul(100) / target
    };
    Progress {
        actual,
        target,
        percent,
        met: actual >= target,
    }
}

/// Rule 4: a province's targets, the sum of its communes' per indicator.
pub fn sum_targets<'a>(
    children: impl IntoIterator<Item = &'a Figures>,
) -> Vec<crate::api::TargetValue> {
    let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
    for figures in children {
        for t in &figures.targets {
            *sums.entry(t.indicator.clone()).or_default() += t.value;
        }
    }
    sums.into_iter()
        .map(|(indicator, value)| crate::api::TargetValue { indicator, value })
        .collect()
}

/// How a commune's target is split among its villages (rule 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// The villages' targets added up.
    pub sum: i64,
    /// Villages without a target.
    pub villages_without: usize,
    /// `sum − the commune's target` (negative: short); `None` without a commune target.
    pub difference: Option<i64>,
}

impl Split {
    /// The split adds up to the commune's target.
    pub fn adds_up(&self) -> bool {
        self.difference == Some(0)
    }
}

/// Rule 6: the split of `commune`'s target among `villages` for `indicator`.
pub fn split<'a>(
    commune: &Figures,
    villages: impl IntoIterator<Item = &'a Figures>,
    indicator: &Indicator,
) -> Split {
    let (mut sum, mut villages_without) = (0, 0);
    for village in villages {
        match target_of(village, indicator) {
            Some(value) => sum += value,
            None => villages_without += 1,
        }
    }
    Split {
        sum,
        villages_without,
        difference: target_of(commune, indicator).map(|target| sum - target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ActivityFigures, TargetValue};

    fn with_targets(targets: &[(&str, i64)]) -> Figures {
        Figures {
            targets: targets
                .iter()
                .map(|(i, v)| TargetValue {
                    indicator: i.to_string(),
                    value: *v,
                })
                .collect(),
            ..Figures::default()
        }
    }

    #[test]
    fn targets_are_set_for_quarters_and_years_only() {
        for (key, takes) in [
            ("Q2026-3", true),
            ("Y2026", true),
            ("M2026-09", false),
            ("W2026-09-28", false),
            ("D2026", false),
        ] {
            assert_eq!(
                period_takes_targets(Period::parse(key).unwrap()),
                takes,
                "{key}"
            );
        }
    }

    #[test]
    fn an_indicator_reads_back_from_its_key_and_refuses_anything_else() {
        let mut all = Indicator::FIXED.to_vec();
        all.push(Indicator::Activity("epayment_account".into()));
        for indicator in all {
            assert_eq!(Indicator::parse(&indicator.key()), Some(indicator));
        }
        for bad in [
            "",
            "activity:",
            "activity:Có dấu",
            "coverage",
            "active_members",
        ] {
            assert_eq!(Indicator::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn households_helped_with_an_activity_are_that_activitys_distinct_households() {
        let figures = Figures {
            households: 9,
            activities: vec![ActivityFigures {
                code: "epayment_account".into(),
                visits: 7,
                people: 11,
                households: 5,
            }],
            ..Figures::default()
        };
        let epayment = Indicator::Activity("epayment_account".into());
        assert_eq!(epayment.value(&figures), 5);
        assert_eq!(Indicator::Activity("health_app".into()).value(&figures), 0);
        assert_eq!(Indicator::Households.value(&figures), 9);
    }

    #[test]
    fn progress_rounds_down_and_a_target_is_met_when_reached() {
        assert_eq!(
            progress(45, 120),
            Progress {
                actual: 45,
                target: 120,
                percent: 37,
                met: false
            }
        );
        assert!(progress(120, 120).met);
        assert_eq!(progress(130, 120).percent, 108);
        assert_eq!(
            progress(0, 0),
            Progress {
                actual: 0,
                target: 0,
                percent: 100,
                met: true
            }
        );
    }

    #[test]
    fn a_province_target_is_the_sum_of_its_communes() {
        let a = with_targets(&[("households", 100), ("activity:health_app", 10)]);
        let b = with_targets(&[("households", 50)]);
        let sum = sum_targets([&a, &b]);
        assert_eq!(
            sum,
            vec![
                TargetValue {
                    indicator: "activity:health_app".into(),
                    value: 10
                },
                TargetValue {
                    indicator: "households".into(),
                    value: 150
                },
            ]
        );
    }

    #[test]
    fn a_split_adds_up_short_or_over_and_villages_without_a_target_count_as_zero() {
        let commune = with_targets(&[("households", 100)]);
        let (a, b, none) = (
            with_targets(&[("households", 60)]),
            with_targets(&[("households", 40)]),
            with_targets(&[]),
        );
        let h = Indicator::Households;
        let even = split(&commune, [&a, &b], &h);
        assert!(even.adds_up());
        let short = split(&commune, [&a, &none], &h);
        assert_eq!(
            short,
            Split {
                sum: 60,
                villages_without: 1,
                difference: Some(-40)
            }
        );
        let over = split(&commune, [&a, &b, &a], &h);
        assert_eq!(over.difference, Some(60));
        let unset = split(&with_targets(&[]), [&a], &h);
        assert_eq!(unset.difference, None);
        assert!(!unset.adds_up());
    }

    #[test]
    fn a_target_is_a_whole_number_up_to_ten_million() {
        assert!(valid_value(0));
        assert!(valid_value(MAX_TARGET));
        assert!(!valid_value(-1));
        assert!(!valid_value(MAX_TARGET + 1));
    }
}
