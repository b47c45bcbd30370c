//! The periods figures are counted in (`docs/indicators.md`, "Periods"): a pure function from
//! an instant to the periods it belongs to, and each period's name and span. Rules:
//!
//! 1. An instant is read as its Vietnam date (UTC+7 all year), cut at Vietnam midnight.
//! 2. A week runs Monday to Sunday and is named by its Monday: `W2026-09-28`.
//! 3. Month `M2026-09`, quarter `Q2026-3` (January–March is the first), year `Y2026`.
//! 4. The year to 10 October `D2026` runs 1 January to 10 October inclusive; a day after
//!    10 October belongs to none.
//! 5. So every instant is in exactly one week, month, quarter and year, and in at most one
//!    year to 10 October.

use super::time::{vietnam_date, Date};

/// A period figures are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// The week starting on this Monday.
    Week(Date),
    /// A month of a year.
    Month { year: i32, month: u32 },
    /// A quarter (1..=4) of a year.
    Quarter { year: i32, quarter: u32 },
    /// A calendar year.
    Year(i32),
    /// 1 January to 10 October of a year (National Digital Transformation Day).
    ToTenOctober(i32),
}

/// The kinds of period, for choosing one on a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Year,
    ToTenOctober,
}

impl PeriodKind {
    /// Every kind, shortest first.
    pub const ALL: [PeriodKind; 5] = [
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Year,
        PeriodKind::ToTenOctober,
    ];
}

/// The last day of the year-to-10-October period.
const TEN_OCTOBER: (u32, u32) = (10, 10);

impl Period {
    /// The periods the instant `ms` belongs to (rule 5): four or five.
    pub fn containing(ms: i64) -> Vec<Period> {
        let date = vietnam_date(ms);
        PeriodKind::ALL
            .into_iter()
            .filter_map(|kind| Period::of_date(kind, date))
            .collect()
    }

    /// The period of `kind` that holds `date`, if any (only the year to 10 October can miss).
    pub fn of_date(kind: PeriodKind, date: Date) -> Option<Period> {
        let Date { year, month, .. } = date;
        Some(match kind {
            PeriodKind::Week => Period::Week(date.add_days(-i64::from(date.weekday_from_monday()))),
            PeriodKind::Month => Period::Month { year, month },
            PeriodKind::Quarter => Period::Quarter {
                year,
                quarter: (month - 1) / 3 + 1,
            },
            PeriodKind::Year => Period::Year(year),
            PeriodKind::ToTenOctober => {
                if (date.month, date.day) > TEN_OCTOBER {
                    return None;
                }
                Period::ToTenOctober(year)
            }
        })
    }

    /// The period of `kind` that holds the instant `ms`, if any.
    pub fn of(kind: PeriodKind, ms: i64) -> Option<Period> {
        Period::of_date(kind, vietnam_date(ms))
    }

    /// Its kind.
    pub fn kind(self) -> PeriodKind {
        match self {
            Period::Week(_) => PeriodKind::Week,
            Period::Month { .. } => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
            Period::Year(_) => PeriodKind::Year,
            Period::ToTenOctober(_) => PeriodKind::ToTenOctober,
        }
    }

    /// Its first and last day.
    pub fn days(self) -> (Date, Date) {
        let date = |year, month, day| Date { year, month, day };
        match self {
            Period::Week(monday) => (monday, monday.add_days(6)),
            Period::Month { year, month } => {
                (date(year, month, 1), date(year, month, 1).month_end())
            }
            Period::Quarter { year, quarter } => {
                let first = quarter * 3 - 2;
                (date(year, first, 1), date(year, first + 2, 1).month_end())
            }
            Period::Year(year) => (date(year, 1, 1), date(year, 12, 31)),
            Period::ToTenOctober(year) => {
                (date(year, 1, 1), date(year, TEN_OCTOBER.0, TEN_OCTOBER.1))
            }
        }
    }

    /// The instants it spans, `[start, end)` in ms: from the first day's Vietnam midnight to
    /// the midnight after the last day.
    pub fn span_ms(self) -> (i64, i64) {
        let (first, last) = self.days();
        (first.start_ms(), last.add_days(1).start_ms())
    }

