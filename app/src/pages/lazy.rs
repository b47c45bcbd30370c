//! The frame of a staff page. Staff pages are not in the first download: their code is a
//! WASM module split off the main one (`#[wasm_split]` in `pages::staff`, built with
//! `cargo leptos build --split`), fetched when such a page is first opened. The server renders
//! this frame for every staff route (never the page itself), so the HTML is the same for every
//! parameter and hydrates anywhere; after hydration the module is loaded and the page drawn.
//! Without a network the first time, it says so plainly.

use leptos::prelude::*;

use crate::components::common::{Load, LoadLine};
use crate::components::header::Header;
use crate::router::Page;

/// A staff page, loaded on demand.
#[component]
pub fn StaffPage(page: Page) -> impl IntoView {
    super::require_sign_in();
    let slot = StoredValue::new_local(None::<AnyView>);
    let load = RwSignal::new(Load::Loading);
    Effect::new(move |_| {
        let page = page.clone();
        leptos::task::spawn_local_scoped(async move {
            match super::staff::page_view(page).await {
                Ok(view) => {
                    slot.set_value(Some(view));
                    load.set(Load::Ready);
                }
                Err(_) => load.set(Load::Offline),
            }
        });
    });
    view! {
        <Header />
        <div class="staff-frame">
            <main class="page">
                <LoadLine load />
            </main>
            {move || (load.get() == Load::Ready).then(|| slot.try_update_value(Option::take).flatten())}
        </div>
    }
}
