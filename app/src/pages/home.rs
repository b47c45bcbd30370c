//! The member's main screen: status line, the visits logged on this device (who, what, the
//! outcome and the agreed follow-up date, how many people were helped, the household's phone),
//! and the big "log a visit" button at the bottom.

use leptos::either::Either;
use leptos::ev::MouseEvent;
use leptos::prelude::*;

use super::visit_form::{just_saved, outcome_label};
use crate::api::Catalogue;
use crate::components::header::Header;
use crate::components::status_line::StatusLine;
use crate::domain::policy::{self, Action};
use crate::domain::time::{format_date_time, Date};
use crate::domain::Outcome;
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

/// `/`. The server renders the same neutral "opening" line for everyone (the service worker
/// keeps that HTML for offline use); once the device store has been read, the member's list
/// appears, or the sign-in page opens: nobody sees a home that is not theirs, even for a moment.
#[component]
pub fn HomePage() -> impl IntoView {
    super::require_sign_in();
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let nav = use_nav();
    // This page is the member's home; staff have their own.
    Effect::new(move |_| {
        if let Some(profile) = session.profile.get() {
            if !profile.role.is_team() {
                nav.go(&profile.home());
            }
        }
    });
    let team_person = Memo::new(move |_| {
        session.ready.get()
            && session
                .profile
                .with(|p| p.as_ref().is_some_and(|p| p.role.is_team()))
    });
    move || {
        if team_person.get() {
            Either::Left(view! { <MemberHome /> })
        } else {
            Either::Right(view! {
                <main class="page opening" data-testid="opening">
                    <p class="hint">{t_string!(i18n, loading)}</p>
                </main>
            })
        }
    }
}

/// The people helped on a visit, all activities together.
/// "Cần quay lại": visits that ended with a follow-up date, the earliest due first, unless the
/// household was visited again since.
fn follow_ups(visits: &[LocalVisit]) -> Vec<(Date, LocalVisit)> {
    let mut due: Vec<(Date, LocalVisit)> = visits
        .iter()
        .filter(|v| v.record.outcome == Outcome::FollowUp && !v.record.withdrawn)
        .filter(|v| {
            !visits.iter().any(|later| {
                later.record.id != v.record.id
                    && later.record.household.id == v.record.household.id
                    && later.record.visited_at >= v.record.visited_at
            })
        })
        .filter_map(|v| {
            let date = v.record.follow_up_on.as_deref().and_then(Date::parse_iso)?;
            Some((date, v.clone()))
        })
        .collect();
    due.sort_by_key(|(date, _)| *date);
    due
}

fn people_helped(visit: &LocalVisit) -> u32 {
    visit.record.activities.iter().map(|a| a.people).sum()
}

/// A `yyyy-mm-dd` date as `dd/mm/yyyy` (as written, if it does not parse).
fn vietnamese_date(iso: &str) -> String {
    Date::parse_iso(iso).map_or_else(|| iso.to_string(), Date::to_vietnamese)
}

/// The member's visits, newest first, with what each one did and where it stands.
#[component]
fn MemberHome() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let nav = use_nav();
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

    // The button sits where the form's "Lưu" was: the second tap of a double tap on "Lưu" must
    // not open a new, blank form.
    let log_visit = {
        let go = follow(nav, "/visits/new");
        move |ev: MouseEvent| {
            if ev.detail() > 1 || just_saved() {
                ev.prevent_default();
                return;
            }
            go(ev);
        }
    };

    view! {
        <Header />
        <StatusLine />
        <main class="page">
            {move || {
                let due = follow_ups(&visits());
                (!due.is_empty()).then(|| {
                    let today = crate::domain::time::vietnam_date(crate::domain::time::now_ms());
                    view! {
                        <section class="follow-ups" data-testid="follow-ups">
                            <h2 class="section-title">{t_string!(i18n, followups_title)}</h2>
                            <ul class="plain-list">
                                {due.into_iter().map(|(date, visit)| {
                                    let overdue = date < today;
                                    let repeat = format!("/visits/new?household={}", visit.record.household.id);
                                    view! {
                                        <li class="follow-up" data-testid="follow-up" class:overdue=overdue>
                                            <strong>{visit.record.household.head_name.clone()}</strong>
                                            " · "
                                            {if overdue { t_string!(i18n, followups_overdue) } else { t_string!(i18n, followups_due) }}
                                            " " {date.to_vietnamese()} " "
                                            <a href=repeat.clone() class="small-button" data-testid="follow-up-repeat"
                                                on:click=follow(nav, repeat.clone())>{t_string!(i18n, followups_repeat)}</a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                })
            }}
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
                                let phone = household.phone.clone().filter(|p| !p.is_empty());
                                let follow_up = visit
                                    .record
                                    .follow_up_on
                                    .as_deref()
                                    .filter(|_| visit.record.outcome == Outcome::FollowUp)
                                    .map(vietnamese_date);
                                let people = people_helped(&visit);
                                // An erased household shows as such, without the "—" marks.
                                let (head, address) = if crate::domain::household::is_erased(&household.head_name) {
                                    (t_string!(i18n, hh_erased_name).to_string(), None)
                                } else {
                                    (household.head_name.clone(), Some(household.address.clone()))
                                };
                                view! {
                                    <li
                                        class="visit-card"
                                        data-visit-id=visit.record.id.to_string()
                                        data-state=chip.as_str()
                                    >
                                        <p class="visit-household">
                                            <a href=format!("/visits/{}", visit.record.id) data-testid="visit-open"
                                                on:click=follow(nav, format!("/visits/{}", visit.record.id))>
                                                <strong>{head}</strong>
                                            </a>
                                            {address.map(|address| view! { " · " {address} })}
                                        </p>
                                        {phone.map(|phone| (format!("tel:{phone}"), phone)).map(|(tel, phone)| view! {
                                            <p class="visit-phone">
                                                <a href=tel data-testid="visit-phone" aria-label=t_string!(i18n, card_phone)>
                                                    <span aria-hidden="true">"☎ "</span>{phone}
                                                </a>
                                            </p>
                                        })}
                                        <p class="visit-activities">{names}</p>
                                        <p class="visit-outcome" data-testid="visit-outcome">
                                            <strong>{outcome_label(i18n, visit.record.outcome)}</strong>
                                            {follow_up.map(|date| view! {
                                                " · " <span data-testid="visit-follow-up">{t_string!(i18n, card_follow_up, date = date).to_string()}</span>
                                            })}
                                            " · "
                                            <span data-testid="visit-people">{t_string!(i18n, card_people, count = people).to_string()}</span>
                                        </p>
                                        <p class="visit-meta">
                                            <span class=format!("chip chip-{}", chip.as_str())>
                                                {crate::components::common::chip_text(i18n, chip)}
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
                <a href="/visits/new" class="primary-button" data-testid="log-visit" on:click=log_visit.clone()>
                    {t_string!(i18n, home_log_visit)}
                </a>
            })}
        </footer>
    }
}