    /// Its name, as stored and as routes take it: `W2026-09-28`, `M2026-09`, `Q2026-3`,
    /// `Y2026`, `D2026`.
    pub fn key(self) -> String {
        match self {
            Period::Week(d) => format!("W{:04}-{:02}-{:02}", d.year, d.month, d.day),
            Period::Month { year, month } => format!("M{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => format!("Q{year:04}-{quarter}"),
            Period::Year(year) => format!("Y{year:04}"),
            Period::ToTenOctober(year) => format!("D{year:04}"),
        }
    }

    /// Reads a name made by [`Period::key`]; a week must start on a Monday.
    pub fn parse(raw: &str) -> Option<Period> {
        let (kind, rest) = (raw.get(..1)?, raw.get(1..)?);
        let year = |part: &str| -> Option<i32> {
            (part.len() == 4 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        };
        let small = |part: &str, len: usize, max: u32| -> Option<u32> {
            (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
                .filter(|n| (1..=max).contains(n))
        };
        match kind {
            "W" => {
                let monday = Date::parse_iso(rest)?;
                (monday.weekday_from_monday() == 0).then_some(Period::Week(monday))
            }
            "M" => {
                let (y, m) = rest.split_once('-')?;
                Some(Period::Month {
                    year: year(y)?,
                    month: small(m, 2, 12)?,
                })
            }
            "Q" => {
                let (y, q) = rest.split_once('-')?;
                Some(Period::Quarter {
                    year: year(y)?,
                    quarter: small(q, 1, 4)?,
                })
            }
            "Y" => Some(Period::Year(year(rest)?)),
            "D" => Some(Period::ToTenOctober(year(rest)?)),
            _ => None,
        }
    }

    /// Its Vietnamese name with its days, as reports print it: `Quý 3/2026 (01/07/2026 –
    /// 30/09/2026)`.
    pub fn name_vi(self) -> String {
        let (first, last) = self.days();
        let name = match self {
            Period::Week(_) => "Tuần".to_string(),
            Period::Month { year, month } => format!("Tháng {month:02}/{year}"),
            Period::Quarter { year, quarter } => format!("Quý {quarter}/{year}"),
            Period::Year(year) => format!("Năm {year}"),
            Period::ToTenOctober(year) => format!("Năm {year} đến ngày 10/10"),
        };
        format!(
            "{name} ({} – {})",
            first.to_vietnamese(),
            last.to_vietnamese()
        )
    }

    /// The period of the same kind just after this one.
    pub fn next(self) -> Period {
        let (_, last) = self.days();
        match self {
            Period::ToTenOctober(year) => Period::ToTenOctober(year + 1),
            _ => Period::of_date(self.kind(), last.add_days(1)).unwrap_or(self),
        }
    }

    /// The period of the same kind just before this one.
    pub fn previous(self) -> Period {
        let (first, _) = self.days();
        let day_before = first.add_days(-1);
        match self {
            Period::ToTenOctober(year) => Period::ToTenOctober(year - 1),
            _ => Period::of_date(self.kind(), day_before).unwrap_or(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn date(year: i32, month: u32, day: u32) -> Date {
        Date { year, month, day }
    }

    /// The instant of a Vietnam wall-clock time.
    fn vietnam(year: i32, month: u32, day: u32, hour: i64, minute: i64) -> i64 {
        date(year, month, day).start_ms() + hour * HOUR + minute * 60_000
    }

    fn keys(ms: i64) -> Vec<String> {
        Period::containing(ms)
            .into_iter()
            .map(Period::key)
            .collect()
    }

    #[test]
    fn a_visit_at_five_past_midnight_in_vietnam_counts_on_the_vietnam_day_not_the_utc_one() {
        // 00:05 on Thursday 1 October 2026 in Vietnam is 17:05 on 30 September in UTC.
        assert_eq!(
            keys(vietnam(2026, 10, 1, 0, 5)),
            ["W2026-09-28", "M2026-10", "Q2026-4", "Y2026", "D2026"]
        );
        assert_eq!(
            keys(vietnam(2026, 9, 30, 23, 59)),
            ["W2026-09-28", "M2026-09", "Q2026-3", "Y2026", "D2026"]
        );
    }

    #[test]
    fn the_new_year_starts_at_vietnam_midnight_and_its_first_week_began_in_december() {
        // Friday 1 January 2027, 00:00 in Vietnam is still 31 December 2026 in UTC.
        assert_eq!(
            keys(vietnam(2027, 1, 1, 0, 0)),
            ["W2026-12-28", "M2027-01", "Q2027-1", "Y2027", "D2027"]
        );
        assert_eq!(
            keys(vietnam(2026, 12, 31, 23, 59)),
            ["W2026-12-28", "M2026-12", "Q2026-4", "Y2026"]
        );
    }

    #[test]
    fn the_tenth_of_october_closes_the_commendation_period_and_the_eleventh_is_outside_it() {
        assert!(keys(vietnam(2026, 10, 10, 23, 59)).contains(&"D2026".to_string()));
        assert!(!keys(vietnam(2026, 10, 11, 0, 0)).contains(&"D2026".to_string()));
        assert_eq!(
            Period::ToTenOctober(2026).span_ms(),
            (vietnam(2026, 1, 1, 0, 0), vietnam(2026, 10, 11, 0, 0))
        );
    }

    #[test]
    fn every_instant_is_in_exactly_one_week_month_quarter_and_year_and_inside_each_span() {
        let mut ms = vietnam(2024, 12, 20, 0, 0);
        let end = vietnam(2026, 1, 10, 0, 0);
        while ms < end {
            let periods = Period::containing(ms);
            for kind in [
                PeriodKind::Week,
                PeriodKind::Month,
                PeriodKind::Quarter,
                PeriodKind::Year,
            ] {
                assert_eq!(
                    periods.iter().filter(|p| p.kind() == kind).count(),
                    1,
                    "{ms}"
                );
            }
            for period in periods {
                let (start, stop) = period.span_ms();
                assert!(start <= ms && ms < stop, "{} holds {ms}", period.key());
            }
            ms += 7 * HOUR + 13 * 60_000;
        }
    }

    #[test]
    fn a_quarter_and_a_leap_february_span_their_days() {
        assert_eq!(
            Period::Quarter {
                year: 2028,
                quarter: 1
            }
            .days(),
            (date(2028, 1, 1), date(2028, 3, 31))
        );
        assert_eq!(
            Period::Month {
                year: 2028,
                month: 2
            }
            .days(),
            (date(2028, 2, 1), date(2028, 2, 29))
        );
        assert_eq!(Period::Week(date(2026, 12, 28)).days().1, date(2027, 1, 3));
    }

    #[test]
    fn a_report_names_the_period_in_vietnamese_with_its_days() {
        assert_eq!(
            Period::parse("Q2026-3").unwrap().name_vi(),
            "Quý 3/2026 (01/07/2026 – 30/09/2026)"
        );
        assert_eq!(
            Period::parse("D2026").unwrap().name_vi(),
            "Năm 2026 đến ngày 10/10 (01/01/2026 – 10/10/2026)"
        );
    }

    #[test]
    fn names_read_back_and_bad_names_are_refused() {
        for period in Period::containing(vietnam(2026, 3, 4, 10, 0)) {
            assert_eq!(Period::parse(&period.key()), Some(period));
        }
        for bad in [
            "",
            "W2026-09-29",
            "M2026-13",
            "M2026-9",
            "Q2026-5",
            "Y26",
            "X2026",
            "D+026",
            "Q2026-0",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_periods_before_and_after_are_of_the_same_kind() {
        assert_eq!(
            Period::parse("Q2026-1").unwrap().previous().key(),
            "Q2025-4"
        );
        assert_eq!(
            Period::parse("W2027-01-04").unwrap().previous().key(),
            "W2026-12-28"
        );
        assert_eq!(
            Period::parse("M2026-01").unwrap().previous().key(),
            "M2025-12"
        );
        assert_eq!(Period::parse("D2026").unwrap().previous().key(), "D2025");
        assert_eq!(Period::parse("Q2026-4").unwrap().next().key(), "Q2027-1");
        assert_eq!(
            Period::parse("W2026-12-28").unwrap().next().key(),
            "W2027-01-04"
        );
    }
}
