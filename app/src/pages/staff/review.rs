//! `/review`: the approval queue of commune staff, province staff and administrators. Oldest
//! first, filtered (the filter lives in the address), 50 a page; per visit "Duyệt" and
//! "Trả lại" with a reason, an amendment with what it changes; approving the chosen visits or
//! every visit matching the filter, which the server refuses when the set changed meanwhile.

use leptos::prelude::*;
use uuid::Uuid;

use super::changes::{changes, Field};
use super::{failure, fetch_into, query_value, replace_query};
use crate::api::client::{self, ClientError};
use crate::api::{
    BulkApprove, BulkApproved, Catalogue, DifficultyCategoryList, QueueFilter, QueueItem,
    QueueKind, ReviewAction, ReviewQueue, ReviewRequest, UnitDetail,
};
use crate::components::common::{confirm, I18n, Load, LoadLine};
use crate::domain::time::{format_date_time, Date};
use crate::domain::visit::{Outcome, VisitRecord};
use crate::i18n::{t_string, use_i18n, Locale};
use crate::Session;

/// Visits per page.
const PAGE: u32 = 50;

/// What the cards of the queue share: the names they show, the choice, reloading.
#[derive(Clone, Copy)]
struct Shared {
    catalogue: RwSignal<Option<Catalogue>>,
    categories: RwSignal<Option<DifficultyCategoryList>>,
    villages: RwSignal<Option<UnitDetail>>,
    selected: RwSignal<Vec<Uuid>>,
    again: RwSignal<u32>,
    done: RwSignal<Option<String>>,
}

fn kind_value(kind: QueueKind) -> &'static str {
    match kind {
        QueueKind::Submitted => "submitted",
        QueueKind::Amendment => "amendment",
    }
}

/// The filter and page as query pairs, the same for the address and the API.
fn query_pairs(filter: &QueueFilter, offset: u32) -> Vec<(&'static str, String)> {
    let text = |v: Option<String>| v.unwrap_or_default();
    vec![
        ("village", text(filter.village.map(|v| v.to_string()))),
        ("team", text(filter.team.map(|v| v.to_string()))),
        ("member", text(filter.member.map(|v| v.to_string()))),
        ("activity", text(filter.activity.clone())),
        ("from", text(filter.from.clone())),
        ("to", text(filter.to.clone())),
        (
            "kind",
            filter.kind.map(kind_value).unwrap_or_default().into(),
        ),
        (
            "offset",
            if offset > 0 {
                offset.to_string()
            } else {
                String::new()
            },
        ),
    ]
}

/// The filter written in the address when the page opens.
fn filter_from_address() -> QueueFilter {
    let date = |name| query_value(name).filter(|d| Date::parse_iso(d).is_some());
    QueueFilter {
        village: query_value("village").and_then(|v| v.parse().ok()),
        team: query_value("team").and_then(|v| v.parse().ok()),
        member: query_value("member").and_then(|v| v.parse().ok()),
        activity: query_value("activity"),
        from: date("from"),
        to: date("to"),
        kind: match query_value("kind").as_deref() {
            Some("submitted") => Some(QueueKind::Submitted),
            Some("amendment") => Some(QueueKind::Amendment),
            _ => None,
        },
    }
}

fn outcome_text(i18n: I18n, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Done => t_string!(i18n, outcome_done),
        Outcome::Partly => t_string!(i18n, outcome_partly),
        Outcome::Declined => t_string!(i18n, outcome_declined),
        Outcome::FollowUp => t_string!(i18n, outcome_follow_up),
    }
}

fn field_label(i18n: I18n, field: Field) -> &'static str {
    match field {
        Field::HeadName => t_string!(i18n, form_head_name),
        Field::Address => t_string!(i18n, form_address),
        Field::Phone => t_string!(i18n, review_phone),
        Field::Business => t_string!(i18n, review_business),
        Field::VisitedAt => t_string!(i18n, review_visited_at),
        Field::Village => t_string!(i18n, form_village),
        Field::Activities => t_string!(i18n, review_activities),
        Field::Outcome => t_string!(i18n, form_outcome),
        Field::FollowUp => t_string!(i18n, form_follow_up_on),
        Field::Note => t_string!(i18n, form_note),
        Field::Difficulty => t_string!(i18n, review_difficulty),
    }
}

