//! `/units/{id}/figures?period=Q2026-3`: a unit's figures for a period (`docs/indicators.md`).
//! The unit's indicators, its communes or villages side by side in a table sorted by any
//! column (each a link one level down), the activities, the months of the year as an SVG
//! chart drawn here with its numbers as a table, the targets (`super::targets`), the
//! difficulties raised and the commendation ranking. Visits awaiting review are shown apart.

use leptos::prelude::*;

use super::{fetch_into, query_value, replace_query};
use crate::api::{
    Catalogue, DifficultyCategoryList, Figures, RankedEntry, Ranking, UnitFigures, UnitLevel,
};
use crate::components::common::{I18n, Load, LoadLine};
use crate::domain::period::{Period, PeriodKind};
use crate::domain::time::{now_ms, Date};
use crate::i18n::{t_string, use_i18n, Locale};
use crate::router::{follow, use_nav};

/// A period as people read it: `Quý 3/2026`, `Tháng 09/2026`, `Tuần 28/09–04/10/2026`...
fn period_text(i18n: I18n, period: Period) -> String {
    let (first, last) = period.days();
    let short = |d: Date| format!("{:02}/{:02}", d.day, d.month);
    match period {
        Period::Week(_) => format!(
            "{} {}–{}",
            t_string!(i18n, fig_week),
            short(first),
            last.to_vietnamese()
        ),
        Period::Month { year, month } => {
            format!("{} {month:02}/{year}", t_string!(i18n, fig_month))
        }
        Period::Quarter { year, quarter } => {
            format!("{} {quarter}/{year}", t_string!(i18n, fig_quarter))
        }
        Period::Year(year) => format!("{} {year}", t_string!(i18n, fig_year)),
        Period::ToTenOctober(year) => format!("01/01–10/10/{year}"),
    }
}

fn kind_text(i18n: I18n, kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Week => t_string!(i18n, fig_week),
        PeriodKind::Month => t_string!(i18n, fig_month),
        PeriodKind::Quarter => t_string!(i18n, fig_quarter),
        PeriodKind::Year => t_string!(i18n, fig_year),
        PeriodKind::ToTenOctober => t_string!(i18n, fig_to_ten_october),
    }
}

fn kind_value(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Week => "W",
        PeriodKind::Month => "M",
        PeriodKind::Quarter => "Q",
        PeriodKind::Year => "Y",
        PeriodKind::ToTenOctober => "D",
    }
}

/// Households reached over the official count, as a percentage with one decimal.
fn coverage_text(figures: &Figures) -> String {
    let c = &figures.coverage;
    if c.households == 0 {
        return "—".into();
    }
    format!("{:.1}%", c.reached as f64 * 100.0 / c.households as f64)
}

/// The columns of the children's table, each sortable.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Visits,
    Households,
    People,
    Coverage,
    Awaiting,
}

impl Column {
    fn value(self, f: &Figures) -> f64 {
        match self {
            Column::Name => 0.0,
            Column::Visits => f.visits as f64,
            Column::Households => f.households as f64,
            Column::People => f.people as f64,
            Column::Coverage if f.coverage.households > 0 => {
                f.coverage.reached as f64 / f.coverage.households as f64
            }
            Column::Coverage => -1.0,
            Column::Awaiting => f.awaiting_review as f64,
        }
    }
}

