//! The top bar of every signed-in screen: app name, who is signed in and where, links,
//! language switch, sign out.

use leptos::prelude::*;

use crate::api::{client, Profile};
use crate::domain::policy::{self, Action};
use crate::i18n::{t_string, use_i18n, Locale};
use crate::offline::store;
use crate::offline::sync_client::SyncStatus;
use crate::router::follow;
use crate::Session;

/// The language switch: Vietnamese ⇄ English, remembered on the device.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let switch = move |_| {
        let next = match i18n.get_locale_untracked() {
            Locale::vi => Locale::en,
            Locale::en => Locale::vi,
        };
        i18n.set_locale(next);
        let _ = store::set_language(match next {
            Locale::vi => "vi",
            Locale::en => "en",
        });
    };
    view! {
        <button type="button" class="link-button" data-testid="switch-language" on:click=switch>
            {t_string!(i18n, switch_language)}
        </button>
    }
}

/// Where a signed-in user can go, by what they may do: their visits and team for team
/// people (and difficulties for leaders), their unit, the approval queue, difficulties,
/// accounts and the audit log for staff, administration for
/// administrators; changing the password for everyone.
fn links(profile: &Profile) -> Vec<(&'static str, String)> {
    let actor = profile.actor();
    let mut links = Vec::new();
    if profile.role.is_team() {
        links.push(("visits", "/".to_string()));
        if let Some(team) = &profile.team {
            links.push(("team", format!("/teams/{}", team.id)));
        }
        if policy::may(&actor, Action::ReadDifficulties) {
            links.push(("difficulties", "/difficulties".to_string()));
        }
    } else {
        links.push(("home", profile.home()));
        if policy::may(&actor, Action::ReviewVisits) {
            links.push(("review", "/review".to_string()));
        }
        if policy::may(&actor, Action::ReadDifficulties) {
            links.push(("difficulties", "/difficulties".to_string()));
        }
        if policy::may(&actor, Action::ReadUsers) {
            links.push(("users", "/users".to_string()));
        }
        if policy::may(&actor, Action::ReadAudit) {
            links.push(("audit", "/audit".to_string()));
        }
    }
    links.push(("password", "/password".to_string()));
    links
}

/// The header bar: the app, the signed-in person and where they work (phones are shared),
/// the places they can go, the language switch, signing out.
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let nav = crate::router::use_nav();
    let place = move || {
        session.profile.with(|p| {
            p.as_ref()
                .map(|p| {
                    let place = p
                        .team
                        .as_ref()
                        .and_then(|t| t.village.as_ref())
                        .map_or(p.unit.name.clone(), |v| v.name.clone());
                    format!("{} · {place}", p.name)
                })
                .unwrap_or_default()
        })
    };
    let sign_out = move |_| {
        // The outbox stays on the device, keyed to its author, for their next sign-in.
        store::clear_identity();
        session.profile.set(None);
        sync.refresh(None);
        leptos::task::spawn_local(client::logout());
        nav.go("/login");
    };
    let label = move |key: &str| match key {
        "visits" => t_string!(i18n, nav_my_visits),
        "team" => t_string!(i18n, nav_team),
        "home" => t_string!(i18n, nav_home),
        "users" => t_string!(i18n, nav_users),
        "audit" => t_string!(i18n, nav_audit),
        "review" => t_string!(i18n, nav_review),
        "difficulties" => t_string!(i18n, nav_difficulties),
        _ => t_string!(i18n, nav_password),
    };
    view! {
        <header class="app-header">
            <span class="app-name">{t_string!(i18n, app_name)}</span>
            <span class="app-place" data-testid="place">{place}</span>
            <nav class="app-actions">
                {move || session.profile.get().map(|p| links(&p).into_iter().map(|(key, href)| view! {
                    <a class="header-link" href=href.clone() data-testid=format!("nav-{key}") on:click=follow(nav, href)>{label(key)}</a>
                }).collect_view())}
                <LanguageSwitch />
                {move || session.profile.with(Option::is_some).then(|| view! {
                    <button type="button" class="link-button" data-testid="sign-out" on:click=sign_out>
                        {t_string!(i18n, nav_sign_out)}
                    </button>
                })}
            </nav>
        </header>
    }
}
