//! `/units/{id}`: a province (its communes), a commune (its villages, its teams, adding both,
//! importing a roster from CSV) or a village. The home of commune and province staff.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{fetch_into, matches};
use crate::api::client::{self, Method};
use crate::api::{
    ImportReport, NewTeam, NewVillage, RosterImport, TeamSummary, UnitDetail, UnitLevel,
    UnitSummary, VillageChange,
};
use crate::components::common::{
    failure_text, gap_text, line_code_text, IssuedPassword, Load, LoadLine,
};
use crate::domain::policy::{self, Action};
use crate::i18n::{t_string, use_i18n};
use crate::router::{follow, use_nav};
use crate::Session;

/// The page of a unit.
#[component]
pub fn UnitPage(id: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let nav = use_nav();
    let session = expect_context::<Session>();
    let detail = RwSignal::new(None::<UnitDetail>);
    let load = RwSignal::new(Load::Loading);
    let again = RwSignal::new(0u32);
    fetch_into(
        move || id.map(|id| format!("/api/units/{id}")),
        detail,
        load,
        again,
    );
    let may = move |action| {
        session
            .profile
            .with(|p| p.as_ref().is_some_and(|p| policy::may(&p.actor(), action)))
    };

    view! {
        <main class="page" data-testid="unit-page">
            <LoadLine load />
            {move || detail.get().map(|d| {
                let unit = d.unit.clone();
                let trail = d.path.iter().map(|u| {
                    let href = format!("/units/{}", u.id);
                    view! { <a href=href.clone() on:click=follow(nav, href)>{u.name.clone()}</a> " › " }
                }).collect_view();
                view! {
                    <nav class="trail hint">{trail}</nav>
                    <h1 class="section-title" data-testid="unit-name">{unit.name.clone()}</h1>
                    <p class="hint">
                        {unit.kind.clone()}
                        {unit.official_code.clone().map(|c| format!(" · {} {c}", t_string!(i18n, unit_code)))}
                        " · " {t_string!(i18n, unit_teams)} " " {unit.teams}
                        {(unit.teams_with_gaps > 0).then(|| format!(" · {} {}", unit.teams_with_gaps, t_string!(i18n, unit_teams_with_gaps)))}
                    </p>
                    <p class="links">
                        {(unit.level != UnitLevel::District && may(Action::ReadFigures)).then(|| {
                            let href = format!("/units/{}/figures", unit.id);
                            view! { <a href=href.clone() on:click=follow(nav, href) data-testid="figures-link">{t_string!(i18n, fig_title)}</a> " · " }
                        })}
                        {(unit.level == UnitLevel::Province && may(Action::ManageCatalogue)).then(|| {
                            let href = format!("/units/{}/activities", unit.id);
                            view! { <a href=href.clone() on:click=follow(nav, href) data-testid="catalogue-link">{t_string!(i18n, nav_catalogue)}</a> " · " }
                        })}
                        {(unit.level == UnitLevel::Village && may(Action::ReadHouseholds)).then(|| {
                            let href = format!("/units/{}/households", unit.id);
                            view! { <a href=href.clone() on:click=follow(nav, href) data-testid="households-link">{t_string!(i18n, hh_title)}</a> " · " }
                        })}
                        {
                            let href = format!("/users?unit={}", unit.id);
                            view! { <a href=href.clone() on:click=follow(nav, href)>{t_string!(i18n, nav_users)}</a> }
                        }
                        " · "
                        <a href="/audit" on:click=follow(nav, "/audit")>{t_string!(i18n, nav_audit)}</a>
                    </p>
                    {match unit.level {
                        UnitLevel::Province | UnitLevel::District => leptos::either::EitherOf3::A(view! { <Communes children=d.children /> }),
                        UnitLevel::Commune => leptos::either::EitherOf3::B(view! {
                            <Villages commune=unit.id villages=d.children teams=d.teams.clone() again />
                            <Teams commune=unit.id teams=d.teams villages=detail again />
                            {may(Action::ImportRoster).then(|| view! { <RosterImportForm commune=unit.id again /> })}
                        }),
                        UnitLevel::Village => leptos::either::EitherOf3::C(view! { <TeamList teams=d.teams /> }),
                    }}
                }
            })}
        </main>
    }
}

