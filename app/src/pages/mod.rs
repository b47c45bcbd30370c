//! One module per screen.

pub mod home;
pub mod login;
pub mod not_found;
pub mod visit_form;

use leptos::prelude::*;

use crate::Session;

/// Member screens need a signed-in user: once the device store has been read and nobody is
/// signed in, go to the sign-in page.
pub(crate) fn require_sign_in() {
    let session = expect_context::<Session>();
    let nav = crate::router::use_nav();
    Effect::new(move |_| {
        if session.ready.get() && session.profile.with(Option::is_none) {
            nav.go("/login");
        }
    });
}
