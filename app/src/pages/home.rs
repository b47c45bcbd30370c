//! The member's main screen: status line, the visits logged on this device, and the big
//! "log a visit" button at the bottom.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::Catalogue;
use crate::components::header::Header;
use crate::components::status_line::StatusLine;
use crate::domain::time::format_date_time;
use crate::i18n::{t, use_i18n, Locale};
use crate::offline::store::{self, LocalState, LocalVisit};
use crate::offline::sync_client::SyncStatus;
use crate::Session;

/// Activity names of a visit, in the current language, joined with commas.
fn activity_names(visit: &LocalVisit, catalogue: &Catalogue, locale: Locale) -> String {
    visit
        .record
        .activities
        .iter()
        .map(|done| {
            catalogue
                .activities
                .iter()
                .find(|a| a.code == done.code)
                .map(|a| match locale {
                    Locale::vi => a.name_vi.clone(),
                    Locale::en => a.name_en.clone(),
                })
                .unwrap_or_else(|| done.code.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `/`
#[component]
pub fn HomePage() -> impl IntoView {
    super::require_sign_in();
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();

    let visits = move || {
        sync.changed.track();
        session
            .profile
            .with(|p| p.as_ref().map(|p| store::visits(p.user_id)))
            .unwrap_or_default()
    };
    let catalogue = move || {
        sync.changed.track();
        store::catalogue().unwrap_or_default()
    };

    view! {
        <Header />
        <StatusLine />
        <main class="page">
            <h1 class="section-title">{t!(i18n, home_today)}</h1>
            <Show
                when=move || session.ready.get() && !visits().is_empty()
                fallback=move || {
                    view! {
                        <p class="empty" class:hidden=move || !session.ready.get()>
                            {t!(i18n, home_empty)}
                        </p>
                    }
                }
            >
                <ul class="visit-list" data-testid="visit-list">
                    {move || {
                        let catalogue = catalogue();
                        let locale = i18n.get_locale();
                        visits()
                            .into_iter()
                            .map(|visit| {
                                let state = visit.state;
                                let names = activity_names(&visit, &catalogue, locale);
                                let household = &visit.record.household;
                                view! {
                                    <li
                                        class="visit-card"
                                        data-visit-id=visit.record.id.to_string()
                                        data-state=match state {
                                            LocalState::Pending => "pending",
                                            LocalState::Sent => "sent",
                                            LocalState::Rejected => "rejected",
                                        }
                                    >
                                        <p class="visit-household">
                                            <strong>{household.head_name.clone()}</strong>
                                            " · "
                                            {household.address.clone()}
                                        </p>
                                        <p class="visit-activities">{names}</p>
                                        <p class="visit-meta">
                                            {match state {
                                                LocalState::Pending => {
                                                    view! { <span class="chip chip-pending">{t!(i18n, chip_pending)}</span> }.into_any()
                                                }
                                                LocalState::Sent => {
                                                    view! { <span class="chip chip-sent">{t!(i18n, chip_sent)}</span> }.into_any()
                                                }
                                                LocalState::Rejected => {
                                                    view! { <span class="chip chip-rejected">{t!(i18n, chip_rejected)}</span> }.into_any()
                                                }
                                            }}
                                            " "
                                            <time>{format_date_time(visit.record.visited_at)}</time>
                                            " "
                                            <span class="visit-reason">{visit.reason.clone()}</span>
                                        </p>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </main>
        <footer class="action-bar">
            <A href="/visits/new" attr:class="primary-button" attr:data-testid="log-visit">
                {t!(i18n, home_log_visit)}
            </A>
        </footer>
    }
}
