//! Small pieces the team page and the staff pages share: the words for roles, affiliations,
//! composition gaps and refusals, the one-time password box, the loading line.

use leptos::prelude::*;

use crate::api::client::ClientError;
use crate::domain::policy::Role;
use crate::domain::team::{Affiliation, Gap};
use crate::i18n::{t_string, use_i18n, Locale};
use leptos_i18n::I18nContext;

/// The i18n context type.
pub type I18n = I18nContext<Locale>;

/// A role, in words.
pub fn role_text(i18n: I18n, role: Role) -> &'static str {
    match role {
        Role::Member => t_string!(i18n, role_member),
        Role::Leader => t_string!(i18n, role_leader),
        Role::CommuneStaff => t_string!(i18n, role_commune_staff),
        Role::ProvinceStaff => t_string!(i18n, role_province_staff),
        Role::Admin => t_string!(i18n, role_admin),
    }
}

/// An affiliation, in words.
pub fn affiliation_text(i18n: I18n, affiliation: Affiliation) -> &'static str {
    match affiliation {
        Affiliation::YouthUnion => t_string!(i18n, affiliation_youth_union),
        Affiliation::WomensUnion => t_string!(i18n, affiliation_womens_union),
        Affiliation::VillageCadre => t_string!(i18n, affiliation_village_cadre),
        Affiliation::Police => t_string!(i18n, affiliation_police),
        Affiliation::Other => t_string!(i18n, affiliation_other),
    }
}

/// What a team lacks under the composition rule, in words.
pub fn gap_text(i18n: I18n, gap: Gap) -> &'static str {
    match gap {
        Gap::TooFewPeople => t_string!(i18n, gap_too_few_people),
        Gap::NoLeader => t_string!(i18n, gap_no_leader),
        Gap::LeaderNotYouthUnion => t_string!(i18n, gap_leader_not_youth_union),
        Gap::TooFewYouthUnion => t_string!(i18n, gap_too_few_youth_union),
        Gap::NoWomensUnion => t_string!(i18n, gap_no_womens_union),
        Gap::NoVillageCadre => t_string!(i18n, gap_no_village_cadre),
    }
}

/// The status chip of a visit, in words.
pub fn chip_text(i18n: I18n, chip: crate::offline::store::Chip) -> &'static str {
    use crate::offline::store::Chip;
    match chip {
        Chip::Pending => t_string!(i18n, chip_pending),
        Chip::Sent => t_string!(i18n, chip_sent),
        Chip::Approved => t_string!(i18n, chip_approved),
        Chip::Returned => t_string!(i18n, chip_returned),
        Chip::Withdrawn => t_string!(i18n, chip_withdrawn),
        Chip::Rejected => t_string!(i18n, chip_rejected),
    }
}

/// Why a call failed, in plain words: what happened and what to do. A refusal is never
/// shown as a server fault.
pub fn failure_text(i18n: I18n, error: &ClientError) -> &'static str {
    match error {
        ClientError::Offline => t_string!(i18n, fail_offline),
        ClientError::Unauthorized => t_string!(i18n, status_error_session),
        ClientError::Server(_) => t_string!(i18n, fail_server),
        ClientError::Refused(status, _) => match (error.code(), status) {
            (Some("phone_taken"), _) => t_string!(i18n, fail_phone_taken),
            (Some("phone_invalid"), _) => t_string!(i18n, err_phone_invalid),
            (Some("name_required"), _) => t_string!(i18n, fail_name_required),
            (Some("name_too_long"), _) => t_string!(i18n, fail_name_too_long),
            (Some("name_taken"), _) => t_string!(i18n, fail_name_taken),
            (Some("team_exists"), _) => t_string!(i18n, fail_team_exists),
            (Some("already_on_team"), _) => t_string!(i18n, fail_already_on_team),
            (Some("on_another_team"), _) => t_string!(i18n, fail_on_another_team),
            (Some("role_not_below"), _) => t_string!(i18n, fail_role_not_below),
            (Some("unit_level"), _) => t_string!(i18n, fail_unit_level),
            (Some("village_not_in_commune"), _) => t_string!(i18n, fail_village_not_in_commune),
            (Some("date_invalid"), _) => t_string!(i18n, fail_date_invalid),
            (Some("household_count_invalid"), _) => t_string!(i18n, fail_household_count),
            (Some("wrong_password"), _) => t_string!(i18n, fail_wrong_password),
            (Some("password_too_short"), _) => t_string!(i18n, fail_password_too_short),
            (Some("password_too_long"), _) => t_string!(i18n, fail_password_too_long),
            (Some("password_is_phone"), _) => t_string!(i18n, fail_password_is_phone),
            (Some("password_unchanged"), _) => t_string!(i18n, fail_password_unchanged),
            (Some("own_account"), _) => t_string!(i18n, fail_own_account),
            (Some("columns"), _) => t_string!(i18n, fail_columns),
            (Some("password_change_required"), _) => t_string!(i18n, fail_password_change),
            (_, 403) => t_string!(i18n, fail_forbidden),
            (_, 404) => t_string!(i18n, fail_not_found),
            (_, 429) => t_string!(i18n, fail_rate_limited),
            _ => t_string!(i18n, fail_refused),
        },
    }
}

/// A code of a refused roster line, in words.
pub fn line_code_text(i18n: I18n, code: &str) -> &'static str {
    match code {
        "name_required" => t_string!(i18n, fail_name_required),
        "name_too_long" => t_string!(i18n, fail_name_too_long),
        "phone_invalid" => t_string!(i18n, err_phone_invalid),
        "phone_taken" => t_string!(i18n, fail_phone_taken),
        "village_unknown" => t_string!(i18n, line_village_unknown),
        "no_team" => t_string!(i18n, line_no_team),
        "affiliation_unknown" => t_string!(i18n, line_affiliation_unknown),
        "already_on_team" => t_string!(i18n, fail_already_on_team),
        "on_another_team" => t_string!(i18n, fail_on_another_team),
        _ => t_string!(i18n, line_unreadable),
    }
}

/// The one-time password of a new or reset account, shown once.
#[component]
pub fn IssuedPassword(name: String, password: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="issued" role="status" data-testid="one-time-password">
            <p>{t_string!(i18n, otp_for)} " " <strong>{name}</strong></p>
            <p class="otp"><code data-testid="otp-value">{password}</code></p>
            <p class="hint">{t_string!(i18n, otp_hint)}</p>
        </div>
    }
}

/// Whether a page's data is there yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// Asking the server.
    Loading,
    /// Shown.
    Ready,
    /// The server could not be reached and nothing is kept on this device.
    Offline,
    /// No such record for this user.
    Missing,
}

/// The line shown while a page's data is not there: loading, offline, not found.
#[component]
pub fn LoadLine(load: RwSignal<Load>) -> impl IntoView {
    let i18n = use_i18n();
    move || match load.get() {
        Load::Loading => {
            Some(view! { <p class="hint" data-testid="loading">{t_string!(i18n, loading)}</p> })
        }
        Load::Offline => Some(
            view! { <p class="notice" data-testid="needs-network">{t_string!(i18n, needs_network)}</p> },
        ),
        Load::Missing => Some(
            view! { <p class="notice" data-testid="missing">{t_string!(i18n, fail_not_found)}</p> },
        ),
        Load::Ready => None,
    }
}

/// Asks the browser's own dialog before something that cannot be undone.
pub fn confirm(message: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().is_some_and(|w| w.confirm_with_message(message).unwrap_or(false))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = message;
        false
    }
}
