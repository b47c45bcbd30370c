//! The team leader's summary of a week or a month (`docs/indicators.md`, "The leader's
//! summary"): a short Vietnamese text for the team's chat group, built from what the leader's
//! phone holds, so it works offline. Rules:
//!
//! 1. A visit counts in the period holding its time (Vietnam time, as every figure).
//! 2. Visits withdrawn or refused by the server's checks are left out; the others are
//!    "logged", and split into approved, awaiting review (sent or not yet sent) and returned.
//! 3. Households and people count over the logged visits; households are distinct.
//! 4. "What was done" lists each activity with its distinct households, most first.
//! 5. Open difficulties are those raised by logged visits of the period and not yet handled,
//!    per kind.
//!
//! It is the phone's view, not the official figures: those count approved visits only and
//! are read on the commune's and province's pages.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::period::Period;

/// Where a visit stands, for the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Approved,
    Waiting,
    Returned,
    /// Withdrawn, or refused by the server's checks: left out.
    Left,
}

/// A visit as the summary reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryVisit {
    pub household: Uuid,
    pub visited_at: i64,
    pub standing: Standing,
    /// Activity codes with people helped.
    pub activities: Vec<(String, u32)>,
    /// The kind of difficulty raised, when one is still open.
    pub open_difficulty: Option<String>,
}

/// The summary text of `team` for `period`; `activity` and `kind` name codes in Vietnamese.
pub fn team_summary(
    team: &str,
    period: Period,
    visits: &[SummaryVisit],
    activity: impl Fn(&str) -> String,
    kind: impl Fn(&str) -> String,
) -> String {
    let (start, end) = period.span_ms();
    let logged: Vec<&SummaryVisit> = visits
        .iter()
        .filter(|v| v.visited_at >= start && v.visited_at < end && v.standing != Standing::Left)
        .collect();
    let count = |standing| logged.iter().filter(|v| v.standing == standing).count();
    let households: BTreeSet<Uuid> = logged.iter().map(|v| v.household).collect();
    let people: u32 = logged
        .iter()
        .flat_map(|v| v.activities.iter().map(|(_, p)| *p))
        .sum();
    let mut done: BTreeMap<&str, BTreeSet<Uuid>> = BTreeMap::new();
    let mut open: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &logged {
        for (code, _) in &v.activities {
            done.entry(code).or_default().insert(v.household);
        }
        if let Some(k) = &v.open_difficulty {
            *open.entry(k).or_default() += 1;
        }
    }
    let mut done: Vec<(String, usize)> = done
        .into_iter()
        .map(|(code, h)| (activity(code), h.len()))
        .collect();
    done.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut lines = vec![
        format!("Tổ công nghệ số cộng đồng {team} — {}", period.name_vi()),
        format!(
            "- Lượt hỗ trợ đã ghi: {} (đã duyệt {}, chờ duyệt {}, bị trả lại {})",
            logged.len(),
            count(Standing::Approved),
            count(Standing::Waiting),
            count(Standing::Returned)
        ),
        format!("- Hộ được hỗ trợ: {} hộ, {people} người", households.len()),
    ];
    if !done.is_empty() {
        let parts: Vec<String> = done
            .into_iter()
            .map(|(name, h)| format!("{name}: {h} hộ"))
            .collect();
        lines.push(format!("- Đã làm: {}", parts.join("; ")));
    }
    let open_total: usize = open.values().sum();
    if open_total == 0 {
        lines.push("- Không có khó khăn nào chưa xử lý.".to_string());
    } else {
        let parts: Vec<String> = open
            .into_iter()
            .map(|(k, n)| format!("{} {n}", kind(k)))
            .collect();
        lines.push(format!(
            "- Khó khăn chưa xử lý: {open_total} ({})",
            parts.join(", ")
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::Date;

    const HOUR: i64 = 3_600_000;

    fn at(day: u32, hour: i64) -> i64 {
        Date {
            year: 2026,
            month: 11,
            day,
        }
        .start_ms()
            + hour * HOUR
    }

    fn visit(
        household: u128,
        visited_at: i64,
        standing: Standing,
        activities: &[(&str, u32)],
        open: Option<&str>,
    ) -> SummaryVisit {
        SummaryVisit {
            household: Uuid::from_u128(household),
            visited_at,
            standing,
            activities: activities
                .iter()
                .map(|(c, p)| (c.to_string(), *p))
                .collect(),
            open_difficulty: open.map(str::to_string),
        }
    }

    fn names(code: &str) -> String {
        match code {
            "epayment_account" => "Mở tài khoản thanh toán".into(),
            "health_app" => "Sổ sức khỏe điện tử".into(),
            "no_signal" => "Không có sóng".into(),
            other => other.into(),
        }
    }

    #[test]
    fn a_week_of_the_team_in_a_few_lines_for_the_chat_group() {
        let week = Period::parse("W2026-11-23").unwrap();
        let visits = [
            visit(
                1,
                at(23, 8),
                Standing::Approved,
                &[("epayment_account", 2)],
                None,
            ),
            visit(1, at(24, 9), Standing::Waiting, &[("health_app", 1)], None),
            visit(
                2,
                at(25, 10),
                Standing::Returned,
                &[("epayment_account", 1)],
                Some("no_signal"),
            ),
            visit(
                3,
                at(26, 11),
                Standing::Left,
                &[("health_app", 5)],
                Some("no_signal"),
            ),
            // Sunday 29 November, 23:30 in Vietnam: still this week.
            visit(
                4,
                at(29, 23) + 30 * 60_000,
                Standing::Waiting,
                &[("epayment_account", 1)],
                None,
            ),
            // Monday 30 November, 00:10: next week.
            visit(
                5,
                at(30, 0) + 10 * 60_000,
                Standing::Approved,
                &[("health_app", 1)],
                None,
            ),
        ];
        assert_eq!(
            team_summary("Thôn Hội Khánh", week, &visits, names, names),
            "Tổ công nghệ số cộng đồng Thôn Hội Khánh — Tuần (23/11/2026 – 29/11/2026)\n\
             - Lượt hỗ trợ đã ghi: 4 (đã duyệt 1, chờ duyệt 2, bị trả lại 1)\n\
             - Hộ được hỗ trợ: 3 hộ, 5 người\n\
             - Đã làm: Mở tài khoản thanh toán: 3 hộ; Sổ sức khỏe điện tử: 1 hộ\n\
             - Khó khăn chưa xử lý: 1 (Không có sóng 1)"
        );
    }

    #[test]
    fn an_empty_month_says_so_plainly() {
        let month = Period::parse("M2026-10").unwrap();
        assert_eq!(
            team_summary("Thôn Xuân Sơn", month, &[], names, names),
            "Tổ công nghệ số cộng đồng Thôn Xuân Sơn — Tháng 10/2026 (01/10/2026 – 31/10/2026)\n\
             - Lượt hỗ trợ đã ghi: 0 (đã duyệt 0, chờ duyệt 0, bị trả lại 0)\n\
             - Hộ được hỗ trợ: 0 hộ, 0 người\n\
             - Không có khó khăn nào chưa xử lý."
        );
    }
}
