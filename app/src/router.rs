//! Page routing for the app's few screens. A page is chosen from the path by a plain `match`
//! and rendered with `EitherOf*`, not type-erased views: `leptos_router` stores every page as
//! an `AnyView`, which doubles the hydration code of every page in the WASM (about 190 KB before
//! compression, enough to break the 250 KB budget). The server renders the page of the request
//! path; in the browser, links push history entries and `popstate` follows Back and Forward.

use leptos::ev::MouseEvent;
use leptos::prelude::*;

/// The app's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// `/`: the member's visit list.
    Home,
    /// `/login`.
    Login,
    /// `/visits/new`: the visit form.
    NewVisit,
    /// Anything else.
    NotFound,
}

impl Page {
    /// Every routable page, with its path. The service worker caches each.
    pub const ROUTES: [(Page, &'static str); 3] = [
        (Page::Home, "/"),
        (Page::Login, "/login"),
        (Page::NewVisit, "/visits/new"),
    ];

    /// The page for a path (trailing slashes and query strings ignored).
    pub fn from_path(path: &str) -> Page {
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let trimmed = path.trim_end_matches('/');
        let path = if trimmed.is_empty() { "/" } else { trimmed };
        Self::ROUTES
            .iter()
            .find(|(_, p)| *p == path)
            .map_or(Page::NotFound, |(page, _)| *page)
    }
}

/// The current page, shared through context.
#[derive(Clone, Copy)]
pub struct Nav {
    page: RwSignal<Page>,
}

impl Nav {
    /// The current page (tracked).
    pub fn page(&self) -> Page {
        self.page.get()
    }

    /// Goes to `path`: a new history entry in the browser, then the page for it.
    pub fn go(&self, path: &str) {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            if let Ok(history) = window.history() {
                let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
            }
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
        self.page.set(Page::from_path(path));
    }
}

/// The path of the page being rendered: the request's on the server, the address bar's in
/// the browser.
fn current_path() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map_or_else(|| "/".to_string(), |parts| parts.uri.path().to_string())
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_else(|| "/".to_string())
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        "/".to_string()
    }
}

/// Creates the navigation context for the current path; follows Back and Forward.
pub fn provide_nav() -> Nav {
    let nav = Nav {
        page: RwSignal::new(Page::from_path(&current_path())),
    };
    provide_context(nav);
    #[cfg(feature = "hydrate")]
    {
        let _ = window_event_listener(leptos::ev::popstate, move |_| {
            nav.page.set(Page::from_path(&current_path()));
        });
    }
    nav
}

/// The navigation context.
pub fn use_nav() -> Nav {
    expect_context::<Nav>()
}

/// A click handler for an in-app link: a plain left click changes the page without a reload;
/// a click with a modifier key keeps its usual meaning (new tab, new window).
pub fn follow(nav: Nav, path: &'static str) -> impl Fn(MouseEvent) + Clone + 'static {
    move |ev: MouseEvent| {
        if ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
            ev.prevent_default();
            nav.go(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_pages() {
        assert_eq!(Page::from_path("/"), Page::Home);
        assert_eq!(Page::from_path(""), Page::Home);
        assert_eq!(Page::from_path("/login"), Page::Login);
        assert_eq!(Page::from_path("/login/?next=1"), Page::Login);
        assert_eq!(Page::from_path("/visits/new"), Page::NewVisit);
        assert_eq!(Page::from_path("/visits"), Page::NotFound);
        assert_eq!(Page::from_path("/nope"), Page::NotFound);
    }
}
