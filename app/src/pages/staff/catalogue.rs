//! `/units/{id}/activities`: a province's lists. The activity catalogue (the national list
//! and the province's own entries, by task group) and the kinds of difficulty a visit may
//! raise; for both, renaming, retiring (the entry leaves the form, past visits keep it),
//! offering again, adding the province's own.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::fetch_into;
use crate::api::client::{self, Method};
use crate::api::{
    ActivityChange, CatalogueAdmin, CatalogueEntry, DifficultyKindEntry, DifficultyKinds,
    NewActivity, NewDifficultyKind, TaskGroup,
};
use crate::components::common::{failure_text, I18n, Load, LoadLine};
use crate::i18n::{t_string, use_i18n};

fn group_text(i18n: I18n, group: TaskGroup) -> &'static str {
    match group {
        TaskGroup::Information => t_string!(i18n, group_information),
        TaskGroup::DigitalGovernment => t_string!(i18n, group_digital_government),
        TaskGroup::DigitalEconomy => t_string!(i18n, group_digital_economy),
        TaskGroup::DigitalSociety => t_string!(i18n, group_digital_society),
    }
}

/// One entry of a province's list (an activity or a kind of difficulty): its name to change,
/// national or the province's own, retired or offered; `change` sends a change of it.
#[component]
fn EntryRow(
    code: String,
    name_vi: String,
    national: bool,
    retired: bool,
    test_id: &'static str,
    change: Callback<(String, ActivityChange)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let renamed = RwSignal::new(name_vi);
    let save_code = code.clone();
    let shown_code = code.clone();
    view! {
        <li class="catalogue-entry" data-testid=test_id data-code=shown_code data-retired=retired.to_string()>
            <input type="text" aria-label=t_string!(i18n, catalogue_name) prop:value=move || renamed.get()
                on:input=move |ev| renamed.set(event_target_value(&ev)) />
            <p class="hint">
                {if national { t_string!(i18n, catalogue_national) } else { t_string!(i18n, catalogue_own) }}
                {retired.then(|| format!(" · {}", t_string!(i18n, catalogue_retired)))}
            </p>
            <p class="row-actions">
                <button type="button" class="small-button" data-testid="rename" on:click=move |_| {
                    change.run((save_code.clone(), ActivityChange { name_vi: Some(renamed.get_untracked()), ..Default::default() }))
                }>{t_string!(i18n, catalogue_rename)}</button>
                <button type="button" class="small-button" data-testid="toggle-retired" on:click=move |_| {
                    change.run((code.clone(), ActivityChange { retired: Some(!retired), ..Default::default() }))
                }>{if retired { t_string!(i18n, catalogue_offer) } else { t_string!(i18n, catalogue_retire) }}</button>
            </p>
        </li>
    }
}

