//! `/visits/{id}`: one visit, as the device holds it — the member's own (from the outbox, with
//! what the server said of it) or, for a team leader, a visit of the team (from the feed).
//! Offline it shows what the device holds; the leader's mark and settling a conflict need the
//! network and say so when it is missing.

use leptos::either::Either;
use leptos::prelude::*;
use uuid::Uuid;

use super::{activity_name, chip_text, difficulty_name, outcome_text, I18n, Shown};
use crate::api::client::{self, ClientError};
use crate::api::{
    ConflictList, MarkKind, MarkRequest, ResolveRequest, RevisionSummary, VisitStatus,
};
use crate::components::common::{confirm, failure_text};
use crate::components::status_line::StatusLine;
use crate::domain::policy::{self, Action};
use crate::domain::time::{format_date_time, now_ms, Date};
use crate::domain::VisitRecord;
use crate::i18n::{t_string, use_i18n};
use crate::offline::store::{self, Chip};
use crate::offline::sync_client::SyncStatus;
use crate::router::{follow, use_nav};
use crate::Session;

/// What the visit says: household, time, activities, outcome, note, difficulty.
#[component]
pub fn VisitDetails(record: VisitRecord) -> impl IntoView {
    let i18n = use_i18n();
    let activities = store::catalogue().unwrap_or_default().activities;
    let kinds = store::difficulty_categories();
    let follow_up = record
        .follow_up_on
        .as_deref()
        .and_then(Date::parse_iso)
        .map(Date::to_vietnamese);
    view! {
        <dl class="visit-details" data-testid="visit-details">
            <dt>{t_string!(i18n, form_household)}</dt>
            <dd data-testid="visit-household">
                {if crate::domain::household::is_erased(&record.household.head_name) {
                    view! { <strong class="erased" data-testid="household-erased">{t_string!(i18n, hh_erased_name)}</strong> }.into_any()
                } else {
                    view! { <strong>{record.household.head_name.clone()}</strong> " · " {record.household.address.clone()} }.into_any()
                }}
                {record.household.phone.clone().map(|p| view! { " · " <a href=format!("tel:{p}")>{p.clone()}</a> })}
                {record.household.business.then(|| view! { " " <span class="chip chip-sent">{t_string!(i18n, visit_business)}</span> })}
            </dd>
            <dt>{t_string!(i18n, visit_time)}</dt>
            <dd data-testid="visit-time">{format_date_time(record.visited_at)}</dd>
            <dt>{t_string!(i18n, form_activities)}</dt>
            <dd>
                <ul class="plain-list">
                    {record.activities.iter().map(|a| view! {
                        <li>
                            {activity_name(i18n, &activities, &a.code)} " · " {a.people} " " {t_string!(i18n, visit_people)}
                            {a.detail.clone().map(|d| view! { " · " <em>{d}</em> })}
                        </li>
                    }).collect_view()}
                </ul>
            </dd>
            <dt>{t_string!(i18n, form_outcome)}</dt>
            <dd data-testid="visit-outcome">
                {outcome_text(i18n, record.outcome)}
                {follow_up.map(|d| view! { " · " {t_string!(i18n, form_follow_up_on)} " " <strong data-testid="visit-follow-up">{d}</strong> })}
            </dd>
            {(!record.note.is_empty()).then(|| view! {
                <dt>{t_string!(i18n, form_note)}</dt>
                <dd class="note">{record.note.clone()}</dd>
            })}
            {record.difficulty.clone().map(|d| view! {
                <dt>{t_string!(i18n, visit_difficulty)}</dt>
                <dd data-testid="visit-difficulty">
                    <strong>{difficulty_name(i18n, &kinds, &d.category)}</strong>
                    {(!d.note.is_empty()).then(|| view! { " · " {d.note.clone()} })}
                </dd>
            })}
        </dl>
    }
}

/// What the server and the team said of the visit: return reason, amendment, conflict, the
/// leader's mark, the difficulty's handling.
fn server_notes(i18n: I18n, status: &VisitStatus) -> impl IntoView {
    let reason = (status.status == "returned")
        .then(|| status.reason.clone())
        .flatten();
    let amendment = status.amendment.clone();
    let mark = status.mark.clone();
    let handled = status.difficulty.clone().filter(|d| d.status == "handled");
    let conflict = status.conflict;
    view! {
        {reason.map(|r| view! {
            <p class="notice" data-testid="visit-reason"><strong>{t_string!(i18n, chip_returned)} ": "</strong> {r}</p>
        })}
        {amendment.map(|a| {
            let pending = a.status == "pending";
            view! {
                <p class="notice" data-testid="visit-amendment" data-status=a.status.clone()>
                    {if pending { t_string!(i18n, visit_amendment_pending) } else { t_string!(i18n, visit_amendment_refused) }}
                    {a.reason.map(|r| view! { " " <em>{r}</em> })}
                </p>
            }
        })}
        {conflict.then(|| view! { <p class="notice" data-testid="visit-conflict">{t_string!(i18n, visit_conflict)}</p> })}
        {mark.map(|m| {
            let issues = m.mark == MarkKind::HasIssues;
            view! {
                <p class={if issues { "notice" } else { "ok-line" }} data-testid="visit-mark" data-mark=m.mark.as_str()>
                    <strong>{if issues { t_string!(i18n, mark_has_issues) } else { t_string!(i18n, mark_reviewed) }}</strong>
                    {m.comment.map(|c| view! { ": " {c} })}
                </p>
            }
        })}
        {handled.map(|d| view! {
            <p class="ok-line" data-testid="visit-difficulty-handled">
                <strong>{t_string!(i18n, visit_difficulty_handled)}</strong>
                {d.comment.map(|c| view! { ": " {c} })}
            </p>
        })}
    }
}

