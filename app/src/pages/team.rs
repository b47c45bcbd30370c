//! A team: its roster (each person's affiliation and last sync), what it lacks under the
//! plan's composition rule, and, for whoever keeps the roster (its leader, commune staff),
//! adding people, changing affiliations, choosing the leader and taking people off. The
//! leader's home. Offline it shows the roster as last read online, with its time.

use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::client::{self, ClientError, Method};
use crate::api::{AddedMember, MemberChange, NewMember, RosterEntry, TeamDetail};
use crate::components::common::{
    affiliation_text, confirm, failure_text, gap_text, IssuedPassword, Load, LoadLine,
};
use crate::components::header::Header;
use crate::components::status_line::StatusLine;
use crate::domain::policy::{self, Action};
use crate::domain::team::{Affiliation, Position};
use crate::domain::time::{format_date_time, now_ms, Date};
use crate::i18n::{t_string, use_i18n};
use crate::offline::store;
use crate::router::{follow, use_nav};
use crate::Session;

/// A change to the roster under way: when done, maybe a (name, one-time password) to show.
type Change = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<(String, String)>, ClientError>>>,
>;

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
    let issued = RwSignal::new(None::<(String, String)>);
    let problem = RwSignal::new(None::<&'static str>);
    let reload = RwSignal::new(0u32);

    let actor = move || session.profile.with(|p| p.as_ref().map(|p| p.actor()));
    let own_team = move || {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.team.as_ref().map(|t| t.id)))
            == team
    };
    let may_keep = move || {
        load.get() == Load::Ready
            && kept_at.get().is_none()
            && actor().is_some_and(|a| policy::may(&a, Action::ManageRoster))
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

    // Every change answers with what changed; the page then reads the team again.
    let act = move |work: Change| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            match work.await {
                Ok(password) => {
                    if password.is_some() {
                        issued.set(password);
                    }
                    reload.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };

    let change = move |user: Uuid, change: MemberChange| {
        let Some(team) = team else { return };
        act(Box::pin(async move {
            client::call::<_, RosterEntry>(
                Method::Patch,
                &format!("/api/teams/{team}/members/{user}"),
                Some(&change),
            )
            .await
            .map(|_| None)
        }));
    };
    let remove = move |user: Uuid, name: String| {
        let Some(team) = team else { return };
        if !confirm(&format!(
            "{} {name}?",
            t_string!(i18n, roster_remove_confirm)
        )) {
            return;
        }
        act(Box::pin(async move {
            client::call::<(), ()>(
                Method::Delete,
                &format!("/api/teams/{team}/members/{user}"),
                None,
            )
            .await
            .map(|_| None)
        }));
    };

    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let affiliation = RwSignal::new(Affiliation::YouthUnion);
    let leader = RwSignal::new(false);
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(team) = team else { return };
        let new = NewMember {
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            affiliation: affiliation.get_untracked(),
            leader: leader.get_untracked(),
        };
        act(Box::pin(async move {
            let added: AddedMember =
                client::post(&format!("/api/teams/{team}/members"), &new).await?;
            name.set(String::new());
            phone.set(String::new());
            leader.set(false);
            Ok(added
                .one_time_password
                .map(|password| (added.member.name, password)))
        }));
    };

    let roster_row = move |entry: RosterEntry| {
        let user = entry.user_id;
        let is_leader = entry.position == Position::Leader;
        let who = entry.name.clone();
        view! {
            <li class="roster-entry" data-testid="roster-entry" data-user-id=user.to_string()>
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
                {move || may_keep().then(|| view! {
                    <p class="row-actions">
                        <select aria-label=t_string!(i18n, roster_affiliation)
                            on:change=move |ev| {
                                if let Some(a) = Affiliation::parse(&event_target_value(&ev)) {
                                    change(user, MemberChange { affiliation: Some(a), position: None });
                                }
                            }>
                            {Affiliation::ALL.into_iter().map(|a| view! {
                                <option value=a.as_str() selected=a == entry.affiliation>{affiliation_text(i18n, a)}</option>
                            }).collect_view()}
                        </select>
                        {(!is_leader).then(|| view! {
                            <button type="button" class="small-button" data-testid="make-leader"
                                on:click=move |_| change(user, MemberChange { affiliation: None, position: Some(Position::Leader) })>
                                {t_string!(i18n, roster_make_leader)}
                            </button>
                        })}
                        <button type="button" class="small-button" data-testid="remove-member"
                            on:click={
                                let who = who.clone();
                                move |_| remove(user, who.clone())
                            }>
                            {t_string!(i18n, roster_remove)}
                        </button>
                    </p>
                })}
            </li>
        }
    };

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
                view! {
                    <h1 class="section-title" data-testid="team-name">{d.team.name.clone()}</h1>
                    <p class="hint">{d.team.unit.name.clone()} " · " {d.commune.name.clone()}</p>
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
                    <h2 class="section-title">{t_string!(i18n, roster_title)} " (" {d.roster.len()} ")"</h2>
                    <ul class="roster" data-testid="roster">
                        {d.roster.into_iter().map(roster_row).collect_view()}
                    </ul>
                }
            })}
            {move || problem.get().map(|text| view! { <p class="error-summary" role="alert" data-testid="team-error">{text}</p> })}
            {move || issued.get().map(|(who, password)| view! { <IssuedPassword name=who password /> })}
            {move || may_keep().then(|| view! {
                <form class="add-member" on:submit=add novalidate=true data-testid="add-member">
                    <h2 class="section-title">{t_string!(i18n, roster_add_title)}</h2>
                    <label for="member-name">{t_string!(i18n, roster_name)}</label>
                    <input id="member-name" type="text" autocomplete="off"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    <label for="member-phone">{t_string!(i18n, login_phone)}</label>
                    <input id="member-phone" type="tel" inputmode="tel" autocomplete="off"
                        prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                    <label for="member-affiliation">{t_string!(i18n, roster_affiliation)}</label>
                    <select id="member-affiliation"
                        on:change=move |ev| {
                            if let Some(a) = Affiliation::parse(&event_target_value(&ev)) {
                                affiliation.set(a);
                            }
                        }>
                        {Affiliation::ALL.into_iter().map(|a| view! {
                            <option value=a.as_str() selected=move || affiliation.get() == a>{affiliation_text(i18n, a)}</option>
                        }).collect_view()}
                    </select>
                    <label class="check">
                        <input type="checkbox" id="member-leader" prop:checked=move || leader.get()
                            on:change=move |ev| leader.set(event_target_checked(&ev)) />
                        <span>{t_string!(i18n, roster_as_leader)}</span>
                    </label>
                    <button type="submit" class="primary-button wide" data-testid="add-member-submit">
                        {t_string!(i18n, roster_add)}
                    </button>
                </form>
            })}
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
