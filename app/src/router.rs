//! Page routing. A page is chosen from the path by matching [`ROUTES`], a table of patterns
//! whose `{id}` segments are the page's parameter, and rendered with `EitherOf*`, not
//! type-erased views: `leptos_router` stores every page as an `AnyView`, which doubles the
//! hydration code of every page in the WASM (about 190 KB before compression, enough to break
//! the 250 KB budget). The server registers the same patterns and renders the page of the
//! request path; in the browser, links push history entries and `popstate` follows Back and
//! Forward.
//!
//! Adding a page: a [`Screen`] variant, a row in [`ROUTES`], an arm in the app's page `match`.

use leptos::ev::MouseEvent;
use leptos::prelude::*;

/// The app's screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    /// `/`: the member's visit list.
    Home,
    /// `/login`.
    Login,
    /// `/visits/new`: the visit form.
    NewVisit,
    /// `/password`: change one's password (loaded on demand).
    Password,
    /// `/visits/{id}`: one visit (loaded on demand, kept offline).
    Visit,
    /// `/visits/{id}/edit`: the visit form on a visit already logged (loaded on demand, kept
    /// offline).
    EditVisit,
    /// `/teams/{id}`: a team, its roster; the leader's home.
    Team,
    /// `/teams/{id}/log`: the team leader's team log (loaded on demand, kept offline).
    TeamLog,
    /// `/units/{id}`: a province, commune or village (staff; loaded on demand).
    Unit,
    /// `/units/{id}/activities`: a province's activity catalogue (staff; loaded on demand).
    Catalogue,
    /// `/admin`: administration (staff; loaded on demand).
    Admin,
    /// `/users`: accounts (staff; loaded on demand).
    Users,
    /// `/audit`: the audit log (staff; loaded on demand).
    Audit,
    /// `/review`: the approval queue (staff; loaded on demand).
    Review,
    /// `/difficulties`: difficulties raised on visits (leaders and staff; loaded on demand).
    Difficulties,
    /// `/units/{id}/households`: a village's households and their likely duplicates (loaded
    /// on demand).
    Households,
    /// `/units/{id}/figures`: a unit's figures for a period (staff; loaded on demand).
    Figures,
    /// Anything else.
    NotFound,
}

/// One routable page: its path pattern, and whether every phone keeps it offline. Member and
/// leader pages are in the first download and precached by the service worker; staff pages
/// and the password page (which needs the network anyway) load their code on demand, are
/// cached once opened, and say plainly when the network is missing the first time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// The screen.
    pub screen: Screen,
    /// The path; a `{id}` segment is the page's parameter.
    pub pattern: &'static str,
    /// Part of the offline shell every phone keeps.
    pub offline: bool,
}

/// Every routable page.
pub const ROUTES: [Route; 17] = [
    route(Screen::Home, "/", true),
    route(Screen::Login, "/login", true),
    route(Screen::NewVisit, "/visits/new", true),
    route(Screen::Visit, "/visits/{id}", true),
    route(Screen::EditVisit, "/visits/{id}/edit", true),
    route(Screen::Password, "/password", false),
    route(Screen::Team, "/teams/{id}", true),
    route(Screen::TeamLog, "/teams/{id}/log", true),
    route(Screen::Unit, "/units/{id}", false),
    route(Screen::Catalogue, "/units/{id}/activities", false),
    route(Screen::Admin, "/admin", false),
    route(Screen::Users, "/users", false),
    route(Screen::Audit, "/audit", false),
    route(Screen::Review, "/review", false),
    route(Screen::Difficulties, "/difficulties", false),
    route(Screen::Households, "/units/{id}/households", false),
    route(Screen::Figures, "/units/{id}/figures", false),
];

const fn route(screen: Screen, pattern: &'static str, offline: bool) -> Route {
    Route {
        screen,
        pattern,
        offline,
    }
}

impl Route {
    /// A path of this route that does not depend on the parameter (`{id}` becomes `_`): the
    /// service worker caches the page's HTML under it, so a parameterised page opens offline
    /// even if it was never opened online. The server renders every id alike.
    pub fn cache_path(&self) -> String {
        self.pattern.replace("{id}", "_")
    }
}

