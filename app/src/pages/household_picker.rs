//! The household part of the visit form: pick a household of the village from the list the
//! device holds (the pull feed brings it), searching as you type — case, tones and marks
//! ignored, composed or decomposed alike ("nguyen van a" finds "Nguyễn Văn A") — sorted the
//! Vietnamese way; or add a new one, with a warning when it looks like one already listed
//! (same folded head name and house number). A phone number is recorded only with the
//! household's consent. (Whether it is a household business is asked with the form's other
//! details.)

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::Household;
use crate::domain::household::duplicate_key;
use crate::domain::text::{fold, name_order};
use crate::domain::VisitError;
use crate::i18n::{t_string, use_i18n};

/// Most matches listed under the search box.
const MATCHES: usize = 8;

/// The households of `village` (all the team's when `None`) whose head name or address
/// contains the folded search, sorted by head name the Vietnamese way.
pub fn search(households: &[Household], village: Option<i64>, text: &str) -> Vec<Household> {
    let wanted = fold(text);
    let mut found: Vec<Household> = households
        .iter()
        .filter(|h| h.merged_into.is_none() && village.is_none_or(|v| h.village_id == v))
        .filter(|h| {
            wanted.is_empty() || fold(&format!("{} {}", h.head_name, h.address)).contains(&wanted)
        })
        .cloned()
        .collect();
    found.sort_by(|a, b| name_order(&a.head_name, &b.head_name));
    found
}

/// A listed household of `village` that a new one (`head_name`, `address`) looks like.
pub fn look_alike(
    households: &[Household],
    village: Option<i64>,
    head_name: &str,
    address: &str,
) -> Option<Household> {
    if head_name.trim().is_empty() || address.trim().is_empty() {
        return None;
    }
    let key = duplicate_key(head_name, address);
    households
        .iter()
        .filter(|h| h.merged_into.is_none() && village.is_none_or(|v| h.village_id == v))
        .find(|h| duplicate_key(&h.head_name, &h.address) == key)
        .cloned()
}

/// What the form knows of the household.
#[derive(Clone, Copy)]
pub struct HouseholdFields {
    /// A household picked from the list (its id), or `None` for a new one.
    pub picked: RwSignal<Option<Uuid>>,
    /// Head's name.
    pub head_name: RwSignal<String>,
    /// Address or house number.
    pub address: RwSignal<String>,
    /// Phone number, optional.
    pub phone: RwSignal<String>,
    /// The household agreed to have its phone number recorded.
    pub consent: RwSignal<bool>,
    /// A household business.
    pub business: RwSignal<bool>,
}

impl HouseholdFields {
    /// Empty fields.
    pub fn new() -> Self {
        Self {
            picked: RwSignal::new(None),
            head_name: RwSignal::new(String::new()),
            address: RwSignal::new(String::new()),
            phone: RwSignal::new(String::new()),
            consent: RwSignal::new(false),
            business: RwSignal::new(false),
        }
    }

    /// Fills the fields from a listed household.
    pub fn pick(&self, household: &Household) {
        self.picked.set(Some(household.id));
        self.head_name.set(household.head_name.clone());
        self.address.set(household.address.clone());
        self.phone.set(household.phone.clone().unwrap_or_default());
        // A number already on record was recorded with consent.
        self.consent.set(household.phone.is_some());
        self.business.set(household.business);
    }
}

impl Default for HouseholdFields {
    fn default() -> Self {
        Self::new()
    }
}