/// `/visits/{id}`
#[component]
pub fn VisitPage(id: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let nav = use_nav();
    let id = id.and_then(|p| p.parse::<Uuid>().ok());
    let user = move || session.profile.with(|p| p.as_ref().map(|p| p.user_id));
    let shown = Memo::new(move |_| {
        sync.changed.track();
        user().zip(id).and_then(|(user, id)| Shown::find(user, id))
    });
    let may = move |action| {
        session
            .profile
            .with(|p| p.as_ref().is_some_and(|p| policy::may(&p.actor(), action)))
    };
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let withdraw = move |_| {
        let (Some(user), Some(id)) = (user(), id) else {
            return;
        };
        if !confirm(t_string!(i18n, visit_withdraw_confirm)) {
            return;
        }
        if store::withdraw_visit(user, id, now_ms()).is_ok() {
            sync.refresh(Some(user));
            sync.kick();
        }
    };

    view! {
        <StatusLine />
        <main class="page narrow">
            {move || match shown.get() {
                None => Either::Left(view! {
                    <p class="notice" data-testid="visit-missing">{t_string!(i18n, visit_missing)}</p>
                }),
                Some(found) => {
                    let chip = found.chip();
                    let own = matches!(found, super::Shown::Own(_));
                    let local = match &found { super::Shown::Own(l) => Some(l.as_ref().clone()), _ => None };
                    let author = match &found {
                        super::Shown::Team(s) => s.member_name.clone(),
                        super::Shown::Own(_) => None,
                    };
                    let status = found.status().cloned();
                    let record = found.record().cloned();
                    let may_withdraw = own && matches!(chip, Chip::Sent | Chip::Returned);
                    let may_mark = may(Action::MarkVisits) && status.as_ref().is_some_and(|s| s.member_id.is_some());
                    let conflicted = status.as_ref().is_some_and(|s| s.conflict)
                        && (own || may(Action::ResolveConflicts));
                    Either::Right(view! {
                        <h1 class="section-title">
                            {t_string!(i18n, visit_title)} " "
                            <span class=format!("chip chip-{}", chip.as_str()) data-testid="visit-chip">{chip_text(i18n, chip)}</span>
                        </h1>
                        {author.map(|a| view! { <p class="hint" data-testid="visit-author">{a}</p> })}
                        {local.as_ref().filter(|l| l.superseded).map(|_| view! {
                            <p class="notice" data-testid="visit-superseded">{t_string!(i18n, visit_superseded)}</p>
                        })}
                        {local.as_ref().and_then(|l| l.reason.clone()).map(|r| view! {
                            <p class="notice" data-testid="visit-rejected">{t_string!(i18n, chip_rejected)} ": " {r}</p>
                        })}
                        {status.as_ref().map(|s| server_notes(i18n, s))}
                        {record.map(|record| view! { <VisitDetails record /> })}
                        {may_mark.then(|| id.map(|id| view! { <MarkPanel id problem busy /> }))}
                        {conflicted.then(|| id.map(|id| view! { <ConflictPanel id problem busy /> }))}
                        <p class="form-error" role="alert" data-testid="visit-problem">{move || problem.get()}</p>
                        {(own && chip != Chip::Withdrawn).then(|| id.map(|id| {
                            let href = format!("/visits/{id}/edit");
                            view! {
                                <a href=href.clone() class="primary-button" data-testid="visit-edit" on:click=follow(nav, href.clone())>
                                    {t_string!(i18n, visit_edit)}
                                </a>
                            }
                        }))}
                        {may_withdraw.then(|| view! {
                            <button type="button" class="secondary-button" data-testid="visit-withdraw" on:click=withdraw>
                                {t_string!(i18n, visit_withdraw)}
                            </button>
                        })}
                    })
                }
            }}
        </main>
        <footer class="action-bar">
            <a href="/" class="secondary-button" on:click=follow(nav, "/")>{t_string!(i18n, nav_home)}</a>
        </footer>
    }
}

/// What a refused call means here, in words.
fn refusal(i18n: I18n, error: &ClientError) -> String {
    match error.code() {
        Some("comment_required") => t_string!(i18n, mark_comment_required).to_string(),
        Some("no_conflict") => t_string!(i18n, conflict_gone).to_string(),
        _ => failure_text(i18n, error).to_string(),
    }
}

