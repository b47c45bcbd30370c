//! Sign-in with phone number and password. The first sign-in needs the network; afterwards the
//! app works offline with the cached identity. Signing in again after a session expired
//! resumes the waiting outbox.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::client::{self, ClientError};
use crate::api::LoginRequest;
use crate::components::header::LanguageSwitch;
use crate::domain::PhoneNumber;
use crate::i18n::{t, use_i18n};
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
}

/// `/login`
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let navigate = use_navigate();

    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<LoginProblem>);
    let busy = RwSignal::new(false);
    let expired = RwSignal::new(false);

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
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let outcome = client::login(&request).await;
            busy.set(false);
            let profile = match outcome {
                Ok(profile) => profile,
                Err(ClientError::Offline) => return problem.set(Some(LoginProblem::Offline)),
                Err(ClientError::Refused(401 | 400 | 422, _) | ClientError::Unauthorized) => {
                    return problem.set(Some(LoginProblem::Wrong))
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
            session.profile.set(Some(profile));
            password.set(String::new());
            sync.refresh(Some(user));
            sync.kick();
            navigate("/", Default::default());
        });
    };

    let message = move || {
        problem.get().map(|p| match p {
            LoginProblem::Phone => t!(i18n, login_enter_phone).into_any(),
            LoginProblem::Password => t!(i18n, login_enter_password).into_any(),
            LoginProblem::Wrong => t!(i18n, login_wrong).into_any(),
            LoginProblem::Offline => t!(i18n, login_offline).into_any(),
            LoginProblem::Failed => t!(i18n, login_failed).into_any(),
            LoginProblem::Storage => t!(i18n, status_error_storage).into_any(),
        })
    };

    view! {
        <main class="page narrow login">
            <header class="login-header">
                <h1>{t!(i18n, app_name)}</h1>
                <LanguageSwitch />
            </header>
            <h2>{t!(i18n, login_title)}</h2>
            <p class="hint">{t!(i18n, login_intro)}</p>
            <Show when=move || expired.get()>
                <p class="notice" data-testid="session-expired">{t!(i18n, login_expired)}</p>
            </Show>
            <form on:submit=submit novalidate=true>
                <Show when=move || problem.get().is_some()>
                    <p class="error-summary" role="alert" data-testid="login-error">{message}</p>
                </Show>
                <label for="phone">{t!(i18n, login_phone)}</label>
                <input
                    id="phone"
                    name="phone"
                    type="tel"
                    inputmode="tel"
                    autocomplete="username"
                    prop:value=move || phone.get()
                    on:input=move |ev| phone.set(event_target_value(&ev))
                />
                <label for="password">{t!(i18n, login_password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <button type="submit" class="primary-button" disabled=move || busy.get()>
                    {move || if busy.get() { t!(i18n, login_busy).into_any() } else { t!(i18n, login_submit).into_any() }}
                </button>
            </form>
        </main>
    }
}