/// The page for a path: its screen and parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Which screen.
    pub screen: Screen,
    /// The `{id}` segment, as written in the path.
    pub param: Option<String>,
}

impl Page {
    /// The page for a path (trailing slashes, query strings and fragments ignored).
    pub fn from_path(path: &str) -> Page {
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for route in ROUTES {
            let pattern: Vec<&str> = route.pattern.split('/').filter(|s| !s.is_empty()).collect();
            if pattern.len() != segments.len() {
                continue;
            }
            let mut param = None;
            let matched = pattern.iter().zip(&segments).all(|(p, s)| {
                if *p == "{id}" {
                    param = Some((*s).to_string());
                    true
                } else {
                    p == s
                }
            });
            if matched {
                return Page {
                    screen: route.screen,
                    param,
                };
            }
        }
        Page {
            screen: Screen::NotFound,
            param: None,
        }
    }

    /// The parameter parsed as `T` (a team's UUID, a unit's number); `None` when missing or
    /// malformed.
    pub fn param_as<T: std::str::FromStr>(&self) -> Option<T> {
        self.param.as_deref().and_then(|p| p.parse().ok())
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

    /// The current screen (tracked).
    pub fn screen(&self) -> Screen {
        self.page.with(|p| p.screen)
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
pub fn current_path() -> String {
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

/// The query string of the current address (browser only; empty on the server, so pages
/// read it after hydration).
pub fn current_query() -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
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
pub fn follow(nav: Nav, path: impl Into<String>) -> impl Fn(MouseEvent) + Clone + 'static {
    let path: String = path.into();
    move |ev: MouseEvent| {
        if ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
            ev.prevent_default();
            nav.go(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(path: &str) -> Screen {
        Page::from_path(path).screen
    }

    #[test]
    fn paths_map_to_pages() {
        assert_eq!(screen("/"), Screen::Home);
        assert_eq!(screen(""), Screen::Home);
        assert_eq!(screen("/login"), Screen::Login);
        assert_eq!(screen("/login/?next=1"), Screen::Login);
        assert_eq!(screen("/visits/new"), Screen::NewVisit);
        assert_eq!(
            screen("/visits/0193aa00-0000-7000-8000-000000000001"),
            Screen::Visit
        );
        assert_eq!(screen("/teams/t/log"), Screen::TeamLog);
        assert_eq!(screen("/visits/v/edit"), Screen::EditVisit);
        assert_eq!(screen("/visits"), Screen::NotFound);
        assert_eq!(screen("/nope"), Screen::NotFound);
    }

    #[test]
    fn a_parameter_is_carried_with_its_page() {
        let page = Page::from_path("/teams/0193aa00-0000-7000-8000-000000000001");
        assert_eq!(page.screen, Screen::Team);
        assert!(page.param_as::<uuid::Uuid>().is_some());
        let unit = Page::from_path("/units/42/activities");
        assert_eq!(
            (unit.screen, unit.param_as::<i64>()),
            (Screen::Catalogue, Some(42))
        );
        assert_eq!(Page::from_path("/units/42").param_as::<i64>(), Some(42));
        assert_eq!(Page::from_path("/units/abc").param_as::<i64>(), None);
        let figures = Page::from_path("/units/9/figures");
        assert_eq!(
            (figures.screen, figures.param_as::<i64>()),
            (Screen::Figures, Some(9))
        );
        let households = Page::from_path("/units/7/households");
        assert_eq!(
            (households.screen, households.param_as::<i64>()),
            (Screen::Households, Some(7))
        );
        assert_eq!(screen("/review?village=3"), Screen::Review);
        assert_eq!(screen("/difficulties"), Screen::Difficulties);
    }

    #[test]
    fn every_route_has_a_cache_path_of_its_own_that_routes_back_to_it() {
        for route in ROUTES {
            let path = route.cache_path();
            assert!(!path.contains('{'), "{path}");
            assert_eq!(Page::from_path(&path).screen, route.screen, "{path}");
        }
    }
}
