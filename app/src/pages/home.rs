//! The member's main screen: status line, the visits logged on this device, and the big
//! "log a visit" button at the bottom.

use leptos::prelude::*;

use crate::api::Catalogue;
use crate::components::header::Header;
use crate::components::status_line::StatusLine;
use crate::domain::policy::{self, Action};
use crate::domain::time::format_date_time;
use crate::i18n::{t_string, use_i18n, Locale};
use crate::offline::store::{self, Chip, LocalVisit};
use crate::offline::sync_client::SyncStatus;
use crate::router::{follow, use_nav};
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
    let nav = use_nav();
    // This page is the member's home; staff have their own.
    Effect::new(move |_| {
        if let Some(profile) = session.profile.get() {
            if !profile.role.is_team() {
                nav.go(&profile.home());
            }
        }
    });
    let may_log = move || {
        session.profile.with(|p| {
            p.as_ref()
                .is_some_and(|p| policy::may(&p.actor(), Action::LogVisits))
        })
    };
    let team_link = move || {
        session.profile.with(|p| {
            p.as_ref()
                .and_then(|p| p.team.as_ref().map(|t| format!("/teams/{}", t.id)))
        })
    };

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
    // Destructive actions ask first; the browser's own dialog is the smallest way to do it.
    let confirm = crate::components::common::confirm;
    let delete = move |id: uuid::Uuid| {
        let Some(user) = session
            .profile
            .with_untracked(|p| p.as_ref().map(|p| p.user_id))
        else {
            return;
        };
        if confirm(t_string!(i18n, visit_delete_confirm)) && store::delete_unsent_visit(user, id) {
            sync.refresh(Some(user));
        }
    };
    let withdraw = move |id: uuid::Uuid| {
        let Some(user) = session
            .profile
            .with_untracked(|p| p.as_ref().map(|p| p.user_id))
        else {
            return;
        };
        if confirm(t_string!(i18n, visit_withdraw_confirm)) {
            match store::withdraw_visit(user, id, crate::domain::time::now_ms()) {
                Ok(true) => {
                    sync.refresh(Some(user));
                    sync.kick();
                }
                Ok(false) => {}
                Err(_) => sync
                    .error
                    .set(Some(crate::offline::sync_client::SyncError::StorageFull)),
            }
        }
    };

    view! {
        <Header />
        <StatusLine />
        <main class="page">
            <h1 class="section-title">{t_string!(i18n, home_today)}</h1>
            <p class="empty" class:hidden=move || !session.ready.get() || !visits().is_empty()>
                {t_string!(i18n, home_empty)}
            </p>
                <ul class="visit-list" data-testid="visit-list">
                    {move || {
                        let catalogue = catalogue();
                        let locale = i18n.get_locale();
                        visits()
                            .into_iter()
                            .map(|visit| {
                                let chip = visit.chip();
                                let reason = visit
                                    .review
                                    .as_ref()
                                    .filter(|_| chip == Chip::Returned)
                                    .and_then(|r| r.reason.clone())
                                    .or_else(|| visit.reason.clone());
                                let names = activity_names(&visit, &catalogue, locale);
                                let household = &visit.record.household;
                                view! {
                                    <li
                                        class="visit-card"
                                        data-visit-id=visit.record.id.to_string()
                                        data-state=chip.as_str()
                                    >
                                        <p class="visit-household">
                                            <strong>{household.head_name.clone()}</strong>
                                            " · "
                                            {household.address.clone()}
                                        </p>
                                        <p class="visit-activities">{names}</p>
                                        <p class="visit-meta">
                                            <span class=format!("chip chip-{}", chip.as_str())>
                                                {match chip {
                                                    Chip::Pending => t_string!(i18n, chip_pending),
                                                    Chip::Sent => t_string!(i18n, chip_sent),
                                                    Chip::Approved => t_string!(i18n, chip_approved),
                                                    Chip::Returned => t_string!(i18n, chip_returned),
                                                    Chip::Withdrawn => t_string!(i18n, chip_withdrawn),
                                                    Chip::Rejected => t_string!(i18n, chip_rejected),
                                                }}
                                            </span>
                                            " "
                                            <time>{format_date_time(visit.record.visited_at)}</time>
                                            " "
                                            <span class="visit-reason" data-testid="visit-reason">{reason}</span>
                                        </p>
                                        {
                                            let id = visit.record.id;
                                            let unsent = matches!(chip, Chip::Pending | Chip::Rejected) && visit.review.is_none() && visit.record.version == 1;
                                            let withdrawable = matches!(chip, Chip::Sent | Chip::Returned);
                                            (unsent || withdrawable).then(|| view! {
                                                <p class="visit-actions">
                                                    {unsent.then(|| view! {
                                                        <button type="button" class="small-button" data-testid="delete-visit" on:click=move |_| delete(id)>
                                                            {t_string!(i18n, visit_delete)}
                                                        </button>
                                                    })}
                                                    {withdrawable.then(|| view! {
                                                        <button type="button" class="small-button" data-testid="withdraw-visit" on:click=move |_| withdraw(id)>
                                                            {t_string!(i18n, visit_withdraw)}
                                                        </button>
                                                    })}
                                                </p>
                                            })
                                        }
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
        </main>
        <footer class="action-bar">
            {move || team_link().map(|href| view! {
                <a href=href.clone() class="secondary-button" data-testid="team-link" on:click=follow(nav, href)>
                    {t_string!(i18n, nav_team)}
                </a>
            })}
            {move || may_log().then(|| view! {
                <a href="/visits/new" class="primary-button" data-testid="log-visit" on:click=follow(nav, "/visits/new")>
                    {t_string!(i18n, home_log_visit)}
                </a>
            })}
        </footer>
    }
}
