//! Code loaded on demand. The first download holds what members and leaders need, offline;
//! the rest is split off into WASM modules (`#[wasm_split]` points, built with
//! `cargo leptos build --split`) fetched the first time they are needed:
//! - `staff` (`pages::staff`): unit, administration, accounts, audit log, catalogue, approval
//!   queue, difficulties and households pages;
//! - `manage` (`pages::manage`): changing one's password and keeping a team's roster, which
//!   need the network anyway;
//! - `field` (`pages::field`): the visit form, a visit's page and the team log. Not in the
//!   first download, but the service worker precaches it with the shell, so these pages
//!   open offline.
//!
//! The server renders only a frame for these pages, the same for every parameter, so the
//! HTML hydrates anywhere; after hydration the module is loaded and the view drawn. Without a
//! network the first time, the frame says so plainly: a failed load is an `Err`, never a
//! panic that would stop the app.

use std::future::Future;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use crate::components::common::{Load, LoadLine};
use crate::components::header::Header;
use crate::router::{Page, Screen};

/// A view from a split module, drawn once its module is loaded; until then a line that says
/// it is loading, or that the network is needed.
pub fn lazy_view<Fut>(load: impl FnOnce() -> Fut + 'static) -> impl IntoView
where
    Fut: Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    let slot = StoredValue::new_local(None::<AnyView>);
    let loader = StoredValue::new_local(Some(load));
    let state = RwSignal::new(Load::Loading);
    Effect::new(move |_| {
        let Some(load) = loader.try_update_value(Option::take).flatten() else {
            return;
        };
        leptos::task::spawn_local_scoped(async move {
            match load().await {
                Ok(view) => {
                    slot.set_value(Some(view));
                    state.set(Load::Ready);
                }
                Err(_) => state.set(Load::Offline),
            }
        });
    });
    view! {
        <div class="page lazy-load"><LoadLine load=state /></div>
        {move || (state.get() == Load::Ready).then(|| slot.try_update_value(Option::take).flatten())}
    }
}

/// A page whose code is loaded on demand: a staff page, a field page, or the password page.
#[component]
pub fn LazyPage(page: Page) -> impl IntoView {
    super::require_sign_in();
    use leptos::either::EitherOf3;
    let view = match page.screen {
        Screen::Password => EitherOf3::A(lazy_view(move || super::manage::page_view(page))),
        Screen::NewVisit | Screen::Visit | Screen::EditVisit | Screen::TeamLog => {
            EitherOf3::B(lazy_view(move || super::field::page_view(page)))
        }
        _ => EitherOf3::C(lazy_view(move || super::staff::page_view(page))),
    };
    view! {
        <Header />
        <div class="lazy-frame">{view}</div>
    }
}
