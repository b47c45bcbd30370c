//! `/password`: changing one's own password. A user whose password was set by someone else
//! (a new account, a reset) lands here after signing in and can do nothing else until it is
//! changed. Drawn inside the lazy frame, which shows the header.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::client;
use crate::api::PasswordChange;
use crate::components::common::failure_text;
use crate::i18n::{t_string, use_i18n};
use crate::offline::store;
use crate::offline::sync_client::SyncStatus;
use crate::router::use_nav;
use crate::Session;

/// `/password`
#[component]
pub fn PasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let nav = use_nav();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let forced = move || {
        session
            .profile
            .with(|p| p.as_ref().is_some_and(|p| p.must_change_password))
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if new.get_untracked() != again.get_untracked() {
            problem.set(Some(t_string!(i18n, password_mismatch)));
            return;
        }
        problem.set(None);
        busy.set(true);
        let change = PasswordChange {
            current: current.get_untracked(),
            new: new.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let outcome = client::change_password(&change).await;
            busy.set(false);
            match outcome {
                Ok(()) => {
                    let mut profile = session.profile.get_untracked();
                    if let Some(profile) = profile.as_mut() {
                        profile.must_change_password = false;
                        let _ = store::set_identity(profile);
                    }
                    let home = profile.as_ref().map(|p| p.home());
                    session.profile.set(profile);
                    // What waited for the password (the catalogue, the outbox) goes now.
                    sync.kick();
                    nav.go(home.as_deref().unwrap_or("/"));
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };

    view! {
        <main class="page narrow">
            <h1 class="section-title">{t_string!(i18n, password_title)}</h1>
            {move || forced().then(|| view! {
                <p class="notice" data-testid="password-forced">{t_string!(i18n, password_forced)}</p>
            })}
            <form on:submit=submit novalidate=true data-testid="password-form">
                {move || problem.get().map(|text| view! {
                    <p class="error-summary" role="alert" data-testid="password-error">{text}</p>
                })}
                <label for="current">{t_string!(i18n, password_current)}</label>
                <input id="current" type="password" autocomplete="current-password"
                    prop:value=move || current.get()
                    on:input=move |ev| current.set(event_target_value(&ev)) />
                <label for="new">{t_string!(i18n, password_new)}</label>
                <p class="hint">{t_string!(i18n, password_rules)}</p>
                <input id="new" type="password" autocomplete="new-password"
                    prop:value=move || new.get()
                    on:input=move |ev| new.set(event_target_value(&ev)) />
                <label for="again">{t_string!(i18n, password_again)}</label>
                <input id="again" type="password" autocomplete="new-password"
                    prop:value=move || again.get()
                    on:input=move |ev| again.set(event_target_value(&ev)) />
                <button type="submit" class="primary-button wide" disabled=move || busy.get()>
                    {t_string!(i18n, password_submit)}
                </button>
            </form>
        </main>
    }
}
