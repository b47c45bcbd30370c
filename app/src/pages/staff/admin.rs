//! `/admin`: the administrator's home. The provinces, and creating staff accounts (province
//! staff, commune staff, administrators) with a one-time password shown once.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{fetch_into, matches};
use crate::api::client;
use crate::api::{IssuedPassword as Issued, NewUser, UnitDetail, UnitList};
use crate::components::common::{failure_text, role_text, IssuedPassword, Load, LoadLine};
use crate::domain::policy::Role;
use crate::i18n::{t_string, use_i18n};
use crate::router::{follow, use_nav};

/// The administration page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let nav = use_nav();
    let units = RwSignal::new(None::<UnitList>);
    let load = RwSignal::new(Load::Loading);
    let again = RwSignal::new(0u32);
    fetch_into(move || Some("/api/units".to_string()), units, load, again);
    let search = RwSignal::new(String::new());

    view! {
        <main class="page" data-testid="admin-page">
            <h1 class="section-title">{t_string!(i18n, admin_title)}</h1>
            <p class="links">
                <a href="/users" on:click=follow(nav, "/users")>{t_string!(i18n, nav_users)}</a>
                " · "
                <a href="/audit" on:click=follow(nav, "/audit")>{t_string!(i18n, nav_audit)}</a>
            </p>
            <CreateStaff units />
            <h2 class="section-title">{t_string!(i18n, admin_provinces)}</h2>
            <LoadLine load />
            <input type="search" class="search" placeholder=t_string!(i18n, search_placeholder)
                aria-label=t_string!(i18n, search_placeholder)
                on:input=move |ev| search.set(event_target_value(&ev)) />
            <ul class="plain-list" data-testid="provinces">
                {move || units.get().map(|list| list.units.into_iter()
                    .filter(|u| matches(&u.name, &search.get()))
                    .map(|u| {
                        let href = format!("/units/{}", u.id);
                        view! {
                            <li><a href=href.clone() on:click=follow(nav, href)>{u.name}</a>
                                " " <span class="hint">{u.teams} " " {t_string!(i18n, unit_teams)}</span></li>
                        }
                    }).collect_view())}
            </ul>
        </main>
    }
}

/// The form that creates a staff account.
#[component]
fn CreateStaff(units: RwSignal<Option<UnitList>>) -> impl IntoView {
    let i18n = use_i18n();
    let role = RwSignal::new(Role::CommuneStaff);
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let province = RwSignal::new(None::<i64>);
    let commune = RwSignal::new(None::<i64>);
    let communes = RwSignal::new(None::<UnitDetail>);
    let issued = RwSignal::new(None::<Issued>);
    let problem = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        let Some(province) = province.get() else {
            return;
        };
        leptos::task::spawn_local(async move {
            communes.set(
                client::get::<UnitDetail>(&format!("/api/units/{province}"))
                    .await
                    .ok(),
            );
        });
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let unit = match role.get_untracked() {
            Role::CommuneStaff => commune.get_untracked(),
            _ => province.get_untracked(),
        };
        let Some(unit_id) = unit else {
            problem.set(Some(t_string!(i18n, admin_choose_unit)));
            return;
        };
        let new = NewUser {
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            role: role.get_untracked(),
            unit_id,
        };
        problem.set(None);
        leptos::task::spawn_local(async move {
            match client::post::<_, Issued>("/api/users", &new).await {
                Ok(done) => {
                    name.set(String::new());
                    phone.set(String::new());
                    issued.set(Some(done));
                }
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };
    view! {
        <form class="inline-form" on:submit=submit novalidate=true data-testid="create-staff">
            <h2 class="section-title">{t_string!(i18n, admin_create_staff)}</h2>
            <label for="staff-role">{t_string!(i18n, admin_role)}</label>
            <select id="staff-role" on:change=move |ev| {
                if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }
            }>
                {[Role::CommuneStaff, Role::ProvinceStaff, Role::Admin].into_iter().map(|r| view! {
                    <option value=r.as_str() selected=r == Role::CommuneStaff>{role_text(i18n, r)}</option>
                }).collect_view()}
            </select>
            <label for="staff-name">{t_string!(i18n, roster_name)}</label>
            <input id="staff-name" type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="staff-phone">{t_string!(i18n, login_phone)}</label>
            <input id="staff-phone" type="tel" inputmode="tel" prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
            <label for="staff-province">{t_string!(i18n, admin_province)}</label>
            <select id="staff-province" on:change=move |ev| {
                province.set(event_target_value(&ev).parse().ok());
                commune.set(None);
            }>
                <option value="">{t_string!(i18n, admin_choose)}</option>
                {move || units.get().map(|list| list.units.into_iter().map(|u| view! {
                    <option value=u.id.to_string()>{u.name}</option>
                }).collect_view())}
            </select>
            {move || (role.get() == Role::CommuneStaff).then(|| view! {
                <label for="staff-commune">{t_string!(i18n, admin_commune)}</label>
                <select id="staff-commune" on:change=move |ev| commune.set(event_target_value(&ev).parse().ok())>
                    <option value="">{t_string!(i18n, admin_choose)}</option>
                    {move || communes.get().map(|d| d.children.into_iter().map(|c| view! {
                        <option value=c.id.to_string()>{c.name}</option>
                    }).collect_view())}
                </select>
            })}
            <button type="submit" class="primary-button wide" data-testid="create-staff-submit">{t_string!(i18n, admin_create_staff)}</button>
        </form>
        {move || problem.get().map(|text| view! { <p class="error-summary" role="alert" data-testid="admin-error">{text}</p> })}
        {move || issued.get().map(|done| view! { <IssuedPassword name=done.user.name password=done.one_time_password /> })}
    }
}
