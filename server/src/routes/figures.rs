//! The figures of a unit (`docs/indicators.md`): commune staff their villages, province staff
//! their communes, administrators any.

use app::api::{CountedVisits, Ranking, TargetChange, UnitFigures, UnitTargets};
use app::domain::period::{Period, PeriodKind};
use app::domain::policy::Action;
use app::domain::target::{self, Indicator};
use app::domain::time::now_ms;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::input::{ApiPath, ApiQuery};
use crate::auth::Principal;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// `GET /api/units/{id}/figures` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// The period: `W2026-09-28` (a week, by its Monday), `M2026-09`, `Q2026-3`, `Y2026` or
    /// `D2026` (1 January to 10 October). Default: the current quarter.
    pub period: Option<String>,
}

/// The period a query names, the current quarter by default.
fn period_of(raw: Option<&str>) -> Result<Period, ApiError> {
    match raw {
        None => Ok(Period::of(PeriodKind::Quarter, now_ms()).expect("every day is in a quarter")),
        Some(raw) => Period::parse(raw).ok_or_else(|| {
            ApiError::InvalidQuery(
                "period is W<monday yyyy-mm-dd>, M<yyyy-mm>, Q<yyyy-q>, Y<yyyy> or D<yyyy>".into(),
            )
        }),
    }
}

/// A unit's figures for a period (approved visits only; visits awaiting review apart): its
/// own, its communes' or villages' side by side, the months of the period's year and the
/// difficulties raised in the period. Read from kept figures: the cost follows the number of
/// units, not of visits.
#[utoipa::path(get, path = "/api/units/{id}/figures", tag = "figures", params(("id" = i64, Path, description = "Village, commune or province id"), FiguresQuery),
    responses(
        (status = 200, body = UnitFigures),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: members and leaders read their team's figures on their phone"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such unit in the caller's scope"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query, no_figures"),
    ))]
pub async fn unit_figures(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(unit): ApiPath<i64>,
    ApiQuery(query): ApiQuery<FiguresQuery>,
) -> Result<Json<UnitFigures>, ApiError> {
    let scope = principal.scope(Action::ReadFigures)?;
    let period = period_of(query.period.as_deref())?;
    Ok(Json(state.store.unit_figures(scope, unit, period).await?))
}

/// `GET /api/units/{id}/report` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The period, as for the figures. Default: the current quarter.
    pub period: Option<String>,
    /// `xlsx` (the default) or `csv` (UTF-8 with a byte-order mark).
    pub format: Option<String>,
}

/// The report of a unit for a period as a file: one row per unit (the unit itself first, as
/// the total; a province's communes each followed by its villages; a commune's villages),
/// the indicators as columns with Vietnamese headers, the period and the date produced.
/// Audited (`report_exported`).
#[utoipa::path(get, path = "/api/units/{id}/report", tag = "figures", params(("id" = i64, Path, description = "Village, commune or province id"), ReportQuery),
    responses(
        (status = 200, description = "The file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such unit in the caller's scope"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query, no_figures"),
    ))]
pub async fn report(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(unit): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let scope = principal.scope(Action::ReadFigures)?;
    let period = period_of(query.period.as_deref())?;
    let format = match query.format.as_deref() {
        None | Some("xlsx") => "xlsx",
        Some("csv") => "csv",
        Some(_) => return Err(ApiError::InvalidQuery("format is xlsx or csv".into())),
    };
    let report = state
        .store
        .export_report(scope, unit, period, format, principal.by())
        .await?;
    let table = crate::report::table(&report, now_ms());
    let (body, content_type) = match format {
        "csv" => (
            crate::report::csv(&table).map_err(|e| ApiError::Internal(e.to_string()))?,
            "text/csv; charset=utf-8",
        ),
        _ => (
            crate::report::xlsx(&table).map_err(|e| ApiError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    };
    let file = format!(
        "attachment; filename=\"so-lieu-{unit}-{}.{format}\"",
        period.key()
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
}

/// `GET /api/units/{id}/ranking` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RankingQuery {
    /// The period, as for the figures. Default: the year to 10 October of this year.
    pub period: Option<String>,
    /// How many of each (1–50, default 10).
    pub limit: Option<usize>,
}

/// The best teams and the best Youth Union members of a unit in a period, by the rule of
/// `docs/indicators.md` ("Commendation"), with the figures behind the ranking.
#[utoipa::path(get, path = "/api/units/{id}/ranking", tag = "figures", params(("id" = i64, Path, description = "Village, commune or province id"), RankingQuery),
    responses(
        (status = 200, body = Ranking),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such unit in the caller's scope"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query"),
    ))]
