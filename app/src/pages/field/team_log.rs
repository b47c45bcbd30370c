//! `/teams/{id}/log`: the team leader's team log — every visit of the team the phone holds
//! (the leader's own, and the last two months of the others' from the feed), newest first,
//! with filters by member, date range, activity and status; and the week's or month's
//! summary as a short text to share with the team's chat group. Works offline.

use leptos::prelude::*;
use uuid::Uuid;

use super::{activity_name, chip_text, server_chip, I18n};
use crate::api::MarkKind;
use crate::components::status_line::StatusLine;
use crate::domain::period::{Period, PeriodKind};
use crate::domain::summary::{team_summary, Standing, SummaryVisit};
use crate::domain::time::{format_date_time, now_ms, Date};
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

fn standing(chip: Chip) -> Standing {
    match chip {
        Chip::Approved => Standing::Approved,
        Chip::Pending | Chip::Sent => Standing::Waiting,
        Chip::Returned => Standing::Returned,
        Chip::Withdrawn | Chip::Rejected => Standing::Left,
    }
}

/// The team's visits on the phone, as the summary reads them.
fn summary_visits(user: Uuid) -> Vec<SummaryVisit> {
    let activities = |record: &crate::domain::VisitRecord| {
        record
            .activities
            .iter()
            .map(|a| (a.code.clone(), a.people))
            .collect()
    };
    let open = |d: Option<&crate::api::DifficultyState>| {
        d.filter(|d| d.status == "open").map(|d| d.category.clone())
    };
    let mut out: Vec<SummaryVisit> = store::visits(user)
        .into_iter()
        .map(|v| SummaryVisit {
            household: v.record.household.id,
            visited_at: v.record.visited_at,
            standing: standing(v.chip()),
            activities: activities(&v.record),
            // Not yet on the server, or not yet handled there.
            open_difficulty: match v.review.as_ref().and_then(|r| r.difficulty.as_ref()) {
                Some(d) => open(Some(d)),
                None => v.record.difficulty.as_ref().map(|d| d.category.clone()),
            },
        })
        .collect();
    out.extend(store::team_visits(user).into_iter().filter_map(|s| {
        let record = s.record.as_ref()?;
        Some(SummaryVisit {
            household: record.household.id,
            visited_at: record.visited_at,
            standing: standing(server_chip(&s)),
            activities: activities(record),
            open_difficulty: open(s.difficulty.as_ref()),
        })
    }));
    out
}

/// Shares `text` with the phone's share sheet (Web Share), else copies it to the clipboard;
/// answers whether it was shared (`Some(true)`), copied (`Some(false)`) or neither.
#[cfg(feature = "hydrate")]
async fn share(text: &str) -> Option<bool> {
    use wasm_bindgen::{JsCast, JsValue};
    let navigator: JsValue = web_sys::window()?.navigator().into();
    let get =
        |target: &JsValue, name: &str| js_sys::Reflect::get(target, &JsValue::from_str(name)).ok();
    if let Some(share) =
        get(&navigator, "share").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let data = js_sys::Object::new();
        js_sys::Reflect::set(&data, &"text".into(), &JsValue::from_str(text)).ok()?;
        if let Ok(promise) = share
            .call1(&navigator, &data)
            .and_then(|p| p.dyn_into::<js_sys::Promise>())
        {
            if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                return Some(true);
            }
        }
        // No share sheet after all (or it was closed): copy instead.
    }
    let clipboard = get(&navigator, "clipboard").filter(|c| !c.is_undefined())?;
    let write = get(&clipboard, "writeText")?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let promise = write
        .call1(&clipboard, &JsValue::from_str(text))
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .map(|_| false)
}

#[cfg(not(feature = "hydrate"))]
async fn share(_text: &str) -> Option<bool> {
    None
}

/// The week's or month's summary, to share with the team's chat group.
#[component]
fn Summary() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    // 0: this week, 1: last week, 2: this month, 3: last month.
    let choice = RwSignal::new(0u8);
    let outcome = RwSignal::new(None::<Option<bool>>);
    let text = Memo::new(move |_| {
        sync.changed.track();
        let (kind, back) = match choice.get() {
            0 => (PeriodKind::Week, false),
            1 => (PeriodKind::Week, true),
            2 => (PeriodKind::Month, false),
            _ => (PeriodKind::Month, true),
        };
        let mut period = Period::of(kind, now_ms()).expect("every day is in a week and a month");
        if back {
            period = period.previous();
        }
        session
            .profile
            .with(|p| {
                p.as_ref().map(|p| {
                    let team = p.team.as_ref().map(|t| t.name.clone()).unwrap_or_default();
                    let catalogue = store::catalogue().unwrap_or_default().activities;
                    let kinds = store::difficulty_categories();
                    team_summary(
                        &team,
                        period,
                        &summary_visits(p.user_id),
                        |code| {
                            catalogue
                                .iter()
                                .find(|a| a.code == code)
                                .map_or_else(|| code.to_string(), |a| a.name_vi.clone())
                        },
                        |code| {
                            kinds
                                .iter()
                                .find(|k| k.code == code)
                                .map_or_else(|| code.to_string(), |k| k.name_vi.clone())
                        },
                    )
                })
            })
            .unwrap_or_default()
    });
    let send = move |_| {
        outcome.set(None);
        let text = text.get_untracked();
        leptos::task::spawn_local(async move { outcome.set(Some(share(&text).await)) });
    };
    view! {
        <details class="summary" data-testid="summary">
            <summary>{t_string!(i18n, summary_title)}</summary>
            <label for="summary-period">{t_string!(i18n, fig_period)}</label>
            <select id="summary-period" data-testid="summary-period"
                on:change=move |ev| choice.set(event_target_value(&ev).parse().unwrap_or(0))>
                <option value="0">{t_string!(i18n, summary_this_week)}</option>
                <option value="1">{t_string!(i18n, summary_last_week)}</option>
                <option value="2">{t_string!(i18n, summary_this_month)}</option>
                <option value="3">{t_string!(i18n, summary_last_month)}</option>
            </select>
            <textarea readonly=true rows="7" data-testid="summary-text" prop:value=move || text.get()></textarea>
            <button type="button" class="primary-button wide" data-testid="summary-share" on:click=send>
                {t_string!(i18n, summary_share)}
            </button>
            <p role="status" data-testid="summary-outcome">{move || match outcome.get() {
                Some(Some(true)) => t_string!(i18n, summary_shared),
                Some(Some(false)) => t_string!(i18n, summary_copied),
                Some(None) => t_string!(i18n, summary_copy_yourself),
                None => "",
            }}</p>
        </details>
    }
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
            <Summary />
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