/// The team leader's mark: "reviewed", or "has issues" with a comment the member sees.
#[component]
fn MarkPanel(id: Uuid, problem: RwSignal<Option<String>>, busy: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = expect_context::<SyncStatus>();
    let comment = RwSignal::new(String::new());
    let send = move |mark: MarkKind| {
        busy.set(true);
        problem.set(None);
        let request = MarkRequest {
            mark,
            comment: Some(comment.get_untracked()).filter(|c| !c.trim().is_empty()),
        };
        leptos::task::spawn_local(async move {
            let url = format!("/api/visits/{id}/mark");
            match client::call::<_, ()>(client::Method::Post, &url, Some(&request)).await {
                Ok(()) => {
                    problem.set(Some(t_string!(i18n, mark_saved).to_string()));
                    sync.kick();
                }
                Err(error) => problem.set(Some(refusal(i18n, &error))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" data-testid="mark-panel">
            <h2 class="section-title">{t_string!(i18n, mark_title)}</h2>
            <label for="mark-comment">{t_string!(i18n, mark_comment)}</label>
            <textarea id="mark-comment" rows="2" maxlength="500"
                prop:value=move || comment.get()
                on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            <div class="button-row">
                <button type="button" class="secondary-button" data-testid="mark-reviewed"
                    disabled=move || busy.get() on:click=move |_| send(MarkKind::Reviewed)>
                    {t_string!(i18n, mark_reviewed)}
                </button>
                <button type="button" class="secondary-button" data-testid="mark-has-issues"
                    disabled=move || busy.get() on:click=move |_| send(MarkKind::HasIssues)>
                    {t_string!(i18n, mark_has_issues)}
                </button>
            </div>
        </section>
    }
}

/// A revision in a few words, to compare side by side.
fn revision_summary(i18n: I18n, revision: &RevisionSummary) -> impl IntoView {
    let activities = store::catalogue().unwrap_or_default().activities;
    let record = revision.record.clone();
    view! {
        <p><strong>{t_string!(i18n, conflict_version)} " " {revision.version}</strong> " · " {format_date_time(revision.received_at)}</p>
        {record.map(|r| view! {
            <p class="hint">{r.household.head_name.clone()} " · " {outcome_text(i18n, r.outcome)}</p>
            <p class="hint">{r.activities.iter().map(|a| format!("{} ({})", activity_name(i18n, &activities, &a.code), a.people)).collect::<Vec<_>>().join(", ")}</p>
            {(!r.note.is_empty()).then(|| view! { <p class="note">{r.note.clone()}</p> })}
        })}
    }
}

/// Settling a conflict: every revision received, side by side; keep one.
#[component]
fn ConflictPanel(
    id: Uuid,
    problem: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = expect_context::<SyncStatus>();
    let session = expect_context::<Session>();
    let revisions = RwSignal::new(None::<Vec<RevisionSummary>>);
    let open = move |_| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            match client::get::<ConflictList>("/api/sync/conflicts").await {
                Ok(list) => match list.conflicts.into_iter().find(|c| c.visit_id == id) {
                    Some(c) => revisions.set(Some(c.revisions)),
                    None => problem.set(Some(t_string!(i18n, conflict_gone).to_string())),
                },
                Err(error) => problem.set(Some(refusal(i18n, &error))),
            }
        });
    };
    let keep = move |number: i64| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let url = format!("/api/visits/{id}/resolve");
            match client::post::<_, VisitStatus>(&url, &ResolveRequest { keep: number }).await {
                Ok(settled) => {
                    if let Some(user) = session.profile.get_untracked().map(|p| p.user_id) {
                        match store::visit(user, id) {
                            Some(mut local) => {
                                if let Some(record) = settled.record.clone() {
                                    local.record = record;
                                }
                                local.review = Some(settled);
                                let _ = store::save_visit(user, &local);
                            }
                            None => {
                                let _ = store::save_team_visit(user, &settled);
                            }
                        }
                        sync.refresh(Some(user));
                    }
                    revisions.set(None);
                    problem.set(Some(t_string!(i18n, conflict_settled).to_string()));
                }
                Err(error) => problem.set(Some(refusal(i18n, &error))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" data-testid="conflict-panel">
            <h2 class="section-title">{t_string!(i18n, conflict_title)}</h2>
            {move || match revisions.get() {
                None => Either::Left(view! {
                    <button type="button" class="secondary-button" data-testid="conflict-open" on:click=open>
                        {t_string!(i18n, conflict_open)}
                    </button>
                }),
                Some(list) => Either::Right(view! {
                    <ul class="revisions" data-testid="conflict-revisions">
                        {list.into_iter().map(|r| {
                            let number = r.number;
                            view! {
                                <li class="revision" data-testid="conflict-revision" data-number=number.to_string()>
                                    {revision_summary(i18n, &r)}
                                    <button type="button" class="primary-button" data-testid="conflict-keep"
                                        disabled=move || busy.get() on:click=move |_| keep(number)>
                                        {t_string!(i18n, conflict_keep)}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }),
            }}
        </section>
    }
}