impl Shared {
    /// A field of a revision as the reviewer reads it, in the current language.
    fn describe(self, i18n: I18n, field: Field, record: &VisitRecord) -> String {
        let vi = i18n.get_locale_untracked() == Locale::vi;
        let none = || "—".to_string();
        match field {
            Field::HeadName => record.household.head_name.clone(),
            Field::Address => record.household.address.clone(),
            Field::Phone => record.household.phone.clone().unwrap_or_else(none),
            Field::Business => if record.household.business {
                t_string!(i18n, review_yes)
            } else {
                t_string!(i18n, review_no)
            }
            .to_string(),
            Field::VisitedAt => format_date_time(record.visited_at),
            Field::Village => record.village_id.map_or_else(none, |id| {
                self.villages
                    .with_untracked(|d| {
                        d.as_ref()
                            .and_then(|d| d.children.iter().find(|v| v.id == id))
                            .map(|v| v.name.clone())
                    })
                    .unwrap_or_else(|| id.to_string())
            }),
            Field::Activities => record
                .activities
                .iter()
                .map(|done| {
                    let name = self
                        .catalogue
                        .with_untracked(|c| {
                            c.as_ref()
                                .and_then(|c| c.activities.iter().find(|a| a.code == done.code))
                                .map(|a| {
                                    if vi {
                                        a.name_vi.clone()
                                    } else {
                                        a.name_en.clone()
                                    }
                                })
                        })
                        .unwrap_or_else(|| done.code.clone());
                    let detail = done
                        .detail
                        .as_ref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default();
                    format!(
                        "{name}{detail}: {} {}",
                        done.people,
                        t_string!(i18n, review_people)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            Field::Outcome => outcome_text(i18n, record.outcome).to_string(),
            Field::FollowUp => record
                .follow_up_on
                .as_deref()
                .and_then(Date::parse_iso)
                .map_or_else(none, Date::to_vietnamese),
            Field::Note => {
                if record.note.is_empty() {
                    none()
                } else {
                    record.note.clone()
                }
            }
            Field::Difficulty => record.difficulty.as_ref().map_or_else(none, |d| {
                let name = self
                    .categories
                    .with_untracked(|c| {
                        c.as_ref()
                            .and_then(|c| c.categories.iter().find(|k| k.code == d.category))
                            .map(|k| {
                                if vi {
                                    k.name_vi.clone()
                                } else {
                                    k.name_en.clone()
                                }
                            })
                    })
                    .unwrap_or_else(|| d.category.clone());
                if d.note.is_empty() {
                    name
                } else {
                    format!("{name}: {}", d.note)
                }
            }),
        }
    }
}

/// Reads `url` into `data` once (names the page shows: catalogue, categories, villages).
fn fetch_once<T>(url: String, data: RwSignal<Option<T>>)
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    Effect::new(move |_| {
        let url = url.clone();
        leptos::task::spawn_local(async move {
            if let Ok(found) = client::get::<T>(&url).await {
                data.set(Some(found));
            }
        });
    });
}

/// The approval queue page.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let filter = RwSignal::new(filter_from_address());
    let offset = RwSignal::new(
        query_value("offset")
            .and_then(|o| o.parse::<u32>().ok())
            .unwrap_or(0),
    );
    let queue = RwSignal::new(None::<ReviewQueue>);
    let load = RwSignal::new(Load::Loading);
    let shared = Shared {
        catalogue: RwSignal::new(None),
        categories: RwSignal::new(None),
        villages: RwSignal::new(None),
        selected: RwSignal::new(Vec::new()),
        again: RwSignal::new(0),
        done: RwSignal::new(None),
    };
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    fetch_into(
        move || {
            let pairs = query_pairs(&filter.get(), offset.get());
            replace_query(&pairs);
            let query = pairs
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("&{k}={v}"))
                .collect::<String>();
            Some(format!("/api/review/queue?limit={PAGE}{query}"))
        },
        queue,
        load,
        shared.again,
    );
    // A new list is a new choice: nothing stays ticked that the reviewer cannot see.
    Effect::new(move |_| {
        queue.track();
        shared.selected.set(Vec::new());
    });
    fetch_once("/api/catalogue".to_string(), shared.catalogue);
    fetch_once("/api/difficulty-categories".to_string(), shared.categories);
    if let Some(commune) = session
        .profile
        .with_untracked(|p| p.as_ref().and_then(|p| p.commune.as_ref().map(|c| c.id)))
    {
        fetch_once(format!("/api/units/{commune}"), shared.villages);
    }