/// The household section of the form. `households`: what the device holds; `village`: the
/// visit's village when known; `message`: the form's message for a field with a problem.
#[component]
pub fn HouseholdPicker(
    fields: HouseholdFields,
    households: Signal<Vec<Household>>,
    village: Signal<Option<i64>>,
    errors: RwSignal<Vec<VisitError>>,
    message: Callback<VisitError, String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let matches = move || {
        let text = query.get();
        households.with(|all| search(all, village.get(), &text))
    };
    let alike = move || {
        if fields.picked.get().is_some() {
            return None;
        }
        let (head, address) = (fields.head_name.get(), fields.address.get());
        households.with(|all| look_alike(all, village.get(), &head, &address))
    };
    let problem = move |field: &'static str| {
        move || {
            errors.with(|e| {
                e.iter()
                    .filter(|e| e.field() == field)
                    .map(|e| message.run(e.clone()))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }
    };
    let invalid = move |field: &'static str| {
        move || {
            errors
                .with(|e| e.iter().any(|e| e.field() == field))
                .then_some("true")
        }
    };
    let described = move |field: &'static str| {
        move || {
            errors
                .with(|e| e.iter().any(|e| e.field() == field))
                .then(|| format!("err-{field}"))
        }
    };
    let forget = move |_| {
        fields.picked.set(None);
        fields.head_name.set(String::new());
        fields.address.set(String::new());
        fields.phone.set(String::new());
        fields.consent.set(false);
        fields.business.set(false);
    };

    view! {
        <fieldset class="household" data-testid="household-picker">
            <legend>{t_string!(i18n, form_household)}</legend>
            {move || match fields.picked.get() {
                Some(_) => view! {
                    <p class="picked" data-testid="household-picked">
                        <strong>{fields.head_name.get()}</strong> " · " {fields.address.get()}
                        " " <button type="button" class="small-button" data-testid="household-change" on:click=forget>
                            {t_string!(i18n, household_change)}
                        </button>
                    </p>
                }.into_any(),
                None => view! {
                    <input id="household-search" type="search" autocomplete="off" data-testid="household-search"
                        aria-label=t_string!(i18n, household_search) placeholder=t_string!(i18n, household_search)
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev)) />
                    <ul class="household-matches" data-testid="household-matches">
                        {move || {
                            let all = matches();
                            let more = all.len().saturating_sub(MATCHES);
                            let shown: Vec<_> = all.into_iter().take(MATCHES).collect();
                            view! {
                                {shown.into_iter().map(|h| {
                                    let chosen = h.clone();
                                    view! {
                                        <li>
                                            <button type="button" class="household-match" data-testid="household-match"
                                                on:click=move |_| { fields.pick(&chosen); query.set(String::new()); }>
                                                <strong>{h.head_name.clone()}</strong> " · " {h.address.clone()}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                                {(more > 0).then(|| view! { <li class="hint">{format!("+{more}")}</li> })}
                            }
                        }}
                    </ul>
                    <label for="head_name">{t_string!(i18n, form_head_name)}</label>
                    <p class="field-error" id="err-head_name">{problem("head_name")}</p>
                    <input id="head_name" name="head_name" type="text" autocomplete="off" maxlength="100"
                        aria-invalid=invalid("head_name") aria-describedby=described("head_name")
                        prop:value=move || fields.head_name.get()
                        on:input=move |ev| fields.head_name.set(event_target_value(&ev)) />
                    <label for="address">{t_string!(i18n, form_address)}</label>
                    <p class="field-error" id="err-address">{problem("address")}</p>
                    <input id="address" name="address" type="text" autocomplete="off" maxlength="200"
                        aria-invalid=invalid("address") aria-describedby=described("address")
                        prop:value=move || fields.address.get()
                        on:input=move |ev| fields.address.set(event_target_value(&ev)) />
                    {move || alike().map(|h| {
                        let chosen = h.clone();
                        view! {
                            <p class="notice" role="status" data-testid="household-alike">
                                {t_string!(i18n, household_alike)} " " <strong>{h.head_name.clone()}</strong> " · " {h.address.clone()}
                                " " <button type="button" class="small-button" data-testid="household-use-alike"
                                    on:click=move |_| fields.pick(&chosen)>{t_string!(i18n, household_use_alike)}</button>
                            </p>
                        }
                    })}
                }.into_any(),
            }}
            <p class="field-error" id="err-household">{problem("household")}</p>
            <label for="household_phone">{t_string!(i18n, form_phone)}</label>
            <p class="field-error" id="err-phone">{problem("phone")}</p>
            <input id="household_phone" name="household_phone" type="tel" inputmode="tel" autocomplete="off"
                aria-invalid=invalid("phone") aria-describedby=described("phone")
                prop:value=move || fields.phone.get()
                on:input=move |ev| fields.phone.set(event_target_value(&ev)) />
            {move || (!fields.phone.get().trim().is_empty()).then(|| view! {
                <label class="check">
                    <input type="checkbox" id="phone_consent" data-testid="phone-consent"
                        prop:checked=move || fields.consent.get()
                        on:change=move |ev| fields.consent.set(event_target_checked(&ev)) />
                    <span>{t_string!(i18n, household_consent)}</span>
                </label>
            })}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn household(head: &str, address: &str, village: i64) -> Household {
        Household {
            id: Uuid::now_v7(),
            village_id: village,
            head_name: head.into(),
            address: address.into(),
            phone: None,
            business: false,
            merged_into: None,
            erased: false,
        }
    }

    /// The search cases shared with the browser test (`tests/browser/fold-cases.json`).
    #[test]
    fn the_shared_search_cases_hold() {
        let cases: Vec<(String, String, bool)> =
            serde_json::from_str(include_str!("../../../tests/browser/fold-cases.json")).unwrap();
        for (name, typed, found) in cases {
            let list = [household(&name, "Số 1", 7)];
            assert_eq!(
                !search(&list, Some(7), &typed).is_empty(),
                found,
                "{typed:?} in {name:?}"
            );
        }
    }

    #[test]
    fn matches_sort_by_given_name_and_stay_in_the_village() {
        let list = [
            household("Trần Thị Bình", "Số 2", 7),
            household("Nguyễn Văn An", "Số 1", 7),
            household("Lê Văn Ân", "Số 3", 8),
        ];
        let names: Vec<_> = search(&list, Some(7), "")
            .into_iter()
            .map(|h| h.head_name)
            .collect();
        assert_eq!(names, ["Nguyễn Văn An", "Trần Thị Bình"]);
    }

    #[test]
    fn a_new_household_like_a_listed_one_is_noticed() {
        let list = [household("Nguyễn Văn An", "Số 12, xóm Bãi", 7)];
        assert!(look_alike(&list, Some(7), "nguyen van an", "12").is_some());
        assert!(look_alike(&list, Some(7), "Nguyễn Văn An", "Số 14").is_none());
        assert!(look_alike(&list, Some(8), "Nguyễn Văn An", "Số 12").is_none());
    }
}
