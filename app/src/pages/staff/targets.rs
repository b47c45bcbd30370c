//! The targets part of a unit's figures page (`docs/indicators.md`, "Targets"; the rules are
//! `crate::domain::target`): pick an indicator; the unit's own target and how far it is; its
//! communes or villages side by side with their targets (editable by staff above them, rule 9
//! of the policy) and progress; for a commune, whether the villages' split adds up.

use leptos::prelude::*;

use crate::api::client::{self, Method};
use crate::api::{Catalogue, Figures, TargetChange, UnitFigures, UnitLevel, UnitTargets};
use crate::components::common::failure_text;
use crate::domain::period::Period;
use crate::domain::policy;
use crate::domain::target::{self, progress, target_of, Indicator};
use crate::i18n::{t_string, use_i18n};
use crate::Session;

/// A figure against its target: `45 / 120 · 37%`, with a bar.
fn progress_view(figures: &Figures, indicator: &Indicator) -> AnyView {
    match target_of(figures, indicator) {
        None => "—".into_any(),
        Some(goal) => {
            let p = progress(indicator.value(figures), goal);
            let width = p.percent.clamp(0, 100);
            view! {
                <span class="progress" data-met=p.met.to_string()>
                    <svg class="progress-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                        <rect class="progress-track" width="100" height="8" />
                        <rect class="progress-fill" width=width.to_string() height="8" />
                    </svg>
                    <span data-testid="target-percent">{format!("{}%", p.percent)}</span>
                </span>
            }
            .into_any()
        }
    }
}

