//! `/teams/{id}/log`: the team leader's team log — every visit of the team the phone holds
//! (the leader's own, and the last two months of the others' from the feed), newest first,
//! with filters by member, date range, activity and status. Works offline.

use leptos::prelude::*;
use uuid::Uuid;

use super::{activity_name, chip_text, server_chip, I18n};
use crate::api::MarkKind;
use crate::components::status_line::StatusLine;
use crate::domain::time::{format_date_time, Date};
use crate::i18n::{t_string, use_i18n};
use crate::offline::store::{self, Chip};
use crate::offline::sync_client::SyncStatus;
use crate::router::{follow, use_nav};
use crate::Session;

/// One line of the log.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    id: Uuid,
    member: Uuid,
    member_name: String,
    head_name: String,
    activities: Vec<String>,
    visited_at: i64,
    chip: Chip,
    issues: bool,
    conflict: bool,
    difficulty: bool,
}

fn lines(user: Uuid, own_name: &str) -> Vec<Line> {
    let mut out: Vec<Line> = store::visits(user)
        .into_iter()
        .map(|v| Line {
            id: v.record.id,
            member: user,
            member_name: own_name.to_string(),
            head_name: v.record.household.head_name.clone(),
            activities: v.record.activities.iter().map(|a| a.code.clone()).collect(),
            visited_at: v.record.visited_at,
            chip: v.chip(),
            issues: v
                .review
                .as_ref()
                .and_then(|r| r.mark.as_ref())
                .is_some_and(|m| m.mark == MarkKind::HasIssues),
            conflict: v.review.as_ref().is_some_and(|r| r.conflict),
            difficulty: v.record.difficulty.is_some(),
        })
        .collect();
    out.extend(store::team_visits(user).into_iter().filter_map(|s| {
        let record = s.record.clone()?;
        Some(Line {
            id: s.id,
            member: s.member_id?,
            member_name: s.member_name.clone().unwrap_or_default(),
            head_name: record.household.head_name.clone(),
            activities: record.activities.iter().map(|a| a.code.clone()).collect(),
            visited_at: record.visited_at,
            chip: server_chip(&s),
            issues: s
                .mark
                .as_ref()
                .is_some_and(|m| m.mark == MarkKind::HasIssues),
            conflict: s.conflict,
            difficulty: record.difficulty.is_some(),
        })
    }));
    out.sort_by_key(|l| std::cmp::Reverse(l.visited_at));
    out
}

/// The filters, as chosen on the page.
#[derive(Clone, Debug, Default, PartialEq)]
struct Filter {
    member: String,
    from: String,
    to: String,
    activity: String,
    status: String,
}

impl Filter {
    fn keeps(&self, line: &Line) -> bool {
        let day_start = |raw: &str| Date::parse_iso(raw).map(Date::start_ms);
        (self.member.is_empty() || line.member.to_string() == self.member)
            && day_start(&self.from).is_none_or(|from| line.visited_at >= from)
            && day_start(&self.to).is_none_or(|to| line.visited_at < to + 86_400_000)
            && (self.activity.is_empty() || line.activities.contains(&self.activity))
            && match self.status.as_str() {
                "" => true,
                "conflict" => line.conflict,
                "issues" => line.issues,
                "difficulty" => line.difficulty,
                status => line.chip.as_str() == status,
            }
    }
}

fn status_options(i18n: I18n) -> Vec<(&'static str, String)> {
    let mut options: Vec<(&'static str, String)> = [
        Chip::Pending,
        Chip::Sent,
        Chip::Approved,
        Chip::Returned,
        Chip::Withdrawn,
        Chip::Rejected,
    ]
    .into_iter()
    .map(|c| (c.as_str(), chip_text(i18n, c)))
    .collect();
    options.push(("issues", t_string!(i18n, mark_has_issues).to_string()));
    options.push(("conflict", t_string!(i18n, log_conflict).to_string()));
    options.push(("difficulty", t_string!(i18n, visit_difficulty).to_string()));
    options
}