    let as_of = move || queue.with_untracked(|q| q.as_ref().map_or(0, |q| q.as_of));
    let bulk = move |request: BulkApprove| {
        busy.set(true);
        problem.set(None);
        shared.done.set(None);
        leptos::task::spawn_local(async move {
            match client::post::<_, BulkApproved>("/api/review/approve", &request).await {
                Ok(answer) => shared.done.set(Some(
                    t_string!(
                        i18n,
                        review_bulk_done,
                        approved = answer.approved,
                        skipped = answer.skipped
                    )
                    .to_string(),
                )),
                Err(error) => problem.set(Some(failure(i18n, &error))),
            }
            shared.again.update(|n| *n += 1);
            busy.set(false);
        });
    };
    let approve_selected = move |_| {
        let ids = shared.selected.get_untracked();
        if ids.is_empty() {
            return;
        }
        bulk(BulkApprove {
            ids: Some(ids),
            filter: None,
            expected: None,
            as_of: as_of(),
        });
    };
    let approve_all = move |_| {
        let total = queue.with_untracked(|q| q.as_ref().map_or(0, |q| q.total));
        if total == 0 || !confirm(&t_string!(i18n, review_confirm_all, count = total).to_string()) {
            return;
        }
        bulk(BulkApprove {
            ids: None,
            filter: Some(filter.get_untracked()),
            expected: Some(total),
            as_of: as_of(),
        });
    };

    view! {
        <main class="page" data-testid="review-page">
            <h1 class="section-title">{t_string!(i18n, review_title)}</h1>
            <Filters filter offset queue shared />
            {move || shared.done.get().map(|text| view! { <p class="ok-line" role="status" data-testid="review-done">{text}</p> })}
            {move || problem.get().map(|text| view! { <p class="error-summary" role="alert" data-testid="review-problem">{text}</p> })}
            <LoadLine load />
            {move || queue.get().map(|q| {
                let total = q.total;
                let first = offset.get_untracked();
                let shown = q.items.len() as u32;
                view! {
                    <p class="hint" data-testid="queue-total" data-total=total.to_string()>
                        {t_string!(i18n, review_total, count = total).to_string()}
                        {(shown > 0).then(|| format!(" · {}–{}", first + 1, first + shown))}
                    </p>
                    <div class="row-actions bulk-actions">
                        <button type="button" class="primary-button" data-testid="approve-selected"
                            disabled=move || busy.get() || shared.selected.with(Vec::is_empty)
                            on:click=approve_selected>
                            {move || t_string!(i18n, review_approve_selected, count = shared.selected.with(Vec::len)).to_string()}
                        </button>
                        {(total > 0).then(|| view! {
                            <button type="button" class="secondary-button" data-testid="approve-all"
                                disabled=move || busy.get() on:click=approve_all>
                                {t_string!(i18n, review_approve_all, count = total).to_string()}
                            </button>
                        })}
                    </div>
                    {q.items.is_empty().then(|| view! { <p class="empty" data-testid="queue-empty">{t_string!(i18n, review_empty)}</p> })}
                    <div class="queue">
                        {move || {
                            // Drawn again when the names cards show (activities, kinds,
                            // villages) arrive after the queue.
                            shared.catalogue.track();
                            shared.categories.track();
                            shared.villages.track();
                            q.items.clone().into_iter().map(|item| view! { <QueueCard item shared /> }).collect_view()
                        }}
                    </div>
                    <div class="row-actions">
                        {(first > 0).then(|| view! {
                            <button type="button" class="secondary-button" data-testid="page-previous"
                                on:click=move |_| offset.set(first.saturating_sub(PAGE))>{t_string!(i18n, review_previous)}</button>
                        })}
                        {(first + shown < total).then(|| view! {
                            <button type="button" class="secondary-button" data-testid="page-next"
                                on:click=move |_| offset.set(first + PAGE)>{t_string!(i18n, review_next)}</button>
                        })}
                    </div>
                }
            })}
        </main>
    }
}

