//! `/users` (`?unit=ID` to narrow it): the accounts in the user's scope, searchable, with
//! what staff do to them: a new one-time password, closing and reopening, moving a team
//! person to another team of the commune.

use leptos::prelude::*;
use uuid::Uuid;

use super::{fetch_into, matches};
use crate::api::client::{self, ClientError, Method};
use crate::api::{
    IssuedPassword as Issued, MoveUser, UnitDetail, UserChange, UserList, UserSummary,
};
use crate::components::common::{confirm, failure_text, role_text, IssuedPassword, Load, LoadLine};
use crate::domain::policy::outranks;
use crate::domain::time::format_date_time;
use crate::i18n::{t_string, use_i18n};
use crate::Session;

/// The accounts page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let unit: Option<i64> = crate::router::current_query()
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("unit="))
        .and_then(|v| v.parse().ok());
    let users = RwSignal::new(None::<UserList>);
    let load = RwSignal::new(Load::Loading);
    let again = RwSignal::new(0u32);
    fetch_into(
        move || {
            Some(unit.map_or_else(
                || "/api/users".to_string(),
                |u| format!("/api/users?unit={u}"),
            ))
        },
        users,
        load,
        again,
    );
    // Teams a team person can be moved to: those of the commune of the signed-in staff.
    let teams = RwSignal::new(None::<UnitDetail>);
    Effect::new(move |_| {
        let commune = session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.commune.as_ref().map(|c| c.id)));
        if let Some(commune) = commune {
            leptos::task::spawn_local(async move {
                teams.set(
                    client::get::<UnitDetail>(&format!("/api/units/{commune}"))
                        .await
                        .ok(),
                );
            });
        }
    });
    let search = RwSignal::new(String::new());
    let issued = RwSignal::new(None::<Issued>);
    let problem = RwSignal::new(None::<&'static str>);
    let done = move |outcome: Result<Option<Issued>, ClientError>| match outcome {
        Ok(password) => {
            if password.is_some() {
                issued.set(password);
            }
            again.update(|n| *n += 1);
        }
        Err(error) => problem.set(Some(failure_text(i18n, &error))),
    };
    let reset = move |id: Uuid| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            let outcome =
                client::post::<_, Issued>(&format!("/api/users/{id}/password-reset"), &()).await;
            done(outcome.map(Some));
        });
    };
    let set_active = move |id: Uuid, active: bool| {
        if !active && !confirm(t_string!(i18n, users_close_confirm)) {
            return;
        }
        problem.set(None);
        let change = UserChange {
            name: None,
            active: Some(active),
        };
        leptos::task::spawn_local(async move {
            let outcome = client::call::<_, UserSummary>(
                Method::Patch,
                &format!("/api/users/{id}"),
                Some(&change),
            )
            .await;
            done(outcome.map(|_| None));
        });
    };
    let move_to = move |id: Uuid, team: String| {
        let Ok(team_id) = team.parse::<Uuid>() else {
            return;
        };
        problem.set(None);
        let target = MoveUser {
            team_id,
            affiliation: None,
        };
        leptos::task::spawn_local(async move {
            let outcome =
                client::post::<_, UserSummary>(&format!("/api/users/{id}/move"), &target).await;
            done(outcome.map(|_| None));
        });
    };
    let may_manage = move |user: &UserSummary| {
        session.profile.with(|p| {
            p.as_ref()
                .is_some_and(|p| p.user_id != user.id && outranks(&p.actor(), user.role).is_ok())
        })
    };

    view! {
        <main class="page" data-testid="users-page">
            <h1 class="section-title">{t_string!(i18n, nav_users)}</h1>
            <LoadLine load />
            {move || problem.get().map(|text| view! { <p class="error-summary" role="alert">{text}</p> })}
            {move || issued.get().map(|done| view! { <IssuedPassword name=done.user.name password=done.one_time_password /> })}
            <input type="search" class="search" placeholder=t_string!(i18n, search_placeholder)
                aria-label=t_string!(i18n, search_placeholder)
                on:input=move |ev| search.set(event_target_value(&ev)) />
            <ul class="plain-list" data-testid="users">
                {move || users.get().map(|list| list.users.into_iter()
                    .filter(|u| matches(&format!("{} {}", u.name, u.phone), &search.get()))
                    .map(|u| {
                        let id = u.id;
                        let manage = may_manage(&u);
                        let team_person = u.role.is_team();
                        view! {
                            <li class="user-row" data-testid="user-row" data-user-id=id.to_string()>
                                <p><strong>{u.name.clone()}</strong> " · " {u.phone.clone()}</p>
                                <p class="hint">
                                    {role_text(i18n, u.role)} " · " {u.unit.name.clone()}
                                    {(!u.active).then(|| format!(" · {}", t_string!(i18n, users_closed)))}
                                    {u.must_change_password.then(|| format!(" · {}", t_string!(i18n, roster_password_pending)))}
                                    {u.last_sync_at.map(|at| format!(" · {} {}", t_string!(i18n, roster_last_sync), format_date_time(at)))}
                                </p>
                                {manage.then(|| view! {
                                    <p class="row-actions">
                                        <button type="button" class="small-button" data-testid="reset-password" on:click=move |_| reset(id)>
                                            {t_string!(i18n, users_reset)}
                                        </button>
                                        <button type="button" class="small-button" data-testid="toggle-active"
                                            on:click=move |_| set_active(id, !u.active)>
                                            {if u.active { t_string!(i18n, users_close) } else { t_string!(i18n, users_reopen) }}
                                        </button>
                                        {(team_person && u.active).then(|| view! {
                                            <select aria-label=t_string!(i18n, users_move) on:change=move |ev| move_to(id, event_target_value(&ev))>
                                                <option value="">{t_string!(i18n, users_move)}</option>
                                                {move || teams.get().map(|d| d.teams.into_iter()
                                                    .filter(|t| Some(t.id) != u.team_id)
                                                    .map(|t| view! { <option value=t.id.to_string()>{t.name}</option> })
                                                    .collect_view())}
                                            </select>
                                        })}
                                    </p>
                                })}
                            </li>
                        }
                    }).collect_view())}
            </ul>
        </main>
    }
}
