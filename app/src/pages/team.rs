//! A team: its roster (each person's affiliation and last sync) and what it lacks under the
//! plan's composition rule. The leader's home. Offline it shows the roster as last read
//! online, with its time. Whoever keeps the roster (its leader, commune staff) gets the tools
//! to add people, change affiliations, choose the leader and take people off: they need the
//! network, so their code is loaded on demand (`pages::manage`).

use leptos::either::Either;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::client::{self, ClientError};
use crate::api::{RosterEntry, TeamDetail};
use crate::components::common::{affiliation_text, gap_text, IssuedPassword, Load, LoadLine};
use crate::components::header::Header;
use crate::components::status_line::StatusLine;
use crate::domain::policy::{self, Action};
use crate::domain::team::Position;
use crate::domain::time::{format_date_time, now_ms, Date};
use crate::i18n::{t_string, use_i18n};
use crate::offline::store;
use crate::router::{follow, use_nav};
use crate::Session;

/// One person on the roster: name, leader mark, affiliation, phone, last sync.
#[component]
pub fn RosterLine(entry: RosterEntry) -> impl IntoView {
    let i18n = use_i18n();
    let is_leader = entry.position == Position::Leader;
    view! {
        <p>
            <strong>{entry.name.clone()}</strong>
            {is_leader.then(|| view! { " " <span class="chip chip-sent">{t_string!(i18n, roster_leader)}</span> })}
        </p>
        <p class="hint">
            {affiliation_text(i18n, entry.affiliation)} " · "
            <a href=format!("tel:{}", entry.phone)>{entry.phone.clone()}</a>
        </p>
        <p class="hint" data-testid="last-sync">
            {match entry.last_sync_at {
                Some(at) => format!("{} {}", t_string!(i18n, roster_last_sync), format_date_time(at)),
                None => t_string!(i18n, roster_never_synced).to_string(),
            }}
            {entry.must_change_password.then(|| format!(" · {}", t_string!(i18n, roster_password_pending)))}
        </p>
        {entry.unsent.map(|n| {
            let at = entry.unsent_at.map(|at| format!(" ({} {})", t_string!(i18n, roster_unsent_at), format_date_time(at)));
            view! {
                <p class={if n > 0 { "notice" } else { "hint" }} data-testid="unsent" data-unsent=n.to_string()>
                    {if n > 0 { format!("{n} {}", t_string!(i18n, roster_unsent)) } else { t_string!(i18n, status_all_sent).to_string() }}
                    {at}
                </p>
            }
        })}
    }
}

/// `/teams/{id}`
#[component]
pub fn TeamPage(param: Option<String>) -> impl IntoView {
    super::require_sign_in();
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let nav = use_nav();
    let team = param.and_then(|p| p.parse::<Uuid>().ok());

    let detail = RwSignal::new(None::<TeamDetail>);
    let kept_at = RwSignal::new(None::<i64>);
    let load = RwSignal::new(Load::Loading);
    let reload = RwSignal::new(0u32);
    let issued = RwSignal::new(None::<(String, String)>);

    let actor = move || session.profile.with(|p| p.as_ref().map(|p| p.actor()));
    let own_team = move || {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.team.as_ref().map(|t| t.id)))
            == team
    };
    let may_keep = move || {
        kept_at.get().is_none() && actor().is_some_and(|a| policy::may(&a, Action::ManageRoster))
    };
    let team_person = move || actor().is_some_and(|a| a.role.is_team());

    Effect::new(move |_| {
        reload.track();
        let Some(profile) = session.profile.get() else {
            return;
        };
        let Some(team) = team else {
            load.set(Load::Missing);
            return;
        };
        leptos::task::spawn_local(async move {
            match client::get::<TeamDetail>(&format!("/api/teams/{team}")).await {
                Ok(found) => {
                    if profile.team.as_ref().map(|t| t.id) == Some(team) {
                        let _ = store::set_team_detail(profile.user_id, &found, now_ms());
                    }
                    detail.set(Some(found));
                    kept_at.set(None);
                    load.set(Load::Ready);
                }
                Err(ClientError::Offline) => match store::team_detail(profile.user_id) {
                    Some((kept, at)) if kept.team.id == team => {
                        detail.set(Some(kept));
                        kept_at.set(Some(at));
                        load.set(Load::Ready);
                    }
                    _ => load.set(Load::Offline),
                },
                Err(_) => load.set(Load::Missing),
            }
        });
    });

    view! {
        <Header />
        {move || team_person().then(|| view! { <StatusLine /> })}
        <main class="page">
            <LoadLine load />
            {move || detail.get().map(|d| {
                let decision = d.team.decision_no.clone().map(|no| {
                    let date = d.team.decision_date.as_deref().and_then(Date::parse_iso).map(|d| d.to_vietnamese()).unwrap_or_default();
                    format!("{} {no} {date}", t_string!(i18n, team_decision))
                });
                let gaps = d.team.gaps.clone();
                let roster = d.roster.clone();
                view! {
                    <h1 class="section-title" data-testid="team-name">{d.team.name.clone()}</h1>
                    <p class="hint">{d.team.unit.name.clone()} " · " {d.commune.name.clone()}</p>
                    {(own_team() && actor().is_some_and(|a| policy::may(&a, Action::MarkVisits))).then(|| {
                        let log = format!("/teams/{}/log", d.team.id);
                        view! { <p><a href=log.clone() data-testid="team-log-link" on:click=follow(nav, log.clone())>{t_string!(i18n, team_log_link)} " →"</a></p> }
                    })}
                    {decision.map(|text| view! { <p class="hint">{text}</p> })}
                    {kept_at.get().map(|at| view! {
                        <p class="notice" data-testid="kept-at">{t_string!(i18n, team_kept_at)} " " {format_date_time(at)}</p>
                    })}
                    {if gaps.is_empty() {
                        Either::Left(view! { <p class="ok-line" data-testid="composition-ok">{t_string!(i18n, gap_none)}</p> })
                    } else {
                        Either::Right(view! {
                            <div class="notice" data-testid="composition-gaps">
                                <p><strong>{t_string!(i18n, gap_title)}</strong></p>
                                <ul>{gaps.into_iter().map(|g| view! { <li>{gap_text(i18n, g)}</li> }).collect_view()}</ul>
                            </div>
                        })
                    }}
                    <h2 class="section-title">{t_string!(i18n, roster_title)} " (" {roster.len()} ")"</h2>
                    {if may_keep() {
                        let team = d.team.id;
                        Either::Left(super::lazy::lazy_view(move || super::manage::roster_panel(team, roster, reload, issued)))
                    } else {
                        Either::Right(view! {
                            <ul class="roster" data-testid="roster">
                                {roster.into_iter().map(|entry| {
                                    let id = entry.user_id.to_string();
                                    view! {
                                    <li class="roster-entry" data-testid="roster-entry" data-user-id=id>
                                        <RosterLine entry />
                                    </li>
                                }}).collect_view()}
                            </ul>
                        })
                    }}
                }
            })}
            {move || issued.get().map(|(who, password)| view! { <IssuedPassword name=who password /> })}
        </main>
        {move || (team_person() && own_team()).then(|| view! {
            <footer class="action-bar">
                <a href="/" class="secondary-button" on:click=follow(nav, "/")>{t_string!(i18n, nav_my_visits)}</a>
                <a href="/visits/new" class="primary-button" data-testid="log-visit" on:click=follow(nav, "/visits/new")>
                    {t_string!(i18n, home_log_visit)}
                </a>
            </footer>
        })}
    }
}