/// The filters: village, team, member, activity, dates, kind. Changing one reads the first
/// page again.
#[component]
fn Filters(
    filter: RwSignal<QueueFilter>,
    offset: RwSignal<u32>,
    queue: RwSignal<Option<ReviewQueue>>,
    shared: Shared,
) -> impl IntoView {
    let i18n = use_i18n();
    let vi = i18n.get_locale_untracked() == Locale::vi;
    let set = move |change: &dyn Fn(&mut QueueFilter)| {
        filter.update(|f| change(f));
        offset.set(0);
    };
    let some = |v: String| (!v.is_empty()).then_some(v);
    let items = move || queue.with(|q| q.as_ref().map(|q| q.items.clone()).unwrap_or_default());
    // Villages and teams: the commune's when known, else those of the visits listed.
    let villages = move || {
        let mut list: Vec<(String, String)> = shared.villages.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.children
                        .iter()
                        .map(|v| (v.id.to_string(), v.name.clone()))
                        .collect()
                })
                .unwrap_or_default()
        });
        if list.is_empty() {
            list = items()
                .into_iter()
                .map(|i| (i.village_id.to_string(), i.village_name))
                .collect();
        }
        choices(list, filter.with(|f| f.village.map(|v| v.to_string())))
    };
    let teams = move || {
        let mut list: Vec<(String, String)> = shared.villages.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.teams
                        .iter()
                        .map(|t| (t.id.to_string(), t.name.clone()))
                        .collect()
                })
                .unwrap_or_default()
        });
        if list.is_empty() {
            list = items()
                .into_iter()
                .map(|i| (i.team_id.to_string(), i.team_name))
                .collect();
        }
        choices(list, filter.with(|f| f.team.map(|v| v.to_string())))
    };
    let members = move || {
        let list = items()
            .into_iter()
            .filter_map(|i| Some((i.visit.member_id?.to_string(), i.visit.member_name?)))
            .collect();
        choices(list, filter.with(|f| f.member.map(|v| v.to_string())))
    };
    let activities = move || {
        let list = shared.catalogue.with(|c| {
            c.as_ref()
                .map(|c| {
                    c.activities
                        .iter()
                        .map(|a| {
                            (
                                a.code.clone(),
                                if vi {
                                    a.name_vi.clone()
                                } else {
                                    a.name_en.clone()
                                },
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        choices(list, filter.with(|f| f.activity.clone()))
    };
    let kinds = move || {
        let current = filter.with(|f| f.kind.map(kind_value));
        [
            ("submitted", t_string!(i18n, review_kind_submitted)),
            ("amendment", t_string!(i18n, review_kind_amendment)),
        ]
        .into_iter()
        .map(|(v, label)| view! { <option value=v selected=current == Some(v)>{label}</option> })
        .collect_view()
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       options: Vec<(String, String, bool)>,
                       on: Box<dyn Fn(String)>| {
        view! {
            <div class="filter">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| on(event_target_value(&ev))>
                    <option value="">{t_string!(i18n, review_any)}</option>
                    {options.into_iter().map(|(value, name, chosen)| view! {
                        <option value=value selected=chosen>{name}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <form class="filters" data-testid="filters" on:submit=|ev| ev.prevent_default()>
            {move || select("filter-village", t_string!(i18n, form_village), villages(),
                Box::new(move |v| set(&|f| f.village = v.parse().ok())))}
            {move || select("filter-team", t_string!(i18n, unit_team), teams(),
                Box::new(move |v| set(&|f| f.team = v.parse().ok())))}
            {move || select("filter-member", t_string!(i18n, review_member), members(),
                Box::new(move |v| set(&|f| f.member = v.parse().ok())))}
            {move || select("filter-activity", t_string!(i18n, review_activity), activities(),
                Box::new(move |v| set(&|f| f.activity = some(v.clone()))))}
            <div class="filter">
                <label for="filter-from">{t_string!(i18n, review_from)}</label>
                <input id="filter-from" type="date" prop:value=move || filter.with(|f| f.from.clone().unwrap_or_default())
                    on:change=move |ev| { let v = event_target_value(&ev); set(&|f| f.from = some(v.clone())) } />
            </div>
            <div class="filter">
                <label for="filter-to">{t_string!(i18n, review_to)}</label>
                <input id="filter-to" type="date" prop:value=move || filter.with(|f| f.to.clone().unwrap_or_default())
                    on:change=move |ev| { let v = event_target_value(&ev); set(&|f| f.to = some(v.clone())) } />
            </div>
            <div class="filter">
                <label for="filter-kind">{t_string!(i18n, review_kind)}</label>
                <select id="filter-kind" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set(&|f| f.kind = match v.as_str() {
                        "submitted" => Some(QueueKind::Submitted),
                        "amendment" => Some(QueueKind::Amendment),
                        _ => None,
                    })
                }>
                    <option value="">{t_string!(i18n, review_any)}</option>
                    {kinds}
                </select>
            </div>
            <button type="button" class="link-button" data-testid="clear-filters"
                on:click=move |_| set(&|f| *f = QueueFilter::default())>{t_string!(i18n, review_clear)}</button>
        </form>
    }
}

/// Options of a filter, without repeats, sorted by name; the chosen one is kept even when no
/// visit listed has it.
fn choices(list: Vec<(String, String)>, chosen: Option<String>) -> Vec<(String, String, bool)> {
    let mut seen = std::collections::HashSet::new();
    let mut options: Vec<(String, String, bool)> = list
        .into_iter()
        .filter(|(value, _)| seen.insert(value.clone()))
        .map(|(value, name)| {
            let is = chosen.as_deref() == Some(value.as_str());
            (value, name, is)
        })
        .collect();
    if let Some(chosen) = chosen.filter(|c| !seen.contains(c)) {
        options.push((chosen.clone(), chosen, true));
    }
    options.sort_by(|a, b| crate::domain::text::name_order(&a.1, &b.1));
    options
}

/// One visit awaiting a decision.
#[component]
fn QueueCard(item: QueueItem, shared: Shared) -> impl IntoView {
    let i18n = use_i18n();
    let visit = item.visit;
    let id = visit.id;
    let amendment = visit
        .amendment
        .as_ref()
        .filter(|a| a.status == "pending" && visit.status == "approved")
        .and_then(|a| a.record.clone());
    let is_amendment = amendment.is_some();
    let Some(record) = amendment.clone().or(visit.record.clone()) else {
        return ().into_any();
    };
    let describe = move |field, r: &VisitRecord| shared.describe(i18n, field, r);
    let changed = match (&visit.record, &amendment) {
        (Some(old), Some(new)) if is_amendment => changes(old, new, describe),
        _ => Vec::new(),
    };
    let returning = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let reason_error = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let head = StoredValue::new(record.household.head_name.clone());
    let decide = move |action: ReviewAction| {
        let request = ReviewRequest {
            action,
            reason: (action == ReviewAction::Return).then(|| reason.get_untracked()),
        };
        busy.set(true);
        problem.set(None);
        reason_error.set(None);
        let head = head.get_value();
        leptos::task::spawn_local(async move {
            match client::post::<_, ()>(&format!("/api/visits/{id}/review"), &request).await {
                Ok(()) => {
                    let text = match (action, is_amendment) {
                        (ReviewAction::Approve, false) => {
                            t_string!(i18n, review_done_approve, head = head.clone()).to_string()
                        }
                        (ReviewAction::Approve, true) => {
                            t_string!(i18n, review_done_accept, head = head.clone()).to_string()
                        }
                        (ReviewAction::Return, false) => {
                            t_string!(i18n, review_done_return, head = head.clone()).to_string()
                        }
                        (ReviewAction::Return, true) => {
                            t_string!(i18n, review_done_refuse, head = head.clone()).to_string()
                        }
                    };
                    shared.done.set(Some(text));
                    shared.again.update(|n| *n += 1);
                }
                Err(error @ ClientError::Refused(422, _))
                    if error.code() == Some("reason_required") =>
                {
                    reason_error.set(Some(failure(i18n, &error)));
                }
                Err(error) => {
                    problem.set(Some(failure(i18n, &error)));
                    if error.code() == Some("not_submitted") {
                        shared.again.update(|n| *n += 1);
                    }
                }
            }
            busy.set(false);
        });
    };
    let ticked = move || shared.selected.with(|s| s.contains(&id));
    let tick = move |on: bool| {
        shared.selected.update(|s| {
            s.retain(|x| *x != id);
            if on {
                s.push(id);
            }
        });
    };
    let (approve_label, return_label) = if is_amendment {
        (
            t_string!(i18n, review_accept_amendment),
            t_string!(i18n, review_refuse_amendment),
        )
    } else {
        (
            t_string!(i18n, review_approve),
            t_string!(i18n, review_return),
        )
    };
    let line = |field: Field| describe(field, &record);
    let follow_up = record.follow_up_on.is_some().then(|| line(Field::FollowUp));
    let difficulty = record.difficulty.is_some().then(|| line(Field::Difficulty));
    let note = (!record.note.is_empty()).then(|| record.note.clone());
    view! {
        <article class="visit-card queue-item" data-testid="queue-item" data-visit-id=id.to_string()
            data-kind=if is_amendment { "amendment" } else { "submitted" }>
            <div class="queue-head">
                <label class="pick">
                    <input type="checkbox" data-testid="pick" prop:checked=ticked
                        on:change=move |ev| tick(event_target_checked(&ev)) />
                    " " {t_string!(i18n, review_pick)}
                </label>
                {if is_amendment {
                    view! { <span class="chip chip-pending">{t_string!(i18n, review_kind_amendment)}</span> }
                } else {
                    view! { <span class="chip chip-sent">{t_string!(i18n, review_kind_submitted)}</span> }
                }}
            </div>
            <p><strong data-testid="queue-head-name">{record.household.head_name.clone()}</strong> " · " {record.household.address.clone()}
                {record.household.business.then(|| format!(" · {}", t_string!(i18n, hh_business)))}</p>
            <p class="visit-meta">{item.village_name.clone()} " · " {item.team_name.clone()} " · "
                {visit.member_name.clone().unwrap_or_default()}</p>
            <p class="visit-meta">{format_date_time(record.visited_at)}</p>
            <p class="visit-activities">{line(Field::Activities)}</p>
            <p>{t_string!(i18n, form_outcome)} ": " {line(Field::Outcome)}
                {follow_up.map(|d| format!(" · {} {d}", t_string!(i18n, review_follow_up_on)))}</p>
            {note.map(|n| view! { <p>{t_string!(i18n, form_note)} ": " {n}</p> })}
            {difficulty.map(|d| view! { <p class="gap-line" data-testid="queue-difficulty">{t_string!(i18n, review_difficulty)} ": " {d}</p> })}
            {is_amendment.then(|| view! {
                <div class="changes" data-testid="changes">
                    <p><strong>{t_string!(i18n, review_what_changed)}</strong></p>
                    {changed.is_empty().then(|| view! { <p class="hint">{t_string!(i18n, review_no_change)}</p> })}
                    <ul class="plain-list">
                        {changed.into_iter().map(|(field, old, new)| view! {
                            <li data-testid="change" data-field=format!("{field:?}")>
                                <strong>{field_label(i18n, field)}</strong> ": "
                                <del>{old}</del> " → " <ins>{new}</ins>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {move || problem.get().map(|text| view! { <p class="error-summary" role="alert">{text}</p> })}
            <div class="row-actions">
                <button type="button" class="primary-button" data-testid="approve" disabled=move || busy.get()
                    on:click=move |_| decide(ReviewAction::Approve)>{approve_label}</button>
                <button type="button" class="secondary-button" data-testid="return" disabled=move || busy.get()
                    on:click=move |_| returning.update(|r| *r = !*r)>{return_label}</button>
            </div>
            {move || returning.get().then(|| {
                let field = format!("reason-{id}");
                view! {
                    <div class="inline-form return-form">
                        <label for=field.clone()>{t_string!(i18n, review_reason)}</label>
                        <textarea id=field rows="2" data-testid="reason" prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        <p class="field-error" role="alert" data-testid="reason-error">{move || reason_error.get()}</p>
                        <button type="button" class="primary-button" data-testid="confirm-return"
                            disabled=move || busy.get() on:click=move |_| decide(ReviewAction::Return)>{return_label}</button>
                    </div>
                }
            })}
        </article>
    }
    .into_any()
}