/// The catalogue page of a province: its activities, then its kinds of difficulty.
#[component]
pub fn CataloguePage(province: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let data = RwSignal::new(None::<CatalogueAdmin>);
    let kinds = RwSignal::new(None::<DifficultyKinds>);
    let load = RwSignal::new(Load::Loading);
    let kinds_load = RwSignal::new(Load::Loading);
    let again = RwSignal::new(0u32);
    fetch_into(
        move || province.map(|p| format!("/api/units/{p}/activities")),
        data,
        load,
        again,
    );
    fetch_into(
        move || province.map(|p| format!("/api/units/{p}/difficulty-categories")),
        kinds,
        kinds_load,
        again,
    );
    let problem = RwSignal::new(None::<&'static str>);

    // Sends a change or a new entry of list `list` (`activities`, `difficulty-categories`),
    // then reads both lists again.
    let send = move |list: &'static str,
                     code: Option<String>,
                     body: serde_json::Value,
                     after: Option<Callback<()>>| {
        let Some(province) = province else { return };
        problem.set(None);
        leptos::task::spawn_local(async move {
            let base = format!("/api/units/{province}/{list}");
            let sent = match code {
                Some(code) => {
                    client::call::<_, serde_json::Value>(
                        Method::Patch,
                        &format!("{base}/{code}"),
                        Some(&body),
                    )
                    .await
                }
                None => client::post::<_, serde_json::Value>(&base, &body).await,
            };
            match sent {
                Ok(_) => {
                    if let Some(after) = after {
                        after.run(());
                    }
                    again.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };
    let change_activity = Callback::new(move |(code, change): (String, ActivityChange)| {
        send(
            "activities",
            Some(code),
            serde_json::to_value(change).unwrap_or_default(),
            None,
        )
    });
    let change_kind = Callback::new(move |(code, change): (String, ActivityChange)| {
        send(
            "difficulty-categories",
            Some(code),
            serde_json::to_value(change).unwrap_or_default(),
            None,
        )
    });

    let group = RwSignal::new(TaskGroup::DigitalSociety);
    let name_vi = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let english =
        move |name: RwSignal<String>| Some(name.get_untracked()).filter(|n| !n.trim().is_empty());
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewActivity {
            task_group: group.get_untracked(),
            name_vi: name_vi.get_untracked(),
            name_en: english(name_en),
        };
        let clear = Callback::new(move |()| {
            name_vi.set(String::new());
            name_en.set(String::new());
        });
        send(
            "activities",
            None,
            serde_json::to_value(new).unwrap_or_default(),
            Some(clear),
        );
    };
    let kind_vi = RwSignal::new(String::new());
    let kind_en = RwSignal::new(String::new());
    let add_kind = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewDifficultyKind {
            name_vi: kind_vi.get_untracked(),
            name_en: english(kind_en),
        };
        let clear = Callback::new(move |()| {
            kind_vi.set(String::new());
            kind_en.set(String::new());
        });
        send(
            "difficulty-categories",
            None,
            serde_json::to_value(new).unwrap_or_default(),
            Some(clear),
        );
    };

    let activity_row = move |entry: CatalogueEntry| {
        let retired = entry.retired_at.is_some();
        view! { <EntryRow code=entry.code name_vi=entry.name_vi national=entry.national retired test_id="catalogue-entry" change=change_activity /> }
    };
    let kind_row = move |kind: DifficultyKindEntry| {
        let retired = kind.retired_at.is_some();
        view! { <EntryRow code=kind.code name_vi=kind.name_vi national=kind.national retired test_id="difficulty-kind" change=change_kind /> }
    };

    view! {
        <main class="page" data-testid="catalogue-page">
            <h1 class="section-title">{t_string!(i18n, nav_catalogue)}</h1>
            <p class="hint">{t_string!(i18n, catalogue_hint)}</p>
            <LoadLine load />
            {move || problem.get().map(|text| view! { <p class="error-summary" role="alert">{text}</p> })}
            {move || data.get().map(|d| TaskGroup::ALL.into_iter().map(|g| {
                let entries: Vec<_> = d.activities.iter().filter(|e| e.task_group == g).cloned().collect();
                view! {
                    <h2 class="section-title">{group_text(i18n, g)}</h2>
                    <ul class="plain-list">{entries.into_iter().map(activity_row).collect_view()}</ul>
                }
            }).collect_view())}
            <form class="inline-form" on:submit=add novalidate=true data-testid="add-activity">
                <h2 class="section-title">{t_string!(i18n, catalogue_add)}</h2>
                <label for="activity-group">{t_string!(i18n, catalogue_group)}</label>
                <select id="activity-group" on:change=move |ev| {
                    if let Some(g) = TaskGroup::parse(&event_target_value(&ev)) { group.set(g) }
                }>
                    {TaskGroup::ALL.into_iter().map(|g| view! {
                        <option value=g.as_str() selected=g == TaskGroup::DigitalSociety>{group_text(i18n, g)}</option>
                    }).collect_view()}
                </select>
                <label for="activity-vi">{t_string!(i18n, catalogue_name)}</label>
                <input id="activity-vi" type="text" prop:value=move || name_vi.get() on:input=move |ev| name_vi.set(event_target_value(&ev)) />
                <label for="activity-en">{t_string!(i18n, catalogue_name_en)}</label>
                <input id="activity-en" type="text" prop:value=move || name_en.get() on:input=move |ev| name_en.set(event_target_value(&ev)) />
                <button type="submit" class="primary-button wide">{t_string!(i18n, catalogue_add)}</button>
            </form>
            <h2 class="section-title" id="difficulty-kinds">{t_string!(i18n, catalogue_difficulties)}</h2>
            <p class="hint">{t_string!(i18n, catalogue_difficulties_hint)}</p>
            <LoadLine load=kinds_load />
            <ul class="plain-list">{move || kinds.get().map(|k| k.categories.into_iter().map(kind_row).collect_view())}</ul>
            <form class="inline-form" on:submit=add_kind novalidate=true data-testid="add-difficulty-kind">
                <h3 class="section-title">{t_string!(i18n, catalogue_add_difficulty)}</h3>
                <label for="kind-vi">{t_string!(i18n, catalogue_difficulty_name)}</label>
                <input id="kind-vi" type="text" prop:value=move || kind_vi.get() on:input=move |ev| kind_vi.set(event_target_value(&ev)) />
                <label for="kind-en">{t_string!(i18n, catalogue_name_en)}</label>
                <input id="kind-en" type="text" prop:value=move || kind_en.get() on:input=move |ev| kind_en.set(event_target_value(&ev)) />
                <button type="submit" class="primary-button wide">{t_string!(i18n, catalogue_add_difficulty)}</button>
            </form>
        </main>
    }
}
