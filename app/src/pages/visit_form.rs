//! Logging a visit: household, activities grouped by the plan's four task groups, outcome,
//! note, save. Saving writes to the device at once and never waits for the network.
//!
//! Made for a 360 px phone held in one hand: each problem is said next to its field (and tied
//! to it for screen readers), and "Lưu" at the bottom takes the member to the first one; what
//! is typed is kept as a draft until saved; a double tap saves once.

use std::cell::Cell;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;

use super::draft::{self, Draft};
use super::household_picker::{HouseholdFields, HouseholdPicker};

use crate::api::{Activity, Catalogue, TaskGroup};
use crate::components::status_line::StatusLine;
use crate::domain::time::{format_local_minute, now_ms, parse_local_minute, vietnam_date};
use crate::domain::visit::DifficultyRaised;
use crate::domain::{ActivityDone, HouseholdInput, Outcome, VisitError, VisitRecord};
use crate::i18n::{t_string, use_i18n, Locale};
use crate::offline::store::{self, LocalState, LocalVisit};
use crate::offline::sync_client::SyncStatus;
use crate::router::follow;
use crate::Session;

/// The translated message for a validation error.
fn error_text(i18n: leptos_i18n::I18nContext<Locale>, error: &VisitError) -> String {
    match error {
        VisitError::HeadNameRequired => t_string!(i18n, err_head_name_required).to_string(),
        VisitError::HeadNameTooLong => t_string!(i18n, err_head_name_too_long).to_string(),
        VisitError::AddressRequired => t_string!(i18n, err_address_required).to_string(),
        VisitError::AddressTooLong => t_string!(i18n, err_address_too_long).to_string(),
        VisitError::PhoneInvalid => t_string!(i18n, err_phone_invalid).to_string(),
        VisitError::ActivitiesRequired => t_string!(i18n, err_activities_required).to_string(),
        VisitError::ActivityUnknown(_) => t_string!(i18n, err_activity_unknown).to_string(),
        VisitError::PeopleInvalid => t_string!(i18n, err_people_invalid).to_string(),
        VisitError::DetailTooLong => t_string!(i18n, err_detail_too_long).to_string(),
        VisitError::FollowUpRequired => t_string!(i18n, err_follow_up_required).to_string(),
        VisitError::NoteTooLong => t_string!(i18n, err_note_too_long).to_string(),
        VisitError::VisitTime | VisitError::Version => t_string!(i18n, err_visit_time).to_string(),
        VisitError::VillageRequired => t_string!(i18n, err_village_required).to_string(),
        VisitError::VillageUnknown => t_string!(i18n, err_village_unknown).to_string(),
        VisitError::FollowUpBeforeVisit => t_string!(i18n, err_follow_up_before_visit).to_string(),
        VisitError::PhoneConsentRequired => t_string!(i18n, err_phone_consent_required).to_string(),
        VisitError::DifficultyInvalid => t_string!(i18n, err_difficulty_invalid).to_string(),
        VisitError::DifficultyUnknown => t_string!(i18n, err_difficulty_unknown).to_string(),
        VisitError::HouseholdElsewhere => t_string!(i18n, err_household_elsewhere).to_string(),
    }
}

fn group_title(i18n: leptos_i18n::I18nContext<Locale>, group: TaskGroup) -> String {
    match group {
        TaskGroup::Information => t_string!(i18n, group_information).to_string(),
        TaskGroup::DigitalGovernment => t_string!(i18n, group_digital_government).to_string(),
        TaskGroup::DigitalEconomy => t_string!(i18n, group_digital_economy).to_string(),
        TaskGroup::DigitalSociety => t_string!(i18n, group_digital_society).to_string(),
    }
}

/// An outcome, in words.
pub(crate) fn outcome_label(i18n: leptos_i18n::I18nContext<Locale>, outcome: Outcome) -> String {
    match outcome {
        Outcome::Done => t_string!(i18n, outcome_done).to_string(),
        Outcome::Partly => t_string!(i18n, outcome_partly).to_string(),
        Outcome::Declined => t_string!(i18n, outcome_declined).to_string(),
        Outcome::FollowUp => t_string!(i18n, outcome_follow_up).to_string(),
    }
}

