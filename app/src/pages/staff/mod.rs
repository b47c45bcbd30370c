//! Staff pages: units, administration, accounts, the audit log, a province's catalogue, the
//! approval queue, difficulties, a village's households, a unit's figures. Their
//! code is reached only through [`page_view`], a split point: with `cargo leptos build
//! --split` it lands in its own WASM module, fetched the first time a staff page opens, so a
//! member's phone never downloads or precaches it.

mod admin;
mod audit;
mod catalogue;
mod changes;
mod counted;
mod difficulties;
mod figures;
mod households;
mod review;
mod targets;
mod unit;
mod users;

use leptos::prelude::*;

use crate::api::client::{self, ClientError};
use crate::components::common::{failure_text, I18n, Load};
use crate::i18n::t_string;
use crate::router::{Page, Screen};

/// The view of a staff page. A load failure (no network the first time) is an `Err` the
/// frame shows in plain words, never a panic.
#[leptos::wasm_split::wasm_split(staff, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn page_view(page: Page) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    let id: Option<i64> = page.param_as();
    Ok(match page.screen {
        Screen::Unit => view! { <unit::UnitPage id /> }.into_any(),
        Screen::Catalogue => view! { <catalogue::CataloguePage province=id /> }.into_any(),
        Screen::Admin => view! { <admin::AdminPage /> }.into_any(),
        Screen::Users => view! { <users::UsersPage /> }.into_any(),
        Screen::Audit => view! { <audit::AuditPage /> }.into_any(),
        Screen::Review => view! { <review::ReviewPage /> }.into_any(),
        Screen::Difficulties => view! { <difficulties::DifficultiesPage /> }.into_any(),
        Screen::Households => view! { <households::HouseholdsPage village=id /> }.into_any(),
        Screen::Figures => view! { <figures::FiguresPage unit=id /> }.into_any(),
        _ => ().into_any(),
    })
}

/// Reads `url` into `data` once the page is drawn (and again when `again` changes), setting
/// `load` as it goes.
fn fetch_into<T>(
    url: impl Fn() -> Option<String> + 'static,
    data: RwSignal<Option<T>>,
    load: RwSignal<Load>,
    again: RwSignal<u32>,
) where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    Effect::new(move |_| {
        again.track();
        let Some(url) = url() else {
            load.set(Load::Missing);
            return;
        };
        leptos::task::spawn_local(async move {
            match client::get::<T>(&url).await {
                Ok(found) => {
                    data.set(Some(found));
                    load.set(Load::Ready);
                }
                Err(ClientError::Offline) => load.set(Load::Offline),
                Err(_) => load.set(Load::Missing),
            }
        });
    });
}

/// The name of activity `code` in the page's language, from `catalogue` (the code itself
/// until the catalogue has arrived, or for a code it does not hold).
fn activity_label(
    i18n: I18n,
    catalogue: RwSignal<Option<crate::api::Catalogue>>,
    code: &str,
) -> String {
    catalogue.with(|c| {
        c.as_ref()
            .and_then(|c| c.activities.iter().find(|a| a.code == code))
            .map(|a| match i18n.get_locale_untracked() {
                crate::i18n::Locale::vi => a.name_vi.clone(),
                crate::i18n::Locale::en => a.name_en.clone(),
            })
            .unwrap_or_else(|| code.to_string())
    })
}

/// Text matches a search as people type it: case, tones and marks ignored.
fn matches(text: &str, search: &str) -> bool {
    let search = crate::domain::text::fold(search);
    search.is_empty() || crate::domain::text::fold(text).contains(&search)
}

/// The value of `name` in the current address's query string (browser only).
fn query_value(name: &str) -> Option<String> {
    crate::router::current_query()
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Replaces the current address's query string (no new history entry): filters stay in the
/// address, so a reload or a shared link shows the same list.
fn replace_query(pairs: &[(&str, String)]) {
    let query = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let path = crate::router::current_path();
        let url = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = query;
}

/// Whether the signed-in user may do `action` (untracked: pages are drawn per sign-in).
fn may(action: crate::domain::policy::Action) -> bool {
    expect_context::<crate::Session>()
        .profile
        .with_untracked(|p| {
            p.as_ref()
                .is_some_and(|p| crate::domain::policy::may(&p.actor(), action))
        })
}

/// Why a call of the review pages failed, in plain words: their own refusals, else the
/// app's usual words.
fn failure(i18n: I18n, error: &ClientError) -> String {
    match error.code() {
        Some("reason_required") => t_string!(i18n, review_reason_required),
        Some("not_submitted") => t_string!(i18n, review_not_submitted),
        Some("set_changed") => t_string!(i18n, review_set_changed),
        Some("comment_required") => t_string!(i18n, difficulty_comment_required),
        Some("already_handled") => t_string!(i18n, difficulty_already_handled),
        Some("already_merged") => t_string!(i18n, hh_already_merged),
        Some("already_erased") => t_string!(i18n, hh_already_erased),
        Some("household_erased") => t_string!(i18n, hh_erased_no_merge),
        Some("same_household" | "household_unknown" | "household_elsewhere") => {
            t_string!(i18n, hh_merge_refused)
        }
        _ => failure_text(i18n, error),
    }
    .to_string()
}
