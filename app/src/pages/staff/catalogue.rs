//! `/units/{id}/activities`: a province's activity catalogue. The national list and the
//! province's own entries, by task group; renaming, retiring (the entry leaves the form, past
//! visits keep it), offering again, adding the province's own.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::fetch_into;
use crate::api::client::{self, Method};
use crate::api::{ActivityChange, CatalogueAdmin, CatalogueEntry, NewActivity, TaskGroup};
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

/// The catalogue page of a province.
#[component]
pub fn CataloguePage(province: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let data = RwSignal::new(None::<CatalogueAdmin>);
    let load = RwSignal::new(Load::Loading);
    let again = RwSignal::new(0u32);
    fetch_into(
        move || province.map(|p| format!("/api/units/{p}/activities")),
        data,
        load,
        again,
    );
    let problem = RwSignal::new(None::<&'static str>);

    let change = move |code: String, change: ActivityChange| {
        let Some(province) = province else { return };
        problem.set(None);
        leptos::task::spawn_local(async move {
            let url = format!("/api/units/{province}/activities/{code}");
            match client::call::<_, CatalogueEntry>(Method::Patch, &url, Some(&change)).await {
                Ok(_) => again.update(|n| *n += 1),
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };
    let group = RwSignal::new(TaskGroup::DigitalSociety);
    let name_vi = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(province) = province else { return };
        let english = name_en.get_untracked();
        let new = NewActivity {
            task_group: group.get_untracked(),
            name_vi: name_vi.get_untracked(),
            name_en: Some(english).filter(|n| !n.trim().is_empty()),
        };
        problem.set(None);
        leptos::task::spawn_local(async move {
            match client::post::<_, CatalogueEntry>(
                &format!("/api/units/{province}/activities"),
                &new,
            )
            .await
            {
                Ok(_) => {
                    name_vi.set(String::new());
                    name_en.set(String::new());
                    again.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };

    let row = move |entry: CatalogueEntry| {
        let code = entry.code.clone();
        let retired = entry.retired_at.is_some();
        let renamed = RwSignal::new(entry.name_vi.clone());
        let save_code = code.clone();
        let shown_code = code.clone();
        view! {
            <li class="catalogue-entry" data-testid="catalogue-entry" data-code=shown_code data-retired=retired.to_string()>
                <input type="text" aria-label=t_string!(i18n, catalogue_name) prop:value=move || renamed.get()
                    on:input=move |ev| renamed.set(event_target_value(&ev)) />
                <p class="hint">
                    {if entry.national { t_string!(i18n, catalogue_national) } else { t_string!(i18n, catalogue_own) }}
                    {retired.then(|| format!(" · {}", t_string!(i18n, catalogue_retired)))}
                </p>
                <p class="row-actions">
                    <button type="button" class="small-button" on:click=move |_| {
                        change(save_code.clone(), ActivityChange { name_vi: Some(renamed.get_untracked()), ..Default::default() })
                    }>{t_string!(i18n, catalogue_rename)}</button>
                    <button type="button" class="small-button" data-testid="toggle-retired" on:click=move |_| {
                        change(code.clone(), ActivityChange { retired: Some(!retired), ..Default::default() })
                    }>{if retired { t_string!(i18n, catalogue_offer) } else { t_string!(i18n, catalogue_retire) }}</button>
                </p>
            </li>
        }
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
                    <ul class="plain-list">{entries.into_iter().map(row).collect_view()}</ul>
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
        </main>
    }
}