/// The figures page of a unit.
#[component]
pub fn FiguresPage(unit: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let nav = use_nav();
    let period = RwSignal::new(
        query_value("period")
            .and_then(|p| Period::parse(&p))
            .or_else(|| Period::of(PeriodKind::Quarter, now_ms()))
            .expect("every day is in a quarter"),
    );
    let data = RwSignal::new(None::<UnitFigures>);
    let load = RwSignal::new(Load::Loading);
    let again = RwSignal::new(0u32);
    fetch_into(
        move || unit.map(|u| format!("/api/units/{u}/figures?period={}", period.get().key())),
        data,
        load,
        again,
    );
    let catalogue = RwSignal::new(None::<Catalogue>);
    let kinds = RwSignal::new(None::<DifficultyCategoryList>);
    let (names_load, kinds_load) = (RwSignal::new(Load::Loading), RwSignal::new(Load::Loading));
    fetch_into(
        || Some("/api/catalogue".into()),
        catalogue,
        names_load,
        again,
    );
    fetch_into(
        || Some("/api/difficulty-categories".into()),
        kinds,
        kinds_load,
        again,
    );
    let choose = move |chosen: Period| {
        period.set(chosen);
        replace_query(&[("period", chosen.key())]);
    };
    let activity_name = move |code: &str| super::activity_label(i18n, catalogue, code);
    let kind_name = move |code: &str| {
        kinds.with(|k| {
            k.as_ref()
                .and_then(|k| k.categories.iter().find(|c| c.code == code))
                .map(|c| match i18n.get_locale_untracked() {
                    Locale::vi => c.name_vi.clone(),
                    Locale::en => c.name_en.clone(),
                })
                .unwrap_or_else(|| code.to_string())
        })
    };
    let sort = RwSignal::new((Column::Name, false));
    let indicator = RwSignal::new(None::<crate::domain::target::Indicator>);
    let ranking = RwSignal::new(None::<Ranking>);
    let ranking_load = RwSignal::new(Load::Loading);
    fetch_into(
        move || unit.map(|u| format!("/api/units/{u}/ranking?period={}", period.get().key())),
        ranking,
        ranking_load,
        again,
    );

    view! {
        <main class="page figures-page" data-testid="figures-page">
            <h1 class="section-title" data-testid="figures-title">
                {move || data.get().map(|d| d.name).unwrap_or_default()} " · " {t_string!(i18n, fig_title)}
            </h1>
            <div class="period-picker" data-testid="period-picker">
                <label for="period-kind">{t_string!(i18n, fig_period)}</label>
                <select id="period-kind" data-testid="period-kind" on:change=move |ev| {
                    let kind = match event_target_value(&ev).as_str() {
                        "W" => PeriodKind::Week,
                        "M" => PeriodKind::Month,
                        "Y" => PeriodKind::Year,
                        "D" => PeriodKind::ToTenOctober,
                        _ => PeriodKind::Quarter,
                    };
                    let day = period.get_untracked().days().0;
                    if let Some(p) = Period::of_date(kind, day).or_else(|| Period::of_date(kind, Date { month: 1, day: 1, ..day })) {
                        choose(p);
                    }
                }>
                    {PeriodKind::ALL.into_iter().map(|k| view! {
                        <option value=kind_value(k) selected=move || period.get().kind() == k>{kind_text(i18n, k)}</option>
                    }).collect_view()}
                </select>
                <p class="row-actions">
                    <button type="button" class="small-button" data-testid="period-previous" aria-label=t_string!(i18n, fig_previous)
                        on:click=move |_| choose(period.get_untracked().previous())>"‹"</button>
                    <strong data-testid="period-name">{move || period_text(i18n, period.get())}</strong>
                    <button type="button" class="small-button" data-testid="period-next" aria-label=t_string!(i18n, fig_next)
                        on:click=move |_| choose(period.get_untracked().next())>"›"</button>
                </p>
            </div>
            <p class="links" data-testid="report-links">
                {t_string!(i18n, fig_report)} ": "
                {move || unit.map(|u| {
                    let key = period.get().key();
                    view! {
                        <a href=format!("/api/units/{u}/report?period={key}&format=xlsx") download="" data-testid="report-xlsx" rel="external">"XLSX"</a>
                        " · "
                        <a href=format!("/api/units/{u}/report?period={key}&format=csv") download="" data-testid="report-csv" rel="external">"CSV"</a>
                    }
                })}
            </p>
            <LoadLine load />
            {move || data.get().map(|d| {
                let level = d.level;
                let child_label = if level == UnitLevel::Province { t_string!(i18n, unit_communes) } else { t_string!(i18n, unit_villages) };
                let total = d.total.clone();
                let children = d.children.clone();
                let key = d.period.clone();
                let trend = d.trend.clone();
                let difficulties = d.difficulties.clone();
                let activities = total.activities.clone();
                view! {
                    <section class="figure-cards" data-testid="figures-total">
                        <p data-testid="fig-visits"><strong>{total.visits}</strong> " " {t_string!(i18n, fig_visits)}</p>
                        <p data-testid="fig-households"><strong>{total.households}</strong> " " {t_string!(i18n, fig_households)}</p>
                        <p data-testid="fig-people"><strong>{total.people}</strong> " " {t_string!(i18n, fig_people)}</p>
                        <p data-testid="fig-coverage"><strong>{coverage_text(&total)}</strong> " " {t_string!(i18n, fig_coverage)}
                            {(total.coverage.villages_without_count > 0).then(|| format!(" ({} {})", total.coverage.villages_without_count, t_string!(i18n, fig_without_count)))}</p>
                        <p data-testid="fig-ecommerce"><strong>{total.ecommerce_businesses}</strong> " " {t_string!(i18n, fig_ecommerce)}</p>
                        <p data-testid="fig-active"><strong>{total.active_teams}</strong> " " {t_string!(i18n, fig_active_teams)} " · "
                            <strong>{total.active_members}</strong> " " {t_string!(i18n, fig_active_members)}</p>
                        <p class="hint" data-testid="fig-awaiting">{t_string!(i18n, fig_awaiting)} ": " {total.awaiting_review}</p>
                    </section>
                    {(!children.is_empty()).then(|| {
                        let header = move |column: Column, label: &'static str| view! {
                            <th><button type="button" class="sort" data-testid="sort"
                                aria-sort=move || match sort.get() { (c, false) if c == column => "ascending", (c, true) if c == column => "descending", _ => "none" }
                                on:click=move |_| sort.update(|(c, desc)| { if *c == column { *desc = !*desc } else { *c = column; *desc = column != Column::Name } })>{label}</button></th>
                        };
                        let rows = children.clone();
                        let key = key.clone();
                        view! {
                            <h2 class="section-title">{child_label}</h2>
                            <div class="table-scroll">
                            <table class="list figures-table" data-testid="figures-children">
                                <thead><tr>
                                    {header(Column::Name, t_string!(i18n, unit_name))}
                                    {header(Column::Visits, t_string!(i18n, fig_visits))}
                                    {header(Column::Households, t_string!(i18n, fig_households))}
                                    {header(Column::People, t_string!(i18n, fig_people))}
                                    {header(Column::Coverage, t_string!(i18n, fig_coverage))}
                                    {header(Column::Awaiting, t_string!(i18n, fig_awaiting))}
                                </tr></thead>
                                <tbody>
                                    {move || {
                                        let (column, desc) = sort.get();
                                        let mut rows = rows.clone();
                                        rows.sort_by(|a, b| {
                                            let order = match column {
                                                Column::Name => crate::domain::text::name_order(&a.name, &b.name),
                                                _ => column.value(&a.figures).total_cmp(&column.value(&b.figures)),
                                            };
                                            if desc { order.reverse() } else { order }
                                        });
                                        rows.into_iter().map(|c| {
                                            let href = format!("/units/{}/figures?period={}", c.unit_id, key);
                                            view! {
                                                <tr data-testid="figures-child" data-unit-id=c.unit_id.to_string()>
                                                    <td><a href=href.clone() on:click=follow(nav, href)>{c.name.clone()}</a></td>
                                                    <td>{c.figures.visits}</td>
                                                    <td>{c.figures.households}</td>
                                                    <td>{c.figures.people}</td>
                                                    <td>{coverage_text(&c.figures)}</td>
                                                    <td>{c.figures.awaiting_review}</td>
                                                </tr>
                                            }
                                        }).collect_view()
                                    }}
                                </tbody>
                            </table>
                            </div>
                        }
                    })}
                    {Period::parse(&d.period).map(|p| view! { <super::targets::Targets data=d.clone() period=p catalogue again chosen=indicator /> })}
                    <h2 class="section-title">{t_string!(i18n, fig_activities)}</h2>
                    <table class="list" data-testid="figures-activities">
                        <thead><tr><th>{t_string!(i18n, fig_activity)}</th><th>{t_string!(i18n, fig_households)}</th><th>{t_string!(i18n, fig_people)}</th><th>{t_string!(i18n, fig_visits)}</th></tr></thead>
                        <tbody>
                            {activities.into_iter().map(|a| {
                                let code = a.code.clone();
                                view! {
                                    <tr data-testid="figures-activity" data-code=a.code>
                                        <td>{move || activity_name(&code)}</td><td>{a.households}</td><td>{a.people}</td><td>{a.visits}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <Trend trend />
                    {(level == UnitLevel::Village).then(|| Period::parse(&d.period).map(|p| view! { <super::counted::CountedList unit=d.unit_id period=p catalogue /> }))}
                    <h2 class="section-title">{t_string!(i18n, fig_difficulties)}</h2>
                    {difficulties.is_empty().then(|| view! { <p class="hint">{t_string!(i18n, fig_no_difficulties)}</p> })}
                    <ul class="plain-list" data-testid="figures-difficulties">
                        {difficulties.into_iter().map(|d| view! {
                            <li>{move || kind_name(&d.category)} ": " {d.open} " " {t_string!(i18n, fig_open)} " · " {d.handled} " " {t_string!(i18n, fig_handled)}</li>
                        }).collect_view()}
                    </ul>
                    <h2 class="section-title">{t_string!(i18n, fig_best)}</h2>
                    <p class="hint" data-testid="ranking-rule">{t_string!(i18n, fig_rank_rule)}</p>
                    {move || ranking.get().map(|r| view! {
                        <h3 class="section-title">{t_string!(i18n, fig_best_teams)}</h3>
                        <RankedTable entries=r.teams test_id="ranking-teams" />
                        <h3 class="section-title">{t_string!(i18n, fig_best_members)}</h3>
                        <RankedTable entries=r.members test_id="ranking-members" />
                    })}
                }
            })}
        </main>
    }
}

/// The months of the year: households reached as bars (an SVG drawn here), with the numbers
/// as a table beside it for screen readers and for reading exact values.
#[component]
fn Trend(trend: Vec<crate::api::MonthFigures>) -> impl IntoView {
    let i18n = use_i18n();
    let most = trend.iter().map(|m| m.households).max().unwrap_or(0).max(1);
    let (width, height, bar) = (240.0, 80.0, 20.0);
    let month_of = |period: &str| {
        period
            .get(6..8)
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(1)
    };
    view! {
        <h2 class="section-title">{t_string!(i18n, fig_trend)}</h2>
        <svg class="trend" data-testid="figures-trend" viewBox=format!("0 0 {width} {}", height + 14.0) role="img"
            aria-label=t_string!(i18n, fig_trend)>
            {trend.iter().map(|m| {
                let month = month_of(&m.period);
                let h = m.households as f64 * height / most as f64;
                let x = (f64::from(month) - 1.0) * bar;
                view! {
                    <rect x=x + 2.0 y=height - h width=bar - 4.0 height=h class="bar"><title>{format!("{month:02}: {}", m.households)}</title></rect>
                }
            }).collect_view()}
            {(1..=12u32).map(|month| view! {
                <text x=(f64::from(month) - 0.5) * bar y=height + 12.0 text-anchor="middle" class="axis">{month}</text>
            }).collect_view()}
        </svg>
        <table class="list" data-testid="figures-trend-table">
            <thead><tr><th>{t_string!(i18n, fig_month)}</th><th>{t_string!(i18n, fig_households)}</th><th>{t_string!(i18n, fig_visits)}</th><th>{t_string!(i18n, fig_people)}</th></tr></thead>
            <tbody>
                {trend.into_iter().map(|m| view! {
                    <tr><td>{format!("{:02}", month_of(&m.period))}</td><td>{m.households}</td><td>{m.visits}</td><td>{m.people}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Ranked teams or members with the figures behind their rank.
#[component]
fn RankedTable(entries: Vec<RankedEntry>, test_id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    if entries.is_empty() {
        return view! { <p class="hint" data-testid=test_id>{t_string!(i18n, fig_no_ranking)}</p> }
            .into_any();
    }
    view! {
        <table class="list" data-testid=test_id>
            <thead><tr><th>"#"</th><th>{t_string!(i18n, unit_name)}</th><th>{t_string!(i18n, fig_households)}</th><th>{t_string!(i18n, fig_people)}</th><th>{t_string!(i18n, fig_visits)}</th></tr></thead>
            <tbody>
                {entries.into_iter().map(|e| view! {
                    <tr data-testid="ranked">
                        <td>{e.rank}</td>
                        <td>{e.name}<br /><span class="hint">{e.within}</span></td>
                        <td>{e.households}</td><td>{e.people}</td><td>{e.visits}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
