//! Sign-in with phone number and password. Signing in needs the network (opened offline, the
//! page says so at once, and that unsent visits stay on the phone); afterwards the app works
//! offline with the cached identity. Signing in again after a session expired
//! resumes the waiting outbox.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::client::{self, ClientError};
use crate::api::LoginRequest;
use crate::components::header::LanguageSwitch;
use crate::domain::PhoneNumber;
use crate::i18n::{t_string, use_i18n};
use crate::offline::store;
use crate::offline::sync_client::SyncStatus;
use crate::Session;

/// What went wrong with a sign-in, to show above the form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LoginProblem {
    Phone,
    Password,
    Wrong,
    Offline,
    Failed,
    Storage,
    TooMany,
}

/// "Remove this phone's data" (`docs/security.md`): refused while a visit is unsent.
#[component]
fn DeviceData() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let outcome = RwSignal::new(None::<Result<usize, usize>>);
    let remove = move |_| {
        if !crate::components::common::confirm(t_string!(i18n, device_data_confirm)) {
            return;
        }
        let result = store::remove_device_data();
        if result.is_ok() {
            session.profile.set(None);
        }
        outcome.set(Some(result));
    };
    view! {
        <details class="device-data" data-testid="device-data">
            <summary>{t_string!(i18n, device_data_title)}</summary>
            <p class="hint">{t_string!(i18n, device_data_hint)}</p>
            <button type="button" class="secondary-button" data-testid="remove-device-data" on:click=remove>
                {t_string!(i18n, device_data_remove)}
            </button>
            {move || outcome.get().map(|result| match result {
                Ok(_) => view! { <p class="notice" role="status" data-testid="device-data-removed">{t_string!(i18n, device_data_removed)}</p> }.into_any(),
                Err(count) => view! { <p class="error-summary" role="alert" data-testid="device-data-unsent">{t_string!(i18n, device_data_unsent, count = count)}</p> }.into_any(),
            })}
        </details>
    }
}

/// `/login`
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let nav = crate::router::use_nav();

    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<LoginProblem>);
    let busy = RwSignal::new(false);
    let expired = RwSignal::new(false);

    // Opened without a network (from the phone's cache), say so at once, before anyone types:
    // signing in needs the server, and what waits on the phone stays there meanwhile.
    let no_network = RwSignal::new(false);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            let answer = client::get::<crate::api::Health>("/api/health").await;
            no_network.set(matches!(answer, Err(ClientError::Offline)));
        });
    });

    // A member whose session expired comes back here: keep their number, say why.
    Effect::new(move |_| {
        if let Some(profile) = session.profile.get() {
            if phone.get_untracked().is_empty() {
                phone.set(profile.phone.clone());
            }
            expired.set(store::sync_meta(profile.user_id).session_expired);
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Ok(number) = PhoneNumber::parse(&phone.get_untracked()) else {
            problem.set(Some(LoginProblem::Phone));
            return;
        };
        if password.get_untracked().is_empty() {
            problem.set(Some(LoginProblem::Password));
            return;
        }
        problem.set(None);
        busy.set(true);
        let request = LoginRequest {
            phone: number.as_str().to_string(),
            password: password.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let outcome = client::login(&request).await;
            busy.set(false);
            let profile = match outcome {
                Ok(profile) => profile,
                Err(ClientError::Offline) => {
                    no_network.set(true);
                    return problem.set(Some(LoginProblem::Offline));
                }
                Err(ClientError::Refused(401 | 400 | 422, _) | ClientError::Unauthorized) => {
                    return problem.set(Some(LoginProblem::Wrong))
                }
                Err(ClientError::Refused(429, _)) => {
                    return problem.set(Some(LoginProblem::TooMany))
                }
                Err(_) => return problem.set(Some(LoginProblem::Failed)),
            };
            if store::set_identity(&profile).is_err() {
                return problem.set(Some(LoginProblem::Storage));
            }
            let mut meta = store::sync_meta(profile.user_id);
            meta.session_expired = false;
            let _ = store::set_sync_meta(profile.user_id, &meta);
            if let Ok(catalogue) = client::catalogue().await {
                let _ = store::set_catalogue(&catalogue);
            }
            let user = profile.user_id;
            let next = if profile.must_change_password {
                "/password".to_string()
            } else {
                profile.home()
            };
            session.profile.set(Some(profile));
            password.set(String::new());
            sync.refresh(Some(user));
            sync.kick();
            nav.go(&next);
        });
    };

    let message = move || {
        problem.get().map(|p| match p {
            LoginProblem::Phone => t_string!(i18n, login_enter_phone).to_string(),
            LoginProblem::Password => t_string!(i18n, login_enter_password).to_string(),
            LoginProblem::Wrong => t_string!(i18n, login_wrong).to_string(),
            LoginProblem::Offline => t_string!(i18n, login_needs_network).to_string(),
            LoginProblem::Failed => t_string!(i18n, login_failed).to_string(),
            LoginProblem::Storage => t_string!(i18n, status_error_storage).to_string(),
            LoginProblem::TooMany => t_string!(i18n, fail_rate_limited).to_string(),
        })
    };

    view! {
        <main class="page narrow login">
            <header class="login-header">
                <h1>{t_string!(i18n, app_name)}</h1>
                <LanguageSwitch />
            </header>
            <h2>{t_string!(i18n, login_title)}</h2>
            <p class="hint">{t_string!(i18n, login_intro)}</p>
            {move || expired.get().then(|| view! {
                <p class="notice" data-testid="session-expired">{t_string!(i18n, login_expired)}</p>
            })}
            {move || (no_network.get() && problem.get() != Some(LoginProblem::Offline)).then(|| view! {
                <p class="notice" role="status" data-testid="login-needs-network">{t_string!(i18n, login_needs_network)}</p>
            })}
            <form on:submit=submit novalidate=true>
                {move || problem.get().is_some().then(|| view! {
                    <p class="error-summary" role="alert" data-testid="login-error">{message}</p>
                })}
                <label for="phone">{t_string!(i18n, login_phone)}</label>
                <input
                    id="phone"
                    name="phone"
                    type="tel"
                    inputmode="tel"
                    autocomplete="username"
                    prop:value=move || phone.get()
                    on:input=move |ev| phone.set(event_target_value(&ev))
                />
                <label for="password">{t_string!(i18n, login_password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <button type="submit" class="primary-button" disabled=move || busy.get()>
                    {move || if busy.get() { t_string!(i18n, login_busy).to_string() } else { t_string!(i18n, login_submit).to_string() }}
                </button>
            </form>
            <DeviceData />
        </main>
    }
}
