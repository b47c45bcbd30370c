//! The visits behind a village's figures (the drill-down's last step: province → commune →
//! village → team → visits): the teams that logged approved visits in the period, and the
//! visits themselves, newest first, of one team or with one activity when chosen.

use leptos::prelude::*;

use super::fetch_into;
use crate::api::{Catalogue, CountedVisits};
use crate::components::common::{Load, LoadLine};
use crate::domain::period::Period;
use crate::domain::time::format_date_time;
use crate::i18n::{t_string, use_i18n};

/// The counted visits of a village in a period.
#[component]
pub fn CountedList(
    unit: i64,
    period: Period,
    catalogue: RwSignal<Option<Catalogue>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let team = RwSignal::new(String::new());
    let activity = RwSignal::new(String::new());
    let data = RwSignal::new(None::<CountedVisits>);
    let load = RwSignal::new(Load::Loading);
    fetch_into(
        move || {
            let mut url = format!("/api/units/{unit}/counted-visits?period={}", period.key());
            let (team, activity) = (team.get(), activity.get());
            if !team.is_empty() {
                url.push_str(&format!("&team={team}"));
            }
            if !activity.is_empty() {
                url.push_str(&format!("&activity={activity}"));
            }
            Some(url)
        },
        data,
        load,
        RwSignal::new(0),
    );
    let activity_name = move |code: &str| super::activity_label(i18n, catalogue, code);
    view! {
        <h2 class="section-title">{t_string!(i18n, cv_title)}</h2>
        <p class="hint">{t_string!(i18n, cv_hint)}</p>
        <p class="filters">
            <label>{t_string!(i18n, cv_team)}
                <select data-testid="counted-team" on:change=move |ev| team.set(event_target_value(&ev))>
                    <option value="">{t_string!(i18n, cv_all)}</option>
                    {move || data.with(|d| d.as_ref().map(|d| d.teams.clone()).unwrap_or_default()).into_iter().map(|t| {
                        let id = t.team_id.to_string();
                        let selected = team.get_untracked() == id;
                        view! { <option value=id selected=selected>{format!("{} ({} · {} {})", t.name, t.visits, t.households, t_string!(i18n, fig_households))}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{t_string!(i18n, fig_activity)}
                <select data-testid="counted-activity" on:change=move |ev| activity.set(event_target_value(&ev))>
                    <option value="">{t_string!(i18n, cv_all)}</option>
                    {move || catalogue.with(|c| c.as_ref().map(|c| c.activities.clone()).unwrap_or_default()).into_iter().map(|a| {
                        let name = activity_name(&a.code);
                        view! { <option value=a.code>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
        </p>
        <LoadLine load />
        {move || data.get().map(|d| view! {
            <p data-testid="counted-total">{d.total} " " {t_string!(i18n, fig_visits)}
                {(d.total > d.visits.len() as i64).then(|| format!(" · {} {}", t_string!(i18n, cv_newest), d.visits.len()))}</p>
            <ul class="plain-list" data-testid="counted-visits">
                {d.visits.into_iter().map(|v| {
                    let done = v.activities.iter().map(|a| format!("{} ({})", activity_name(&a.code), a.people)).collect::<Vec<_>>().join(", ");
                    view! {
                        <li data-testid="counted-visit" data-id=v.id.to_string()>
                            <strong>{v.household_name}</strong> " · " {format_date_time(v.visited_at)}<br />
                            <span class="hint">{v.team_name} " · " {v.member_name}</span><br />
                            {done}
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}