/// `/teams/{id}/log`
#[component]
pub fn TeamLogPage(id: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let nav = use_nav();
    let team_path = format!("/teams/{}", id.unwrap_or_default());
    let filter = RwSignal::new(Filter::default());
    let all = Memo::new(move |_| {
        sync.changed.track();
        session
            .profile
            .with(|p| p.as_ref().map(|p| lines(p.user_id, &p.name)))
            .unwrap_or_default()
    });
    let shown = move || {
        let f = filter.get();
        all.get()
            .into_iter()
            .filter(|l| f.keeps(l))
            .collect::<Vec<_>>()
    };
    let members = move || {
        let mut seen: Vec<(Uuid, String)> = Vec::new();
        for line in all.get() {
            if !seen.iter().any(|(id, _)| *id == line.member) {
                seen.push((line.member, line.member_name.clone()));
            }
        }
        seen.sort_by(|a, b| crate::domain::text::name_order(&a.1, &b.1));
        seen
    };
    let catalogue = store::catalogue().unwrap_or_default().activities;
    let activity_options = catalogue.clone();
    let set = move |apply: fn(&mut Filter, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            filter.update(|f| apply(f, value));
        }
    };

    view! {
        <StatusLine />
        <main class="page">
            <h1 class="section-title">{t_string!(i18n, log_title)}</h1>
            <form class="filters" data-testid="log-filters" on:submit=|ev| ev.prevent_default()>
                <label>{t_string!(i18n, log_member)}
                    <select data-testid="log-member" on:change=set(|f, v| f.member = v)>
                        <option value="">{t_string!(i18n, log_everyone)}</option>
                        {move || members().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t_string!(i18n, log_from)}
                    <input type="date" data-testid="log-from" on:change=set(|f, v| f.from = v) />
                </label>
                <label>{t_string!(i18n, log_to)}
                    <input type="date" data-testid="log-to" on:change=set(|f, v| f.to = v) />
                </label>
                <label>{t_string!(i18n, form_activities)}
                    <select data-testid="log-activity" on:change=set(|f, v| f.activity = v)>
                        <option value="">{t_string!(i18n, log_any)}</option>
                        {activity_options.iter().map(|a| view! { <option value=a.code.clone()>{activity_name(i18n, &catalogue, &a.code)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t_string!(i18n, log_status)}
                    <select data-testid="log-status" on:change=set(|f, v| f.status = v)>
                        <option value="">{t_string!(i18n, log_any)}</option>
                        {status_options(i18n).into_iter().map(|(v, text)| view! { <option value=v>{text}</option> }).collect_view()}
                    </select>
                </label>
            </form>
            <p class="hint" data-testid="log-count">{move || format!("{} {}", shown().len(), t_string!(i18n, log_visits))}</p>
            <ul class="visit-list" data-testid="team-log">
                {move || shown().into_iter().map(|line| {
                    let href = format!("/visits/{}", line.id);
                    let activities = store::catalogue().unwrap_or_default().activities;
                    let names = line.activities.iter().map(|c| activity_name(i18n, &activities, c)).collect::<Vec<_>>().join(", ");
                    view! {
                        <li class="visit-card log-line" data-testid="log-line" data-state=line.chip.as_str() data-member=line.member.to_string()>
                            <a href=href.clone() on:click=follow(nav, href.clone())>
                                <p><strong>{line.head_name.clone()}</strong> " · " {line.member_name.clone()}</p>
                                <p class="hint">{format_date_time(line.visited_at)} " · " {names}</p>
                                <p>
                                    <span class=format!("chip chip-{}", line.chip.as_str())>{chip_text(i18n, line.chip)}</span>
                                    {line.issues.then(|| view! { " " <span class="chip chip-returned">{t_string!(i18n, mark_has_issues)}</span> })}
                                    {line.conflict.then(|| view! { " " <span class="chip chip-rejected">{t_string!(i18n, log_conflict)}</span> })}
                                    {line.difficulty.then(|| view! { " " <span class="chip chip-pending">{t_string!(i18n, visit_difficulty)}</span> })}
                                </p>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </main>
        <footer class="action-bar">
            <a href=team_path.clone() class="secondary-button" on:click=follow(nav, team_path.clone())>{t_string!(i18n, nav_team)}</a>
        </footer>
    }
}