pub async fn ranking(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(unit): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RankingQuery>,
) -> Result<Json<Ranking>, ApiError> {
    let scope = principal.scope(Action::ReadFigures)?;
    let period = match query.period.as_deref() {
        None => Period::ToTenOctober(app::domain::time::vietnam_date(now_ms()).year),
        raw => period_of(raw)?,
    };
    let limit = match query.limit {
        None => 10,
        Some(n @ 1..=50) => n,
        Some(_) => return Err(ApiError::InvalidQuery("limit is 1 to 50".into())),
    };
    Ok(Json(state.store.ranking(scope, unit, period, limit).await?))
}

/// Sets (or, with `value` null, clears) one target of a commune or a village for a quarter or
/// a year (`docs/indicators.md`, "Targets"): province staff for their communes and villages,
/// commune staff for their villages (splitting the commune's target). Audited (`target_set`).
#[utoipa::path(put, path = "/api/units/{id}/targets", tag = "figures", request_body = TargetChange,
    params(("id" = i64, Path, description = "Commune or village id")),
    responses(
        (status = 200, body = UnitTargets, description = "The unit's targets for the period after the change"),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: members, leaders, and commune staff for their own commune"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such unit in the caller's scope"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_body, target_period (not a quarter or a year), indicator_invalid, unknown_activity, target_invalid (not 0 to 10,000,000), no_targets (not a commune or a village)"),
    ))]
pub async fn set_target(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(unit): ApiPath<i64>,
    ApiJson(change): ApiJson<TargetChange>,
) -> Result<Json<UnitTargets>, ApiError> {
    let scope = principal.scope(Action::SetTargets)?;
    let period = Period::parse(&change.period)
        .filter(|p| target::period_takes_targets(*p))
        .ok_or(ApiError::Invalid {
            code: "target_period",
            field: Some("period"),
            message: "targets are set for a quarter (Q2026-3) or a year (Y2026)",
        })?;
    let indicator = Indicator::parse(&change.indicator).ok_or(ApiError::Invalid {
        code: "indicator_invalid",
        field: Some("indicator"),
        message: "indicator is households, visits, people, ecommerce_businesses or activity:<code>",
    })?;
    if change.value.is_some_and(|v| !target::valid_value(v)) {
        return Err(ApiError::Invalid {
            code: "target_invalid",
            field: Some("value"),
            message: "a target is a whole number from 0 to 10,000,000, or null to clear it",
        });
    }
    Ok(Json(
        state
            .store
            .set_target(
                scope,
                principal.actor(),
                unit,
                period,
                indicator,
                change.value,
                principal.by(),
            )
            .await?,
    ))
}

/// `GET /api/units/{id}/counted-visits` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CountedQuery {
    /// The period, as for the figures. Default: the current quarter.
    pub period: Option<String>,
    /// Only this team's visits.
    pub team: Option<uuid::Uuid>,
    /// Only visits that recorded this activity code.
    pub activity: Option<String>,
    /// How many visits at most (1–500, default 100).
    pub limit: Option<i64>,
}

/// The approved visits behind a village's figures for a period (the drill-down under
/// province → commune → village → team), newest first, with the teams that logged them.
/// Household names are personal data: staff read them only over their own place.
#[utoipa::path(get, path = "/api/units/{id}/counted-visits", tag = "figures", params(("id" = i64, Path, description = "Village id"), CountedQuery),
    responses(
        (status = 200, body = CountedVisits),
        (status = 401, body = app::api::ErrorBody, description = "unauthenticated"),
        (status = 403, body = app::api::ErrorBody, description = "forbidden"),
        (status = 404, body = app::api::ErrorBody, description = "not_found: no such unit in the caller's scope"),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query, not_a_village"),
    ))]
pub async fn counted_visits(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(unit): ApiPath<i64>,
    ApiQuery(query): ApiQuery<CountedQuery>,
) -> Result<Json<CountedVisits>, ApiError> {
    let scope = principal.scope(Action::ReadFigures)?;
    let period = period_of(query.period.as_deref())?;
    let limit = match query.limit {
        None => 100,
        Some(n @ 1..=500) => n,
        Some(_) => return Err(ApiError::InvalidQuery("limit is 1 to 500".into())),
    };
    let activity = match query.activity {
        Some(code) if Indicator::parse(&format!("activity:{code}")).is_none() => {
            return Err(ApiError::InvalidQuery(
                "activity is an activity code".into(),
            ))
        }
        other => other,
    };
    Ok(Json(
        state
            .store
            .counted_visits(scope, unit, period, query.team, activity, limit)
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(unit_figures))
        .routes(routes!(counted_visits))
        .routes(routes!(set_target))
        .routes(routes!(report))
        .routes(routes!(ranking))
}
