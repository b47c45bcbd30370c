//! Field pages that work offline but are not needed on the first screen: the visit form
//! (`pages::visit_form`), a visit's page and the team leader's team log. Their code is the
//! `field` split module: not in the member's first download, but precached by the service
//! worker with the shell (server/src/sw.rs), so they open without a network like the
//! first-download pages.

mod team_log;
mod visit;

use leptos::prelude::*;

use crate::api::{Activity, DifficultyCategory, VisitStatus};
use crate::domain::Outcome;
use crate::i18n::{t_string, Locale};
use crate::offline::store::{self, Chip, LocalVisit};
use crate::router::{Page, Screen};

/// The view of a field page.
#[leptos::wasm_split::wasm_split(field, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn page_view(page: Page) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    let id = page.param.clone();
    Ok(match page.screen {
        Screen::NewVisit => view! { <super::visit_form::VisitFormPage /> }.into_any(),
        Screen::Visit => view! { <visit::VisitPage id /> }.into_any(),
        Screen::EditVisit => {
            let edit = id.and_then(|id| id.parse::<uuid::Uuid>().ok());
            view! { <super::visit_form::VisitFormPage edit /> }.into_any()
        }
        Screen::TeamLog => view! { <team_log::TeamLogPage id /> }.into_any(),
        _ => ().into_any(),
    })
}

type I18n = leptos_i18n::I18nContext<Locale>;

fn english(i18n: I18n) -> bool {
    i18n.get_locale_untracked() == Locale::en
}

fn outcome_text(i18n: I18n, outcome: Outcome) -> String {
    match outcome {
        Outcome::Done => t_string!(i18n, outcome_done),
        Outcome::Partly => t_string!(i18n, outcome_partly),
        Outcome::Declined => t_string!(i18n, outcome_declined),
        Outcome::FollowUp => t_string!(i18n, outcome_follow_up),
    }
    .to_string()
}

/// The name of an activity in the page's language (its code when the device does not know it).
fn activity_name(i18n: I18n, activities: &[Activity], code: &str) -> String {
    activities.iter().find(|a| a.code == code).map_or_else(
        || code.to_string(),
        |a| match english(i18n) {
            true => a.name_en.clone(),
            false => a.name_vi.clone(),
        },
    )
}

/// The name of a kind of difficulty in the page's language.
fn difficulty_name(i18n: I18n, kinds: &[DifficultyCategory], code: &str) -> String {
    kinds.iter().find(|c| c.code == code).map_or_else(
        || code.to_string(),
        |c| match english(i18n) {
            true => c.name_en.clone(),
            false => c.name_vi.clone(),
        },
    )
}

/// The status chip of a visit the server reported (a team visit), as the member's list says it.
fn server_chip(status: &VisitStatus) -> Chip {
    match status.status.as_str() {
        "approved" => Chip::Approved,
        "returned" => Chip::Returned,
        "withdrawn" => Chip::Withdrawn,
        _ => Chip::Sent,
    }
}

fn chip_text(i18n: I18n, chip: Chip) -> String {
    crate::components::common::chip_text(i18n, chip).to_string()
}

/// A visit as a field page shows it: the member's own (from the outbox) or a team visit (from
/// the feed).
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    Own(Box<LocalVisit>),
    Team(Box<VisitStatus>),
}

impl Shown {
    fn find(user: uuid::Uuid, id: uuid::Uuid) -> Option<Shown> {
        if let Some(local) = store::visit(user, id) {
            return Some(Shown::Own(Box::new(local)));
        }
        store::team_visits(user)
            .into_iter()
            .find(|v| v.id == id)
            .map(|v| Shown::Team(Box::new(v)))
    }

    fn record(&self) -> Option<&crate::domain::VisitRecord> {
        match self {
            Shown::Own(local) => Some(&local.record),
            Shown::Team(status) => status.record.as_ref(),
        }
    }

    fn status(&self) -> Option<&VisitStatus> {
        match self {
            Shown::Own(local) => local.review.as_ref(),
            Shown::Team(status) => Some(status),
        }
    }

    fn chip(&self) -> Chip {
        match self {
            Shown::Own(local) => local.chip(),
            Shown::Team(status) => server_chip(status),
        }
    }
}