/// One catalogue activity: a large checkbox, and once ticked, people helped and detail.
#[component]
fn ActivityRow(
    activity: Activity,
    selected: RwSignal<Vec<ActivityDone>>,
    /// The activities have a problem, said in `err-activities`.
    invalid: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let code = activity.code.clone();
    let ticked = {
        let code = code.clone();
        move || selected.with(|s| s.iter().any(|a| a.code == code))
    };
    let toggle = {
        let code = code.clone();
        move |ev| {
            let on = event_target_checked(&ev);
            selected.update(|s| {
                s.retain(|a| a.code != code);
                if on {
                    s.push(ActivityDone {
                        code: code.clone(),
                        detail: None,
                        people: 1,
                    });
                }
            });
        }
    };
    let edit = {
        let code = code.clone();
        move |f: &dyn Fn(&mut ActivityDone)| {
            selected.update(|s| s.iter_mut().filter(|a| a.code == code).for_each(f));
        }
    };
    let people = {
        let code = code.clone();
        move || {
            selected
                .with(|s| s.iter().find(|a| a.code == code).map_or(1, |a| a.people))
                .to_string()
        }
    };
    let detail = {
        let code = code.clone();
        move || {
            selected.with(|s| {
                s.iter()
                    .find(|a| a.code == code)
                    .and_then(|a| a.detail.clone())
                    .unwrap_or_default()
            })
        }
    };
    let name = move || match i18n.get_locale() {
        Locale::vi => activity.name_vi.clone(),
        Locale::en => activity.name_en.clone(),
    };
    let id = format!("activity-{code}");
    let label_for = id.clone();
    let edit_people = edit.clone();
    view! {
        <div class="activity">
            <label class="check" for=label_for>
                <input
                    type="checkbox"
                    id=id
                    name="activity"
                    value=code.clone()
                    prop:checked=ticked.clone()
                    aria-invalid=move || invalid.get().then_some("true")
                    aria-describedby=move || invalid.get().then_some("err-activities")
                    on:change=toggle
                />
                <span>{name}</span>
            </label>
            {move || ticked().then(|| view! {
                <div class="activity-more">
                    <label>
                        {t_string!(i18n, form_people)}
                        <input
                            type="number"
                            inputmode="numeric"
                            min="1"
                            max="100"
                            name=format!("people-{code}")
                            prop:value=people.clone()
                            on:input={
                                let edit = edit_people.clone();
                                move |ev| {
                                    let value = event_target_value(&ev).trim().parse().unwrap_or(0);
                                    edit(&|a| a.people = value);
                                }
                            }
                        />
                    </label>
                    <label>
                        {t_string!(i18n, form_detail)}
                        <input
                            type="text"
                            name=format!("detail-{code}")
                            prop:value=detail.clone()
                            on:input={
                                let edit = edit.clone();
                                move |ev| {
                                    let value = event_target_value(&ev);
                                    edit(&|a| a.detail = Some(value.clone()));
                                }
                            }
                        />
                    </label>
                </div>
            })}
        </div>
    }
}

