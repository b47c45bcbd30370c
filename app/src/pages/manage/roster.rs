//! Keeping a team's roster: add a person (a new phone number gets an account and a one-time
//! password, shown once), change an affiliation, choose the leader, take someone off.

use std::future::Future;
use std::pin::Pin;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::client::{self, ClientError, Method};
use crate::api::{AddedMember, MemberChange, NewMember, RosterEntry};
use crate::components::common::{affiliation_text, confirm, failure_text};
use crate::domain::team::{Affiliation, Position};
use crate::i18n::{t_string, use_i18n};
use crate::pages::team::RosterLine;

/// A change under way: when done, maybe a (name, one-time password) to show.
type Change = Pin<Box<dyn Future<Output = Result<Option<(String, String)>, ClientError>>>>;

/// The roster with its tools.
#[component]
pub fn RosterPanel(
    team: Uuid,
    roster: Vec<RosterEntry>,
    reload: RwSignal<u32>,
    issued: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let problem = RwSignal::new(None::<&'static str>);

    // Every change answers with what changed; the page then reads the team again.
    let act = move |work: Change| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            match work.await {
                Ok(password) => {
                    issued.set(password);
                    reload.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };
    let change = move |user: Uuid, change: MemberChange| {
        act(Box::pin(async move {
            let url = format!("/api/teams/{team}/members/{user}");
            client::call::<_, RosterEntry>(Method::Patch, &url, Some(&change))
                .await
                .map(|_| None)
        }));
    };
    let remove = move |user: Uuid, name: String| {
        if !confirm(&format!(
            "{} {name}?",
            t_string!(i18n, roster_remove_confirm)
        )) {
            return;
        }
        act(Box::pin(async move {
            let url = format!("/api/teams/{team}/members/{user}");
            client::call::<(), ()>(Method::Delete, &url, None)
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

    let affiliation_choice = move |current: Affiliation| {
        Affiliation::ALL
            .into_iter()
            .map(|a| view! { <option value=a.as_str() selected=a == current>{affiliation_text(i18n, a)}</option> })
            .collect_view()
    };
    let row = move |entry: RosterEntry| {
        let user = entry.user_id;
        let is_leader = entry.position == Position::Leader;
        let who = entry.name.clone();
        let current = entry.affiliation;
        view! {
            <li class="roster-entry" data-testid="roster-entry" data-user-id=user.to_string()>
                <RosterLine entry=entry.clone() />
                <p class="row-actions">
                    <select aria-label=t_string!(i18n, roster_affiliation)
                        on:change=move |ev| {
                            if let Some(a) = Affiliation::parse(&event_target_value(&ev)) {
                                change(user, MemberChange { affiliation: Some(a), position: None });
                            }
                        }>
                        {affiliation_choice(current)}
                    </select>
                    {(!is_leader).then(|| view! {
                        <button type="button" class="small-button" data-testid="make-leader"
                            on:click=move |_| change(user, MemberChange { affiliation: None, position: Some(Position::Leader) })>
                            {t_string!(i18n, roster_make_leader)}
                        </button>
                    })}
                    <button type="button" class="small-button" data-testid="remove-member"
                        on:click=move |_| remove(user, who.clone())>
                        {t_string!(i18n, roster_remove)}
                    </button>
                </p>
            </li>
        }
    };

    view! {
        <ul class="roster" data-testid="roster">{roster.into_iter().map(row).collect_view()}</ul>
        {move || problem.get().map(|text| view! { <p class="error-summary" role="alert" data-testid="team-error">{text}</p> })}
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
                {affiliation_choice(Affiliation::YouthUnion)}
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
    }
}
