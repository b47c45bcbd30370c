//! `/audit`: who did what, when, within the user's scope, newest first, page by page.

use leptos::prelude::*;

use crate::api::client;
use crate::api::{AuditEntry, AuditList};
use crate::components::common::{failure_text, I18n};
use crate::domain::time::format_date_time;
use crate::i18n::{t_string, use_i18n};

/// An action of the log, in words.
fn action_text(i18n: I18n, action: &str) -> String {
    let text = match action {
        "sign_in" => t_string!(i18n, audit_sign_in),
        "sign_in_failed" => t_string!(i18n, audit_sign_in_failed),
        "user_created" => t_string!(i18n, audit_user_created),
        "user_renamed" => t_string!(i18n, audit_user_renamed),
        "user_closed" => t_string!(i18n, audit_user_closed),
        "user_reopened" => t_string!(i18n, audit_user_reopened),
        "user_moved" => t_string!(i18n, audit_user_moved),
        "password_reset" => t_string!(i18n, audit_password_reset),
        "password_changed" => t_string!(i18n, audit_password_changed),
        "team_created" => t_string!(i18n, audit_team_created),
        "team_changed" => t_string!(i18n, audit_team_changed),
        "roster_added" => t_string!(i18n, audit_roster_added),
        "roster_changed" => t_string!(i18n, audit_roster_changed),
        "roster_removed" => t_string!(i18n, audit_roster_removed),
        "roster_imported" => t_string!(i18n, audit_roster_imported),
        "village_created" => t_string!(i18n, audit_village_created),
        "village_changed" => t_string!(i18n, audit_village_changed),
        "activity_added" => t_string!(i18n, audit_activity_added),
        "activity_changed" => t_string!(i18n, audit_activity_changed),
        "visit_approved" => t_string!(i18n, audit_visit_approved),
        "visit_returned" => t_string!(i18n, audit_visit_returned),
        "visits_bulk_approved" => t_string!(i18n, audit_visits_bulk_approved),
        "amendment_approved" => t_string!(i18n, audit_amendment_approved),
        "amendment_refused" => t_string!(i18n, audit_amendment_refused),
        "conflict_settled" => t_string!(i18n, audit_conflict_settled),
        "household_merged" => t_string!(i18n, audit_household_merged),
        "difficulty_handled" => t_string!(i18n, audit_difficulty_handled),
        "difficulty_kind_added" => t_string!(i18n, audit_difficulty_kind_added),
        "difficulty_kind_changed" => t_string!(i18n, audit_difficulty_kind_changed),
        "report_exported" => t_string!(i18n, audit_report_exported),
        "target_set" => t_string!(i18n, audit_target_set),
        other => return other.to_string(),
    };
    text.to_string()
}

/// The audit log page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<i64>);
    let problem = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let more = move |before: Option<i64>| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let url = match before {
                Some(b) => format!("/api/audit?before={b}"),
                None => "/api/audit".to_string(),
            };
            match client::get::<AuditList>(&url).await {
                Ok(page) => {
                    entries.update(|e| e.extend(page.entries));
                    next.set(page.next_before);
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
            busy.set(false);
        });
    };
    Effect::new(move |_| more(None));

    view! {
        <main class="page" data-testid="audit-page">
            <h1 class="section-title">{t_string!(i18n, nav_audit)}</h1>
            {move || problem.get().map(|text| view! { <p class="notice">{text}</p> })}
            <table class="list" data-testid="audit">
                <thead><tr>
                    <th>{t_string!(i18n, audit_when)}</th><th>{t_string!(i18n, audit_who)}</th>
                    <th>{t_string!(i18n, audit_what)}</th><th>{t_string!(i18n, audit_where)}</th>
                </tr></thead>
                <tbody>
                    {move || entries.get().into_iter().map(|e| view! {
                        <tr data-testid="audit-row" data-action=e.action.clone()>
                            <td>{format_date_time(e.at)}</td>
                            <td>{e.actor_name.clone().unwrap_or_else(|| "—".to_string())}</td>
                            <td>{action_text(i18n, &e.action)}</td>
                            <td>{e.address.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {move || next.get().map(|before| view! {
                <button type="button" class="secondary-button" disabled=move || busy.get() on:click=move |_| more(Some(before))>
                    {t_string!(i18n, audit_more)}
                </button>
            })}
        </main>
    }
}
