//! What needs the network anyway, loaded on demand (the `manage` split module, see
//! `pages::lazy`): the password page, and the tools that keep a team's roster.

mod password;
mod roster;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use uuid::Uuid;

use crate::api::RosterEntry;
use crate::router::Page;

/// The password page.
#[leptos::wasm_split::wasm_split(manage, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn page_view(page: Page) -> Result<AnyView, SplitLoaderError> {
    let _ = page;
    Ok(view! { <password::PasswordPage /> }.into_any())
}

/// The roster of a team with the tools to keep it. After each change `reload` is bumped (the
/// page reads the team again and draws a new panel); a one-time password to show goes to
/// `issued`, which the page keeps across that.
#[leptos::wasm_split::wasm_split(manage, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn roster_panel(
    team: Uuid,
    roster: Vec<RosterEntry>,
    reload: RwSignal<u32>,
    issued: RwSignal<Option<(String, String)>>,
) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <roster::RosterPanel team roster reload issued /> }.into_any())
}
