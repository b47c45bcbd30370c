//! Staff pages: units, administration, accounts, the audit log, a province's catalogue. Their
//! code is reached only through [`page_view`], a split point: with `cargo leptos build
//! --split` it lands in its own WASM module, fetched the first time a staff page opens, so a
//! member's phone never downloads or precaches it.

mod admin;
mod audit;
mod catalogue;
mod unit;
mod users;

use leptos::prelude::*;

use crate::api::client::{self, ClientError};
use crate::components::common::Load;
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

/// Text matches a search as people type it: case, tones and marks ignored.
fn matches(text: &str, search: &str) -> bool {
    let search = crate::domain::text::fold(search);
    search.is_empty() || crate::domain::text::fold(text).contains(&search)
}
