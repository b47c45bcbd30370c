//! `/units/{id}/households`: a village's households as the server sorts them, searchable
//! (tones and case ignored), likely duplicates marked "Có thể trùng"; those who may merge
//! choose, within a group, the household another one is merged into, after a confirmation
//! that names both. Commune staff download everything held about a household (a JSON file)
//! and erase its personal data, after a confirmation that names it; an erased household
//! stays in the list, without a name, with its visits.

use leptos::prelude::*;
use uuid::Uuid;

use super::{failure, fetch_into, matches, may};
use crate::api::client;
use crate::api::{Erased, HouseholdEntry, HouseholdList, MergeHousehold, UnitDetail};
use crate::components::common::{confirm, Load, LoadLine};
use crate::domain::policy::Action;
use crate::i18n::{t_string, use_i18n};
use crate::router::{follow, use_nav};

/// A household as the confirmation names it: head, address, visits.
fn named(entry: &HouseholdEntry) -> String {
    format!(
        "«{} · {}»",
        entry.household.head_name, entry.household.address
    )
}

/// The households page of a village.
#[component]
pub fn HouseholdsPage(village: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let nav = use_nav();
    let list = RwSignal::new(None::<HouseholdList>);
    let unit = RwSignal::new(None::<UnitDetail>);
    let load = RwSignal::new(Load::Loading);
    let unit_load = RwSignal::new(Load::Loading);
    let again = RwSignal::new(0u32);
    fetch_into(
        move || village.map(|v| format!("/api/units/{v}/households")),
        list,
        load,
        again,
    );
    fetch_into(
        move || village.map(|v| format!("/api/units/{v}")),
        unit,
        unit_load,
        RwSignal::new(0),
    );
    let search = RwSignal::new(String::new());
    let merging = RwSignal::new(None::<Uuid>);
    let done = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let may_merge = may(Action::MergeHouseholds);
    let may_export = may(Action::ExportHouseholdData);
    let may_erase = may(Action::EraseHouseholdData);

    let erase = move |entry: HouseholdEntry| {
        let question = t_string!(i18n, hh_erase_confirm, household = named(&entry)).to_string();
        if !confirm(&question) {
            return;
        }
        problem.set(None);
        done.set(None);
        leptos::task::spawn_local(async move {
            let url = format!("/api/households/{}/erase", entry.household.id);
            match client::post::<_, Erased>(&url, &serde_json::json!({})).await {
                Ok(erased) => {
                    done.set(Some(
                        t_string!(
                            i18n,
                            hh_erased_done,
                            household = named(&entry),
                            visits = erased.visits
                        )
                        .to_string(),
                    ));
                    again.update(|n| *n += 1);
                }
                Err(error) => {
                    problem.set(Some(failure(i18n, &error)));
                    again.update(|n| *n += 1);
                }
            }
        });
    };

    let merge = move |merged: HouseholdEntry, survivor: HouseholdEntry| {
        let question = t_string!(
            i18n,
            hh_merge_confirm,
            merged = named(&merged),
            into = named(&survivor)
        )
        .to_string();
        if !confirm(&question) {
            return;
        }
        problem.set(None);
        done.set(None);
        let body = MergeHousehold {
            into: survivor.household.id,
        };
        leptos::task::spawn_local(async move {
            let url = format!("/api/households/{}/merge", merged.household.id);
            match client::post::<_, ()>(&url, &body).await {
                Ok(()) => {
                    done.set(Some(
                        t_string!(
                            i18n,
                            hh_merged,
                            merged = named(&merged),
                            into = named(&survivor)
                        )
                        .to_string(),
                    ));
                    merging.set(None);
                    again.update(|n| *n += 1);
                }
                Err(error) => {
                    problem.set(Some(failure(i18n, &error)));
                    if error.code() == Some("already_merged") {
                        again.update(|n| *n += 1);
                    }
                }
            }
        });
    };

    view! {
        <main class="page" data-testid="households-page">
            {move || unit.get().map(|d| {
                let href = format!("/units/{}", d.unit.id);
                view! {
                    <nav class="trail hint"><a href=href.clone() on:click=follow(nav, href)>{d.unit.name.clone()}</a></nav>
                }
            })}
            <h1 class="section-title">{t_string!(i18n, hh_title)}
                {move || unit.get().map(|d| format!(" · {}", d.unit.name))}</h1>
            <input type="search" class="search" data-testid="household-search"
                placeholder=t_string!(i18n, hh_search) aria-label=t_string!(i18n, hh_search)
                on:input=move |ev| search.set(event_target_value(&ev)) />
            {move || done.get().map(|text| view! { <p class="ok-line" role="status" data-testid="households-done">{text}</p> })}
            {move || problem.get().map(|text| view! { <p class="error-summary" role="alert" data-testid="households-problem">{text}</p> })}
            <LoadLine load />
            {move || list.get().map(|l| {
                let all = l.households;
                let groups = all.iter().filter_map(|e| e.duplicate_group).collect::<std::collections::HashSet<_>>().len();
                let needle = search.get();
                let shown: Vec<HouseholdEntry> = all
                    .iter()
                    .filter(|e| matches(&format!("{} {}", e.household.head_name, e.household.address), &needle))
                    .cloned()
                    .collect();
                view! {
                    <p class="hint" data-testid="household-count">
                        {t_string!(i18n, hh_count, count = all.len(), groups = groups).to_string()}
                    </p>
                    {shown.is_empty().then(|| view! { <p class="empty">{t_string!(i18n, hh_none)}</p> })}
                    <ul class="plain-list households">
                        {shown.into_iter().map(|entry| {
                            let id = entry.household.id;
                            let group: Vec<HouseholdEntry> = entry.duplicate_group.map(|g| {
                                all.iter().filter(|o| o.duplicate_group == Some(g) && o.household.id != id).cloned().collect()
                            }).unwrap_or_default();
                            let survivor = entry.clone();
                            let chosen = RwSignal::new(group.first().map(|o| o.household.id));
                            let others = group.clone();
                            view! {
                                <li class=if entry.duplicate_group.is_some() { "visit-card household duplicate" } else { "visit-card household" }
                                    data-testid="household" data-household-id=id.to_string()
                                    data-group=entry.duplicate_group.map(|g| g.to_string()).unwrap_or_default()>
                                    {if entry.household.erased {
                                        view! { <p><strong data-testid="household-head" class="erased">{t_string!(i18n, hh_erased_name)}</strong></p> }.into_any()
                                    } else {
                                        view! { <p><strong data-testid="household-head">{entry.household.head_name.clone()}</strong>
                                            " · " {entry.household.address.clone()}</p> }.into_any()
                                    }}
                                    <p class="visit-meta">
                                        <span data-testid="household-visits">{t_string!(i18n, hh_visits, count = entry.visits).to_string()}</span>
                                        {entry.household.business.then(|| view! { " · " <span class="chip chip-sent" data-testid="household-business">{t_string!(i18n, hh_business)}</span> })}
                                        {entry.household.phone.clone().map(|p| format!(" · {p}"))}
                                    </p>
                                    {entry.duplicate_group.map(|g| view! {
                                        <p><span class="chip chip-pending" data-testid="maybe-duplicate">{t_string!(i18n, hh_maybe_duplicate)}</span>
                                            " " <span class="hint">{t_string!(i18n, hh_group, group = g).to_string()}</span></p>
                                    })}
                                    {(may_export || (may_erase && !entry.household.erased)).then(|| {
                                        let href = format!("/api/households/{id}/export");
                                        let erasing = entry.clone();
                                        view! {
                                            <div class="row-actions">
                                                {may_export.then(|| view! {
                                                    <a class="secondary-button" data-testid="household-export" href=href
                                                        download=format!("ho-{id}.json") rel="external">{t_string!(i18n, hh_export)}</a>
                                                })}
                                                {(may_erase && !erasing.household.erased).then(|| view! {
                                                    <button type="button" class="secondary-button danger" data-testid="household-erase"
                                                        on:click=move |_| erase(erasing.clone())>{t_string!(i18n, hh_erase)}</button>
                                                })}
                                            </div>
                                        }
                                    })}
                                    {(may_merge && !group.is_empty()).then(|| view! {
                                        <div class="row-actions">
                                            <button type="button" class="secondary-button" data-testid="merge-into"
                                                on:click=move |_| merging.update(|m| *m = if *m == Some(id) { None } else { Some(id) })>
                                                {t_string!(i18n, hh_merge_into)}
                                            </button>
                                        </div>
                                        {move || (merging.get() == Some(id)).then(|| {
                                            let others = others.clone();
                                            let survivor = survivor.clone();
                                            view! {
                                                <div class="inline-form">
                                                    <label for=format!("merge-{id}")>{t_string!(i18n, hh_merge_which)}</label>
                                                    <select id=format!("merge-{id}") data-testid="merge-which"
                                                        on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                                                        {others.iter().map(|o| view! {
                                                            <option value=o.household.id.to_string() selected=chosen.get_untracked() == Some(o.household.id)>
                                                                {format!("{} · {} · {}", o.household.head_name, o.household.address, t_string!(i18n, hh_visits, count = o.visits))}
                                                            </option>
                                                        }).collect_view()}
                                                    </select>
                                                    <button type="button" class="primary-button" data-testid="confirm-merge"
                                                        on:click=move |_| {
                                                            let merged = chosen.get_untracked().and_then(|c| others.iter().find(|o| o.household.id == c).cloned());
                                                            if let Some(merged) = merged {
                                                                merge(merged, survivor.clone());
                                                            }
                                                        }>{t_string!(i18n, hh_merge)}</button>
                                                </div>
                                            }
                                        })}
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
        </main>
    }
}