/// The targets of a unit's figures for a quarter or a year.
#[component]
pub fn Targets(
    data: UnitFigures,
    period: Period,
    catalogue: RwSignal<Option<Catalogue>>,
    again: RwSignal<u32>,
    /// The indicator chosen on the page, kept while the figures are read again after a save.
    chosen: RwSignal<Option<Indicator>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if !target::period_takes_targets(period) {
        return view! {
            <h2 class="section-title">{t_string!(i18n, tg_title)}</h2>
            <p class="hint" data-testid="targets-period-hint">{t_string!(i18n, tg_period_hint)}</p>
        }
        .into_any();
    }
    let session = expect_context::<Session>();
    let child_level = match data.level {
        UnitLevel::Province => Some(UnitLevel::Commune),
        UnitLevel::Commune => Some(UnitLevel::Village),
        _ => None,
    };
    let may_set = child_level.is_some_and(|level| {
        session.profile.with_untracked(|p| {
            p.as_ref()
                .is_some_and(|p| policy::may_set_target(&p.actor(), level).is_ok())
        })
    });
    // The indicator shown: the first with a target, or households reached.
    let first = std::iter::once(&data.total)
        .chain(data.children.iter().map(|c| &c.figures))
        .flat_map(|f| f.targets.iter())
        .filter_map(|t| Indicator::parse(&t.indicator))
        .min()
        .unwrap_or(Indicator::Households);
    let first = StoredValue::new(first);
    let shown = move || chosen.get().unwrap_or_else(|| first.get_value());
    let problem = RwSignal::new(None::<&'static str>);
    let indicator_name = move |indicator: &Indicator| -> String {
        match indicator {
            Indicator::Visits => t_string!(i18n, tg_visits).to_string(),
            Indicator::Households => t_string!(i18n, tg_households).to_string(),
            Indicator::People => t_string!(i18n, tg_people).to_string(),
            Indicator::EcommerceBusinesses => t_string!(i18n, tg_ecommerce).to_string(),
            Indicator::Activity(code) => {
                let name = super::activity_label(i18n, catalogue, code);
                format!("{}: {name}", t_string!(i18n, tg_households_with))
            }
        }
    };
    let options = move || {
        let mut all = Indicator::FIXED.to_vec();
        catalogue.with(|c| {
            if let Some(c) = c {
                all.extend(
                    c.activities
                        .iter()
                        .map(|a| Indicator::Activity(a.code.clone())),
                );
            }
        });
        all
    };
    let save = move |unit: i64, raw: String| {
        let value = match raw.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(n) if target::valid_value(n) => Some(n),
                _ => {
                    problem.set(Some(t_string!(i18n, tg_invalid)));
                    return;
                }
            },
        };
        let change = TargetChange {
            period: period.key(),
            indicator: chosen
                .get_untracked()
                .unwrap_or_else(|| first.get_value())
                .key(),
            value,
        };
        problem.set(None);
        leptos::task::spawn_local(async move {
            match client::call::<_, UnitTargets>(
                Method::Put,
                &format!("/api/units/{unit}/targets"),
                Some(&change),
            )
            .await
            {
                Ok(_) => again.update(|n| *n += 1),
                Err(error) => problem.set(Some(failure_text(i18n, &error))),
            }
        });
    };
    let own_label = match data.level {
        UnitLevel::Province => t_string!(i18n, tg_own_province),
        UnitLevel::Commune => t_string!(i18n, tg_own_commune),
        _ => t_string!(i18n, tg_own_village),
    };
    let child_label = match child_level {
        Some(UnitLevel::Commune) => t_string!(i18n, unit_communes),
        _ => t_string!(i18n, unit_villages),
    };
    let level = data.level;
    let total = data.total.clone();
    let children = data.children.clone();
    view! {
        <h2 class="section-title">{t_string!(i18n, tg_title)}</h2>
        <p class="period-picker">
            <label for="target-indicator">{t_string!(i18n, tg_indicator)}</label>
            <select id="target-indicator" data-testid="target-indicator" on:change=move |ev| {
                if let Some(i) = Indicator::parse(&event_target_value(&ev)) { chosen.set(Some(i)) }
            }>
                {move || options().into_iter().map(|i| {
                    let key = i.key();
                    let selected = shown() == i;
                    view! { <option value=key selected=selected>{indicator_name(&i)}</option> }
                }).collect_view()}
            </select>
        </p>
        {move || {
            let indicator = shown();
            let total = total.clone();
            let children = children.clone();
            let own = target_of(&total, &indicator);
            let actual = indicator.value(&total);
            let split = (level == UnitLevel::Commune)
                .then(|| target::split(&total, children.iter().map(|c| &c.figures), &indicator));
            view! {
                <p data-testid="target-own">
                    {own_label} ": "
                    {match own {
                        Some(goal) => view! { <strong>{actual} " / " {goal}</strong> " " {progress_view(&total, &indicator)} }.into_any(),
                        None => view! { <strong>{actual}</strong> " · " {t_string!(i18n, tg_none)} }.into_any(),
                    }}
                </p>
                {split.map(|s| {
                    let text = match (s.difference, own) {
                        (None, _) | (_, None) => format!("{} {}.", t_string!(i18n, tg_split_no_commune), s.sum),
                        (Some(0), Some(goal)) => format!("{} ({goal}).", t_string!(i18n, tg_split_adds_up)),
                        (Some(d), Some(goal)) if d < 0 => format!("{} ({}) {} {} {} ({goal}).", t_string!(i18n, tg_split_sum), s.sum, t_string!(i18n, tg_split_short), -d, t_string!(i18n, tg_split_than)),
                        (Some(d), Some(goal)) => format!("{} ({}) {} {} {} ({goal}).", t_string!(i18n, tg_split_sum), s.sum, t_string!(i18n, tg_split_over), d, t_string!(i18n, tg_split_than)),
                    };
                    let without = (s.villages_without > 0).then(|| format!(" {} {}.", s.villages_without, t_string!(i18n, tg_villages_without)));
                    view! {
                        <p class=if s.adds_up() { "hint" } else { "warning" } data-testid="target-split" data-adds-up=s.adds_up().to_string()>
                            {text} {without}
                        </p>
                    }
                })}
                {(!children.is_empty()).then(|| view! {
                    <div class="table-scroll">
                    <table class="list" data-testid="targets-table">
                        <thead><tr>
                            <th>{child_label}</th>
                            <th>{t_string!(i18n, tg_actual)}</th>
                            <th>{t_string!(i18n, tg_target)}</th>
                            <th>{t_string!(i18n, tg_progress)}</th>
                        </tr></thead>
                        <tbody>
                            {children.into_iter().map(|c| {
                                let goal = target_of(&c.figures, &indicator);
                                let unit = c.unit_id;
                                view! {
                                    <tr data-testid="target-row" data-unit-id=unit.to_string()>
                                        <td>{c.name.clone()}</td>
                                        <td data-testid="target-actual">{indicator.value(&c.figures)}</td>
                                        <td>{if may_set {
                                            view! {
                                                <input type="number" min="0" max=target::MAX_TARGET.to_string() class="count" data-testid="target-input"
                                                    value=goal.map(|g| g.to_string()).unwrap_or_default()
                                                    aria-label=format!("{} {}", t_string!(i18n, tg_target), c.name)
                                                    on:change=move |ev| save(unit, event_target_value(&ev)) />
                                            }.into_any()
                                        } else {
                                            goal.map_or_else(|| "—".to_string(), |g| g.to_string()).into_any()
                                        }}</td>
                                        <td>{progress_view(&c.figures, &indicator)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                })}
            }
        }}
        {move || problem.get().map(|text| view! { <p class="error-summary" role="alert">{text}</p> })}
    }
    .into_any()
}
