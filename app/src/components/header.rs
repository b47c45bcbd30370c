//! The top bar of every signed-in screen, compact enough to leave a phone's screen to the
//! work: one line with the app, who is signed in and where (phones are shared), one row of
//! links with the language switch and signing out. Signing out asks first, says how many
//! visits stay on the phone unsent, and is refused without a network.

use leptos::prelude::*;

use crate::api::client::{self, ClientError, Method};
use crate::api::Profile;
use crate::components::common::confirm;
use crate::domain::policy::{self, Action};
use crate::i18n::{t_string, use_i18n, Locale};
use crate::offline::store::{self, LocalState};
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
    let who = move || {
        session.profile.with(|p| {
            p.as_ref().map(|p| {
                let place = p
                    .team
                    .as_ref()
                    .and_then(|t| t.village.as_ref())
                    .map_or(p.unit.name.clone(), |v| v.name.clone());
                (p.name.clone(), place)
            })
        })
    };
    // Signing out needs the network: signed out offline, a member could not sign back in, and
    // the phone would be useless in the field until it had a signal again.
    let refused = RwSignal::new(false);
    let sign_out = move |_| {
        let Some(user) = session
            .profile
            .with_untracked(|p| p.as_ref().map(|p| p.user_id))
        else {
            return;
        };
        if !online() {
            refused.set(true);
            return;
        }
        let unsent = store::visits(user)
            .iter()
            .filter(|v| v.state == LocalState::Pending)
            .count();
        let question = if unsent == 0 {
            t_string!(i18n, sign_out_confirm).to_string()
        } else {
            t_string!(i18n, sign_out_confirm_unsent, count = unsent).to_string()
        };
        if !confirm(&question) {
            return;
        }
        leptos::task::spawn_local(async move {
            let answer = client::call::<(), ()>(Method::Post, "/api/auth/logout", None).await;
            if answer == Err(ClientError::Offline) {
                refused.set(true);
                return;
            }
            refused.set(false);
            // The outbox stays on the device, keyed to its author, for their next sign-in.
            store::clear_identity();
            session.profile.set(None);
            sync.refresh(None);
            nav.go("/login");
        });
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
            <p class="app-who">
                <span class="app-name">{t_string!(i18n, app_name)}</span>
                <span class="app-place" data-testid="place">
                    {move || who().map(|(name, place)| view! { <strong data-testid="who">{name}</strong> " · " {place} })}
                </span>
            </p>
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
            {move || refused.get().then(|| view! {
                <p class="header-notice" role="alert" data-testid="sign-out-refused">
                    {t_string!(i18n, sign_out_offline)}
                </p>
            })}
        </header>
    }
}

/// Whether the browser believes it has a network at all; a `true` is checked by calling the
/// server, a `false` is believed.
fn online() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        true
    }
}