/// A province's communes, searchable.
#[component]
fn Communes(children: Vec<UnitSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let nav = use_nav();
    let search = RwSignal::new(String::new());
    view! {
        <h2 class="section-title">{t_string!(i18n, unit_communes)} " (" {children.len()} ")"</h2>
        <input type="search" class="search" placeholder=t_string!(i18n, search_placeholder)
            aria-label=t_string!(i18n, search_placeholder)
            on:input=move |ev| search.set(event_target_value(&ev)) />
        <table class="list" data-testid="communes">
            <thead><tr><th>{t_string!(i18n, unit_name)}</th><th>{t_string!(i18n, unit_teams)}</th><th>{t_string!(i18n, unit_teams_with_gaps)}</th></tr></thead>
            <tbody>
                {move || children.iter().filter(|c| matches(&c.name, &search.get())).map(|c| {
                    let href = format!("/units/{}", c.id);
                    view! {
                        <tr>
                            <td><a href=href.clone() on:click=follow(nav, href)>{c.name.clone()}</a></td>
                            <td>{c.teams}</td>
                            <td>{c.teams_with_gaps}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A commune's villages with their household counts; adding one.
#[component]
fn Villages(
    commune: i64,
    villages: Vec<UnitSummary>,
    teams: Vec<TeamSummary>,
    again: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let nav = use_nav();
    let session = expect_context::<Session>();
    let may_keep = session.profile.with_untracked(|p| {
        p.as_ref()
            .is_some_and(|p| policy::may(&p.actor(), Action::ManageVillages))
    });
    let problem = RwSignal::new(None::<&'static str>);
    let name = RwSignal::new(String::new());
    let households = RwSignal::new(String::new());
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewVillage {
            name: name.get_untracked(),
            kind: None,
            household_count: households.get_untracked().trim().parse().ok(),
        };
        problem.set(None);
        leptos::task::spawn_local(async move {
            match client::post::<_, UnitSummary>(&format!("/api/units/{commune}/villages"), &new)
                .await
            {
                Ok(_) => {
                    name.set(String::new());
                    households.set(String::new());
                    again.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };
    let set_count = move |village: i64, raw: String| {
        let change = VillageChange {
            name: None,
            household_count: raw.trim().parse().ok(),
        };
        leptos::task::spawn_local(async move {
            match client::call::<_, UnitSummary>(
                Method::Patch,
                &format!("/api/units/{village}"),
                Some(&change),
            )
            .await
            {
                Ok(_) => again.update(|n| *n += 1),
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };
    view! {
        <h2 class="section-title">{t_string!(i18n, unit_villages)} " (" {villages.len()} ")"</h2>
        <table class="list" data-testid="villages">
            <thead><tr><th>{t_string!(i18n, unit_name)}</th><th>{t_string!(i18n, unit_households)}</th><th>{t_string!(i18n, unit_team)}</th></tr></thead>
            <tbody>
                {villages.into_iter().map(|v| {
                    let team = teams.iter().find(|t| t.unit.id == v.id).map(|t| t.name.clone());
                    let count = v.household_count.map(|c| c.to_string()).unwrap_or_default();
                    view! {
                        <tr data-testid="village-row">
                            <td>{
                                let href = format!("/units/{}", v.id);
                                view! { <a href=href.clone() on:click=follow(nav, href)>{v.name.clone()}</a> }
                            }</td>
                            <td>{if may_keep {
                                leptos::either::Either::Left(view! {
                                    <input type="number" min="0" class="count" value=count
                                        aria-label=t_string!(i18n, unit_households)
                                        on:change=move |ev| set_count(v.id, event_target_value(&ev)) />
                                })
                            } else {
                                leptos::either::Either::Right(count)
                            }}</td>
                            <td>{team.unwrap_or_else(|| "—".to_string())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || problem.get().map(|text| view! { <p class="error-summary" role="alert">{text}</p> })}
        {may_keep.then(|| view! {
            <form class="inline-form" on:submit=add novalidate=true data-testid="add-village">
                <h3>{t_string!(i18n, unit_add_village)}</h3>
                <label for="village-name">{t_string!(i18n, unit_name)}</label>
                <input id="village-name" type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="village-households">{t_string!(i18n, unit_households)}</label>
                <input id="village-households" type="number" min="0" prop:value=move || households.get() on:input=move |ev| households.set(event_target_value(&ev)) />
                <button type="submit" class="primary-button wide">{t_string!(i18n, unit_add_village)}</button>
            </form>
        })}
    }
}

/// Teams as a list with their composition.
#[component]
fn TeamList(teams: Vec<TeamSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let nav = use_nav();
    view! {
        <ul class="team-list" data-testid="teams">
            {teams.into_iter().map(|t| {
                let href = format!("/teams/{}", t.id);
                let gaps = t.gaps.iter().map(|g| gap_text(i18n, *g)).collect::<Vec<_>>().join("; ");
                view! {
                    <li data-testid="team-row" data-gaps=t.gaps.len().to_string()>
                        <a href=href.clone() on:click=follow(nav, href)><strong>{t.name.clone()}</strong></a>
                        <p class="hint">
                            {t.unit.name.clone()} " · " {t.people} " " {t_string!(i18n, unit_people)}
                            {t.leader.clone().map(|l| format!(" · {} {l}", t_string!(i18n, roster_leader)))}
                        </p>
                        {(!gaps.is_empty()).then(|| view! { <p class="gap-line">{gaps}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// A commune's teams; creating one (of a village, or of the commune itself).
#[component]
fn Teams(
    commune: i64,
    teams: Vec<TeamSummary>,
    villages: RwSignal<Option<UnitDetail>>,
    again: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let nav = use_nav();
    let session = expect_context::<Session>();
    let may_create = session.profile.with_untracked(|p| {
        p.as_ref()
            .is_some_and(|p| policy::may(&p.actor(), Action::ManageTeams))
    });
    let problem = RwSignal::new(None::<&'static str>);
    let name = RwSignal::new(String::new());
    let village = RwSignal::new(String::new());
    let decision_no = RwSignal::new(String::new());
    let decision_date = RwSignal::new(String::new());
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewTeam {
            name: name.get_untracked(),
            village_id: village.get_untracked().parse().ok(),
            decision_no: Some(decision_no.get_untracked()),
            decision_date: Some(decision_date.get_untracked()),
        };
        problem.set(None);
        leptos::task::spawn_local(async move {
            match client::post::<_, TeamSummary>(&format!("/api/units/{commune}/teams"), &new).await
            {
                Ok(team) => {
                    again.update(|n| *n += 1);
                    nav.go(&format!("/teams/{}", team.id));
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };
    view! {
        <h2 class="section-title">{t_string!(i18n, unit_teams)} " (" {teams.len()} ")"</h2>
        <TeamList teams />
        {move || problem.get().map(|text| view! { <p class="error-summary" role="alert">{text}</p> })}
        {may_create.then(|| view! {
            <form class="inline-form" on:submit=create novalidate=true data-testid="add-team">
                <h3>{t_string!(i18n, team_create)}</h3>
                <label for="team-name">{t_string!(i18n, unit_name)}</label>
                <input id="team-name" type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="team-village">{t_string!(i18n, form_village)}</label>
                <select id="team-village" on:change=move |ev| village.set(event_target_value(&ev))>
                    <option value="">{t_string!(i18n, team_of_commune)}</option>
                    {move || villages.get().map(|d| d.children.into_iter().map(|v| view! {
                        <option value=v.id.to_string()>{v.name}</option>
                    }).collect_view())}
                </select>
                <label for="team-decision-no">{t_string!(i18n, team_decision_no)}</label>
                <input id="team-decision-no" type="text" prop:value=move || decision_no.get() on:input=move |ev| decision_no.set(event_target_value(&ev)) />
                <label for="team-decision-date">{t_string!(i18n, team_decision_date)}</label>
                <input id="team-decision-date" type="date" prop:value=move || decision_date.get() on:input=move |ev| decision_date.set(event_target_value(&ev)) />
                <button type="submit" class="primary-button wide">{t_string!(i18n, team_create)}</button>
            </form>
        })}
    }
}

/// Importing a commune's roster from a CSV file, with the report of every line.
#[component]
fn RosterImportForm(commune: i64, again: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let report = RwSignal::new(None::<ImportReport>);
    let problem = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let read_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let file = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file {
                leptos::task::spawn_local(async move {
                    if let Ok(content) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        text.set(content.as_string().unwrap_or_default());
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        problem.set(None);
        let file = RosterImport {
            csv: text.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match client::post::<_, ImportReport>(
                &format!("/api/units/{commune}/roster-import"),
                &file,
            )
            .await
            {
                Ok(found) => {
                    report.set(Some(found));
                    again.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="inline-form" on:submit=submit novalidate=true data-testid="roster-import">
            <h2 class="section-title">{t_string!(i18n, import_title)}</h2>
            <p class="hint">{t_string!(i18n, import_hint)}</p>
            <label for="roster-file">{t_string!(i18n, import_file)}</label>
            <input id="roster-file" type="file" accept=".csv,text/csv" on:change=read_file />
            <label for="roster-text">{t_string!(i18n, import_text)}</label>
            <textarea id="roster-text" rows="5" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="submit" class="primary-button wide" disabled=move || busy.get()>{t_string!(i18n, import_submit)}</button>
        </form>
        {move || problem.get().map(|text| view! { <p class="error-summary" role="alert">{text}</p> })}
        {move || report.get().map(|r| view! {
            <section data-testid="import-report">
                <p><strong>{t_string!(i18n, import_added)} " " {r.added.len()}</strong> " · " {t_string!(i18n, import_refused)} " " {r.refused.len()}</p>
                {r.added.into_iter().filter_map(|m| m.one_time_password.map(|p| (m.name, p))).map(|(name, password)| view! {
                    <IssuedPassword name password />
                }).collect_view()}
                <ul class="refused">
                    {r.refused.into_iter().map(|line| view! {
                        <li data-testid="refused-line">{t_string!(i18n, import_line)} " " {line.line} ": " {line_code_text(i18n, &line.code)}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