/// The household a repeat visit is for: `?household=<id>` on `/visits/new` (the follow-up
/// list's "Thăm lại").
fn repeat_household() -> Option<Uuid> {
    #[cfg(feature = "hydrate")]
    {
        let search = web_sys::window()?.location().search().ok()?;
        search
            .trim_start_matches('?')
            .split('&')
            .find_map(|pair| pair.strip_prefix("household="))
            .and_then(|id| id.parse().ok())
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// `/visits/new`, and `/visits/{id}/edit` (`edit`: the visit to change, a new revision of it).
#[component]
pub fn VisitFormPage(#[prop(default = None)] edit: Option<Uuid>) -> impl IntoView {
    super::require_sign_in();
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let sync = expect_context::<SyncStatus>();
    let nav = crate::router::use_nav();

    let catalogue = RwSignal::new(None::<Catalogue>);
    let kinds = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        // Again when a pull brought a new catalogue or list of difficulties.
        sync.changed.track();
        catalogue.set(store::catalogue());
        kinds.set(store::difficulty_categories());
    });

    let household = HouseholdFields::new();
    let head_name = household.head_name;
    let address = household.address;
    let phone = household.phone;
    let visited = RwSignal::new(format_local_minute(now_ms()));
    let difficulty_on = RwSignal::new(false);
    let difficulty_kind = RwSignal::new(String::new());
    let difficulty_note = RwSignal::new(String::new());
    let households = Memo::new(move |_| {
        sync.changed.track();
        session
            .profile
            .with(|p| p.as_ref().map(|p| store::households(p.user_id)))
            .unwrap_or_default()
    });
    let selected = RwSignal::new(Vec::<ActivityDone>::new());
    let outcome = RwSignal::new(Outcome::Done);
    let follow_up_on = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    // A team of the commune itself works in every village of its commune: the member says
    // which one; a village team's visits are in its village.
    let villages = move || {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.team.clone()))
            .filter(|t| t.village.is_none())
            .map(|t| t.villages)
            .unwrap_or_default()
    };
    let village = RwSignal::new(String::new());
    // The visit's village, for the household list: the one chosen, or the team's own.
    let picker_village = Signal::derive(move || {
        village.get().parse::<i64>().ok().or_else(|| {
            session.profile.with(|p| {
                p.as_ref()
                    .and_then(|p| p.team.as_ref())
                    .and_then(|t| t.village.as_ref().map(|v| v.id))
            })
        })
    });
    let errors = RwSignal::new(Vec::<VisitError>::new());
    // "Thêm": note, visit time, household business, difficulty. Open when any of them is set
    // or has a problem.
    let more = RwSignal::new(false);
    Effect::new(move |_| {
        let extra = errors.with(|e| {
            e.iter()
                .any(|e| matches!(e.field(), "note" | "visited_at" | "difficulty"))
        });
        if extra || difficulty_on.get() || household.business.get() || !note.get().is_empty() {
            more.set(true);
        }
    });
    let storage_full = RwSignal::new(false);
    // Set on the first good "Lưu": a second tap (double tap) does nothing.
    let saving = RwSignal::new(false);
    // A follow-up is agreed for today or later (Vietnam's calendar): the picker offers no
    // earlier day, and the domain refuses one typed in.
    let today = {
        let date = vietnam_date(now_ms());
        format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
    };

    // The draft: read once the signed-in user is known, then kept as the member types.
    let user = move || session.profile.with(|p| p.as_ref().map(|p| p.user_id));
    let draft_read = RwSignal::new(false);
    let restored = RwSignal::new(false);
    let fill = move |d: Draft| {
        village.set(d.village);
        household.picked.set(d.picked);
        head_name.set(d.head_name);
        address.set(d.address);
        phone.set(d.phone);
        household.consent.set(d.consent);
        household.business.set(d.business);
        selected.set(d.activities);
        outcome.set(d.outcome);
        follow_up_on.set(d.follow_up_on);
        note.set(d.note);
        if !d.visited.is_empty() {
            visited.set(d.visited);
        }
        difficulty_on.set(d.difficulty.is_some());
        let (kind, text) = d.difficulty.unwrap_or_default();
        difficulty_kind.set(kind);
        difficulty_note.set(text);
    };
    Effect::new(move |_| {
        let Some(user) = user() else {
            return;
        };
        if draft_read.get_untracked() {
            return;
        }
        if let Some(id) = edit {
            // Editing: the visit as the device holds it; no draft.
            if let Some(local) = store::visit(user, id) {
                let r = local.record;
                fill(Draft {
                    village: r.village_id.map(|v| v.to_string()).unwrap_or_default(),
                    picked: Some(r.household.id),
                    head_name: r.household.head_name,
                    address: r.household.address,
                    phone: r.household.phone.unwrap_or_default(),
                    consent: r.household.phone_consent,
                    business: r.household.business,
                    activities: r.activities,
                    outcome: r.outcome,
                    follow_up_on: r.follow_up_on.unwrap_or_default(),
                    note: r.note,
                    visited: format_local_minute(r.visited_at),
                    difficulty: r.difficulty.map(|d| (d.category, d.note)),
                });
            }
            return;
        }
        if let Some(kept) = draft::load(user) {
            fill(kept);
            restored.set(true);
        } else if let Some(id) = repeat_household() {
            // From the village's list, or (not synced yet) from the member's own visit to it.
            let known = store::households(user)
                .into_iter()
                .find(|h| h.id == id)
                .or_else(|| {
                    store::visits(user)
                        .into_iter()
                        .map(|v| v.record)
                        .find(|r| r.household.id == id)
                        .map(|r| crate::api::Household {
                            id,
                            village_id: r.village_id.unwrap_or_default(),
                            head_name: r.household.head_name,
                            address: r.household.address,
                            phone: r.household.phone,
                            business: r.household.business,
                            merged_into: None,
                            erased: false,
                        })
                });
            if let Some(h) = known {
                household.pick(&h);
            }
        }
        draft_read.set(true);
    });
    Effect::new(move |_| {
        let current = Draft {
            village: village.get(),
            picked: household.picked.get(),
            head_name: head_name.get(),
            address: address.get(),
            phone: phone.get(),
            consent: household.consent.get(),
            business: household.business.get(),
            activities: selected.get(),
            outcome: outcome.get(),
            follow_up_on: follow_up_on.get(),
            note: note.get(),
            visited: String::new(),
            difficulty: difficulty_on
                .get()
                .then(|| (difficulty_kind.get(), difficulty_note.get())),
        };
        if !draft_read.get() || saving.get_untracked() {
            return;
        }
        if let Some(user) = session
            .profile
            .with_untracked(|p| p.as_ref().map(|p| p.user_id))
        {
            draft::keep(user, &current);
        }
    });
    let discard = move |_| {
        fill(Draft::default());
        errors.set(Vec::new());
        restored.set(false);
        if let Some(user) = session
            .profile
            .with_untracked(|p| p.as_ref().map(|p| p.user_id))
        {
            draft::clear(user);
        }
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let Some(profile) = session.profile.get_untracked() else {
            return;
        };
        let known = catalogue.get_untracked().unwrap_or_default();
        let now = now_ms();
        let record = VisitRecord {
            id: edit.unwrap_or_else(Uuid::now_v7),
            version: 1,
            base_version: 0,
            revision: Some(Uuid::now_v7()),
            base_revision: None,
            household: HouseholdInput {
                id: household
                    .picked
                    .get_untracked()
                    .unwrap_or_else(Uuid::now_v7),
                head_name: head_name.get_untracked(),
                address: address.get_untracked(),
                phone: Some(phone.get_untracked()),
                phone_consent: household.consent.get_untracked(),
                business: household.business.get_untracked(),
            },
            // A time that does not parse is refused by the domain's check (`visit_time`).
            visited_at: parse_local_minute(&visited.get_untracked()).unwrap_or(0),
            activities: selected.get_untracked(),
            outcome: outcome.get_untracked(),
            follow_up_on: Some(follow_up_on.get_untracked()),
            note: note.get_untracked(),
            village_id: village.get_untracked().parse().ok(),
            withdrawn: false,
            difficulty: difficulty_on.get_untracked().then(|| DifficultyRaised {
                category: difficulty_kind.get_untracked(),
                note: difficulty_note.get_untracked(),
            }),
        };
        // A retired activity is no longer offered (the server refuses it for new visits).
        let is_known = |code: &str| known.activities.iter().any(|a| a.code == code && a.active);
        let team_villages: Vec<i64> = profile
            .team
            .as_ref()
            .map(|t| t.villages.iter().map(|v| v.id).collect())
            .unwrap_or_default();
        let checked = record.validate(is_known, now).and_then(|record| {
            // Offline the device may not know its team's villages yet: the server decides.
            if team_villages.is_empty() {
                return Ok(record);
            }
            record
                .village_among(&team_villages)
                .map(|_| record)
                .map_err(|e| vec![e])
        });
        match checked {
            Err(found) => {
                show_first_problem(&found);
                errors.set(found);
            }
            Ok(record) => {
                errors.set(Vec::new());
                saving.set(true);
                if let Some(id) = edit {
                    match store::edit_visit(profile.user_id, record, now) {
                        Ok(_) => {
                            sync.refresh(Some(profile.user_id));
                            sync.kick();
                            nav.go(&format!("/visits/{id}"));
                        }
                        Err(_) => {
                            saving.set(false);
                            storage_full.set(true);
                            show_first_problem(&[]);
                        }
                    }
                    return;
                }
                let local = LocalVisit {
                    record,
                    state: LocalState::Pending,
                    saved_at: now,
                    reason: None,
                    review: None,
                    superseded: false,
                };
                if store::save_visit(profile.user_id, &local).is_err() {
                    saving.set(false);
                    storage_full.set(true);
                    show_first_problem(&[]);
                    return;
                }
                draft::clear(profile.user_id);
                SAVED_AT.with(|at| at.set(now));
                sync.refresh(Some(profile.user_id));
                sync.kick();
                nav.go("/");
            }
        }
    };

    let has_error =
        move |field: &'static str| errors.with(|e| e.iter().any(|e| e.field() == field));
    // Ties a field to its message for screen readers while there is one.
    let invalid = move |field: &'static str| move || has_error(field).then_some("true");
    let described =
        move |field: &'static str| move || has_error(field).then(|| format!("err-{field}"));
    let activities_invalid = Signal::derive(move || has_error("activities"));
    // Problems no field shows (the visit time), and a full device store: said next to "Lưu".
    let unplaced = move || {
        errors.with(|e| {
            e.iter()
                .filter(|e| !FIELDS.iter().any(|(field, _)| *field == e.field()))
                .map(|e| error_text(i18n, e))
                .collect::<Vec<_>>()
        })
    };
    let field_error = move |field: &'static str| {
        move || {
            errors.with(|e| {
                e.iter()
                    .filter(|e| e.field() == field)
                    .map(|e| error_text(i18n, e))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }
    };

    view! {
        <StatusLine />
        <main class="page">
            <h1 class="section-title">{t_string!(i18n, form_title)}</h1>
            <form class="visit-form" on:submit=submit novalidate=true data-testid="visit-form">
                {move || restored.get().then(|| view! {
                    <p class="notice draft-notice" role="status" data-testid="draft-restored">
                        <span>{t_string!(i18n, draft_restored)}</span>
                        <button type="button" class="small-button" data-testid="discard-draft" on:click=discard>
                            {t_string!(i18n, draft_discard)}
                        </button>
                    </p>
                })}

                {move || {
                    let choices = villages();
                    (!choices.is_empty()).then(|| view! {
                        <label for="village_id">{t_string!(i18n, form_village)}</label>
                        <p class="field-error" id="err-village_id">{field_error("village_id")}</p>
                        <select id="village_id" name="village_id"
                            aria-invalid=invalid("village_id")
                            aria-describedby=described("village_id")
                            prop:value=move || village.get()
                            on:change=move |ev| village.set(event_target_value(&ev))>
                            <option value="">{t_string!(i18n, form_village_choose)}</option>
                            {choices.into_iter().map(|v| view! {
                                <option value=v.id.to_string()>{v.name}</option>
                            }).collect_view()}
                        </select>
                    })
                }}
                <HouseholdPicker fields=household households=Signal::from(households) village=picker_village errors
                    message=Callback::new(move |e: VisitError| error_text(i18n, &e)) />



                <fieldset>
                    <legend>{t_string!(i18n, form_activities)}</legend>
                    <p class="field-error" id="err-activities">{field_error("activities")}</p>
                    {move || catalogue.with(|c| c.as_ref().is_none_or(|c| c.activities.is_empty()) && session.ready.get()).then(|| view! {
                        <p class="notice">{t_string!(i18n, form_no_catalogue)}</p>
                    })}
                    {move || {
                        let activities: Vec<_> = catalogue
                            .get()
                            .map(|c| c.activities)
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|a| a.active)
                            .collect();
                        TaskGroup::ALL
                            .into_iter()
                            .filter(|g| activities.iter().any(|a| a.task_group == *g))
                            .map(|group| {
                                let rows = activities
                                    .iter()
                                    .filter(|a| a.task_group == group)
                                    .cloned()
                                    .map(|activity| view! { <ActivityRow activity selected invalid=activities_invalid /> })
                                    .collect_view();
                                view! {
                                    <div class="task-group">
                                        <h3>{move || group_title(i18n, group)}</h3>
                                        {rows}
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                </fieldset>

                <fieldset>
                    <legend>{t_string!(i18n, form_outcome)}</legend>
                    <div class="choice-grid">
                        {Outcome::ALL
                            .into_iter()
                            .map(|o| {
                                view! {
                                    <label class="check">
                                        <input
                                            type="radio"
                                            name="outcome"
                                            value=o.as_str()
                                            prop:checked=move || outcome.get() == o
                                            on:change=move |_| outcome.set(o)
                                        />
                                        <span>{move || outcome_label(i18n, o)}</span>
                                    </label>
                                }
                            })
                            .collect_view()}
                    </div>
                    {move || (outcome.get() == Outcome::FollowUp).then(|| view! {
                        <label for="follow_up_on">{t_string!(i18n, form_follow_up_on)}</label>
                        <p class="field-error" id="err-follow_up_on">{field_error("follow_up_on")}</p>
                        <input id="follow_up_on" name="follow_up_on" type="date"
                            min=today.clone()
                            aria-invalid=invalid("follow_up_on")
                            aria-describedby=described("follow_up_on")
                            prop:value=move || follow_up_on.get()
                            on:input=move |ev| follow_up_on.set(event_target_value(&ev)) />
                    })}
                </fieldset>

                <details class="more" data-testid="form-more" prop:open=move || more.get()
                    on:toggle=move |ev| more.set(details_open(&ev))>
                    <summary>{t_string!(i18n, form_more)}</summary>
                <label for="visited_at">{t_string!(i18n, visit_time)}</label>
                    <p class="field-error" id="err-visited_at">{field_error("visited_at")}</p>
                    <input id="visited_at" name="visited_at" type="datetime-local"
                        max=format_local_minute(now_ms())
                        aria-invalid=invalid("visited_at")
                        aria-describedby=described("visited_at")
                        prop:value=move || visited.get()
                        on:input=move |ev| visited.set(event_target_value(&ev)) />
                    <label class="check">
                        <input type="checkbox" id="business" data-testid="household-business"
                            prop:checked=move || household.business.get()
                            on:change=move |ev| household.business.set(event_target_checked(&ev)) />
                        <span>{t_string!(i18n, household_business)}</span>
                    </label>
                <label for="note">{t_string!(i18n, form_note)}</label>
                    <p class="field-error" id="err-note">{field_error("note")}</p>
                    <textarea id="note" name="note" rows="2"
                        aria-invalid=invalid("note")
                        aria-describedby=described("note")
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))></textarea>

                    <label class="check">
                        <input type="checkbox" id="difficulty_on" data-testid="difficulty-on"
                            prop:checked=move || difficulty_on.get()
                            on:change=move |ev| difficulty_on.set(event_target_checked(&ev)) />
                        <span>{t_string!(i18n, form_difficulty)}</span>
                    </label>
                    {move || difficulty_on.get().then(|| view! {
                        <div class="difficulty-fields">
                            <p class="field-error" id="err-difficulty">{field_error("difficulty")}</p>
                            <select id="difficulty_category" data-testid="difficulty-category"
                                aria-invalid=invalid("difficulty")
                                aria-describedby=described("difficulty")
                                prop:value=move || difficulty_kind.get()
                                on:change=move |ev| difficulty_kind.set(event_target_value(&ev))>
                                <option value="">{t_string!(i18n, form_difficulty_choose)}</option>
                                {move || kinds.get().into_iter().filter(|k| k.active).map(|k| {
                                    let name = match i18n.get_locale_untracked() { Locale::en => k.name_en, Locale::vi => k.name_vi };
                                    view! { <option value=k.code>{name}</option> }
                                }).collect_view()}
                            </select>
                            <textarea id="difficulty_note" rows="2" maxlength="500"
                                placeholder=t_string!(i18n, form_difficulty_note)
                                prop:value=move || difficulty_note.get()
                                on:input=move |ev| difficulty_note.set(event_target_value(&ev))></textarea>
                        </div>
                    })}
                </details>

                <div id="form-problems" class="form-problems" tabindex="-1" role="alert" data-testid="form-errors">
                    {move || unplaced().into_iter().map(|text| view! { <p class="error-summary">{text}</p> }).collect_view()}
                    {move || storage_full.get().then(|| view! {
                        <p class="error-summary">{t_string!(i18n, status_error_storage)}</p>
                    })}
                </div>

                <div class="action-bar form-actions">
                    <a href="/" class="secondary-button" data-testid="form-back" on:click=follow(nav, "/")>{t_string!(i18n, form_cancel)}</a>
                    <button type="submit" class="primary-button" data-testid="save-visit" disabled=move || saving.get()>
                        {move || if saving.get() { t_string!(i18n, form_saving) } else { t_string!(i18n, form_save) }}
                    </button>
                </div>
            </form>
        </main>
    }
}

/// Whether the `<details>` a `toggle` event came from is open now.
fn details_open(ev: &leptos::ev::Event) -> bool {
    #[cfg(feature = "hydrate")]
    {
        ev.target()
            .and_then(|t| js_sys::Reflect::get(&t, &"open".into()).ok())
            .and_then(|open| open.as_bool())
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

/// The form's fields in screen order: the domain's name of each, and where the member is taken
/// when it has a problem (the first activity's checkbox for the activities).
const FIELDS: [(&str, &str); 10] = [
    ("village_id", "#village_id"),
    ("household", "#household-search"),
    ("head_name", "#head_name"),
    ("address", "#address"),
    ("phone", "#household_phone"),
    ("visited_at", "#visited_at"),
    ("activities", "input[name=activity]"),
    ("follow_up_on", "#follow_up_on"),
    ("note", "#note"),
    ("difficulty", "#difficulty_category"),
];

thread_local! {
    /// When a visit was last saved (ms), so the tap after a double tap on "Lưu" does not open
    /// a new form from the home page's button in the same spot.
    static SAVED_AT: Cell<i64> = const { Cell::new(0) };
}

/// A visit was saved less than half a second ago: about the longest double tap.
pub(crate) fn just_saved() -> bool {
    now_ms() - SAVED_AT.with(Cell::get) < 500
}

/// After a refused "Lưu" at the bottom of the form, brings the first field with a problem to
/// the middle of the screen and focuses it (its message is just above it); problems without
/// a field are said next to "Lưu".
fn show_first_problem(errors: &[VisitError]) {
    let target = FIELDS
        .iter()
        .find(|(field, _)| errors.iter().any(|e| e.field() == *field))
        .map_or("#form-problems", |(_, selector)| *selector);
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let Some(element) = document().query_selector(target).ok().flatten() else {
            return;
        };
        // `scrollIntoView({ block: "center" })`: clear of the header and the bottom bar.
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"block".into(), &"center".into());
        if let Ok(scroll) = js_sys::Reflect::get(&element, &"scrollIntoView".into()) {
            if let Some(scroll) = scroll.dyn_ref::<js_sys::Function>() {
                let _ = scroll.call1(&element, &options);
            }
        }
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = target;
}
