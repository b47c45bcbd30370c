//! One module per screen. The member's first screens are in the first download; a visit's
//! page and the team log (`field`, precached for offline use), staff screens (`staff`) and
//! what needs the network anyway (`manage`: the password page, the roster tools) are loaded
//! on demand through `lazy`.

mod draft;
mod field;
pub mod home;
pub mod household_picker;
pub mod lazy;
pub mod login;
mod manage;
pub mod not_found;
mod staff;
pub mod team;
pub mod visit_form;

use leptos::prelude::*;

use crate::router::Screen;
use crate::Session;

/// Pages for signed-in users: once the device store has been read and nobody is signed in, go
/// to the sign-in page; a password set by someone else must be changed before anything else.
pub(crate) fn require_sign_in() {
    let session = expect_context::<Session>();
    let nav = crate::router::use_nav();
    Effect::new(move |_| {
        if !session.ready.get() {
            return;
        }
        match session.profile.get() {
            None => nav.go("/login"),
            Some(p) if p.must_change_password && nav.screen() != Screen::Password => {
                nav.go("/password")
            }
            Some(_) => {}
        }
    });
}
