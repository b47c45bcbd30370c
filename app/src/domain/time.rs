//! Time as the program sees it: instants are milliseconds since the Unix epoch (UTC); people
//! read them in Vietnam time (UTC+7 all year, no daylight saving) as `dd/mm/yyyy`.

/// Vietnam's offset from UTC, in milliseconds.
pub const VIETNAM_OFFSET_MS: i64 = 7 * 3600 * 1000;

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Full year, e.g. 2026.
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

/// A civil date to days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(date: Date) -> i64 {
    let y = i64::from(date.year) - i64::from(date.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(date.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(date.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Parses the ISO form `yyyy-mm-dd` (what `<input type="date">` gives), checking the day exists.
    pub fn parse_iso(raw: &str) -> Option<Self> {
        let mut parts = raw.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        let digits =
            |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        (date.month >= 1 && date.day >= 1 && date.day <= days_in_month(date.year, date.month))
            .then_some(date)
    }

    /// The date `days` days later (earlier when negative).
    pub fn add_days(self, days: i64) -> Self {
        civil_from_days(days_from_civil(self) + days)
    }

    /// 0 for Monday to 6 for Sunday (1 January 1970 was a Thursday).
    pub fn weekday_from_monday(self) -> u32 {
        (days_from_civil(self) + 3).rem_euclid(7) as u32
    }

    /// The last day of its month.
    pub fn month_end(self) -> Self {
        Date {
            day: days_in_month(self.year, self.month),
            ..self
        }
    }

    /// The instant this day starts in Vietnam (midnight, UTC+7), in ms.
    pub fn start_ms(self) -> i64 {
        days_from_civil(self) * 86_400_000 - VIETNAM_OFFSET_MS
    }

    /// `dd/mm/yyyy`, as Vietnamese people write dates.
    pub fn to_vietnamese(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

/// The calendar date and the minutes of the day of an instant, in Vietnam time.
fn vietnam_parts(ms: i64) -> (Date, i64) {
    let local = ms + VIETNAM_OFFSET_MS;
    let days = local.div_euclid(86_400_000);
    let minute_of_day = local.rem_euclid(86_400_000) / 60_000;
    (civil_from_days(days), minute_of_day)
}

/// The calendar date of an instant in Vietnam.
pub fn vietnam_date(ms: i64) -> Date {
    vietnam_parts(ms).0
}

/// `yyyy-mm-ddTHH:MM` in Vietnam time: the value of an `<input type="datetime-local">`.
pub fn format_local_minute(ms: i64) -> String {
    let (date, minutes) = vietnam_parts(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.year,
        date.month,
        date.day,
        minutes / 60,
        minutes % 60
    )
}

/// Reads `yyyy-mm-ddTHH:MM` (seconds allowed and ignored) as Vietnam time.
pub fn parse_local_minute(raw: &str) -> Option<i64> {
    let (day, time) = raw.trim().split_once('T')?;
    let date = Date::parse_iso(day)?;
    let mut parts = time.split(':');
    let hour: i64 = parts.next().filter(|h| h.len() == 2)?.parse().ok()?;
    let minute: i64 = parts.next().filter(|m| m.len() == 2)?.parse().ok()?;
    (hour < 24 && minute < 60).then(|| date.start_ms() + (hour * 60 + minute) * 60_000)
}

/// `dd/mm/yyyy HH:MM` in Vietnam time.
pub fn format_date_time(ms: i64) -> String {
    let (date, minutes) = vietnam_parts(ms);
    format!(
        "{} {:02}:{:02}",
        date.to_vietnamese(),
        minutes / 60,
        minutes % 60
    )
}

/// `HH:MM` in Vietnam time.
pub fn format_time(ms: i64) -> String {
    let (_, minutes) = vietnam_parts(ms);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The current instant in milliseconds: the browser clock in WASM, the system clock elsewhere.
pub fn now_ms() -> i64 {
    #[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(all(target_arch = "wasm32", feature = "hydrate")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_minute_reads_back_as_it_was_written() {
        let at = 1_767_200_400_000 + (14 * 60 + 5) * 60_000;
        assert_eq!(format_local_minute(at), "2026-01-01T14:05");
        assert_eq!(parse_local_minute("2026-01-01T14:05"), Some(at));
        assert_eq!(parse_local_minute("2026-01-01T14:05:30"), Some(at));
        assert_eq!(parse_local_minute("2026-01-01T24:00"), None);
        assert_eq!(parse_local_minute("2026-01-01"), None);
    }

    #[test]
    fn a_day_starts_at_vietnam_midnight() {
        let day = Date::parse_iso("2026-01-01").unwrap();
        // 2025-12-31T17:00:00Z.
        assert_eq!(day.start_ms(), 1_767_200_400_000);
        assert_eq!(vietnam_date(day.start_ms()), day);
        assert_eq!(
            vietnam_date(day.start_ms() - 1),
            Date::parse_iso("2025-12-31").unwrap()
        );
        let leap = Date::parse_iso("2024-02-29").unwrap();
        assert_eq!(vietnam_date(leap.start_ms() + 86_399_999), leap);
    }

    #[test]
    fn an_instant_is_shown_in_vietnam_time_as_day_month_year() {
        // 2025-10-09T17:30:00Z is 10/10/2025 00:30 in Vietnam.
        assert_eq!(format_date_time(1_760_031_000_000), "10/10/2025 00:30");
        assert_eq!(format_time(1_760_031_000_000), "00:30");
    }

    #[test]
    fn the_epoch_is_seven_in_the_morning_in_vietnam() {
        assert_eq!(format_date_time(0), "01/01/1970 07:00");
    }

    #[test]
    fn iso_dates_parse_only_when_the_day_exists() {
        assert_eq!(
            Date::parse_iso("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(Date::parse_iso("2025-02-29"), None);
        assert_eq!(Date::parse_iso("2025-13-01"), None);
        assert_eq!(Date::parse_iso("25-1-1"), None);
        assert_eq!(Date::parse_iso("2025-01-01-01"), None);
        assert_eq!(Date::parse_iso("+999-+1-+1"), None);
        assert_eq!(Date::parse_iso("2025-0a-01"), None);
    }

    #[test]
    fn dates_are_written_the_vietnamese_way() {
        assert_eq!(
            Date::parse_iso("2026-03-05").unwrap().to_vietnamese(),
            "05/03/2026"
        );
    }
}
