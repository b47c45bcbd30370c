//! Units (provinces, communes, villages), and what is created in a commune: villages, teams,
//! rosters imported from a CSV file.

use app::api::{
    ImportReport, NewTeam, NewVillage, RosterImport, TeamSummary, UnitDetail, UnitList,
    UnitSummary, VillageChange,
};
use app::domain::policy::Action;
use app::domain::team::{Affiliation, Position};
use app::domain::text::fold;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::input::{self, ApiPath};
use crate::auth::passwords::one_time_password;
use crate::auth::Principal;
use crate::db::teams::{ImportLine, ImportPerson, Joiner};
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// The units at the top of the user's scope: every province for an administrator, the
/// province or commune of staff.
#[utoipa::path(get, path = "/api/units", tag = "units",
    responses(
        (status = 200, body = UnitList),
        (status = 401, body = app::api::ErrorBody),
        (status = 403, body = app::api::ErrorBody, description = "forbidden: team people read their team instead"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<UnitList>, ApiError> {
    let scope = principal.scope(Action::ReadUnits)?;
    Ok(Json(state.store.units(scope).await?))
}

/// A unit, its ancestors, the units under it (with their teams and how many miss the
/// composition rule) and, for a commune or village, its teams.
#[utoipa::path(get, path = "/api/units/{id}", tag = "units",
    params(("id" = i64, Path, description = "Unit id")),
    responses(
        (status = 200, body = UnitDetail),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody, description = "no such unit in the user's scope"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UnitDetail>, ApiError> {
    let scope = principal.scope(Action::ReadUnits)?;
    Ok(Json(state.store.unit(scope, id).await?))
}

/// Renames a village or sets its official household count (used for coverage). Provinces
/// and communes come from the national list and are not changed here.
#[utoipa::path(patch, path = "/api/units/{id}", tag = "units", request_body = VillageChange,
    params(("id" = i64, Path, description = "Village id")),
    responses(
        (status = 200, body = UnitSummary),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody),
        (status = 409, body = app::api::ErrorBody, description = "name_taken"),
        (status = 422, body = app::api::ErrorBody, description = "not_a_village, name_required, name_too_long, household_count_invalid"),
    ))]
pub async fn change(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<VillageChange>,
) -> Result<Json<UnitSummary>, ApiError> {
    let scope = principal.scope(Action::ManageVillages)?;
    let change = VillageChange {
        name: input::optional_name(change.name.as_deref(), "name")?,
        household_count: input::household_count(change.household_count)?,
    };
    Ok(Json(
        state
            .store
            .change_village(scope, id, change, principal.by())
            .await?,
    ))
}

/// Adds a village to a commune. Commune staff (their commune) and administrators.
#[utoipa::path(post, path = "/api/units/{id}/villages", tag = "units", request_body = NewVillage,
    params(("id" = i64, Path, description = "Commune id")),
    responses(
        (status = 201, body = UnitSummary),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody, description = "no such commune in the user's scope"),
        (status = 409, body = app::api::ErrorBody, description = "name_taken"),
        (status = 422, body = app::api::ErrorBody, description = "not_a_commune, name_required, name_too_long, household_count_invalid"),
    ))]
pub async fn add_village(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(commune): ApiPath<i64>,
    ApiJson(new): ApiJson<NewVillage>,
) -> Result<(StatusCode, Json<UnitSummary>), ApiError> {
    let scope = principal.scope(Action::ManageVillages)?;
    let new = NewVillage {
        name: input::name(&new.name, "name")?,
        kind: input::short_text(new.kind.as_deref(), "kind")?,
        household_count: input::household_count(new.household_count)?,
    };
    let village = state
        .store
        .add_village(scope, commune, new, principal.by())
        .await?;
    Ok((StatusCode::CREATED, Json(village)))
}

/// Creates a team on a village of the commune, or (without `village_id`) on the commune
/// itself. One team per village or commune.
#[utoipa::path(post, path = "/api/units/{id}/teams", tag = "teams", request_body = NewTeam,
    params(("id" = i64, Path, description = "Commune id")),
    responses(
        (status = 201, body = TeamSummary),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody),
        (status = 409, body = app::api::ErrorBody, description = "team_exists"),
        (status = 422, body = app::api::ErrorBody, description = "not_a_commune, village_not_in_commune, name_required, date_invalid"),
    ))]
pub async fn add_team(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(commune): ApiPath<i64>,
    ApiJson(new): ApiJson<NewTeam>,
) -> Result<(StatusCode, Json<TeamSummary>), ApiError> {
    let scope = principal.scope(Action::ManageTeams)?;
    let new = NewTeam {
        name: input::name(&new.name, "name")?,
        village_id: new.village_id,
        decision_no: input::short_text(new.decision_no.as_deref(), "decision_no")?,
        decision_date: input::date(new.decision_date.as_deref(), "decision_date")?,
    };
    let team = state
        .store
        .create_team(scope, commune, new, principal.by())
        .await?;
    Ok((StatusCode::CREATED, Json(team)))
}

/// Most lines one roster file may hold.
pub const MAX_IMPORT_LINES: usize = 1000;

/// A roster file's column, by the header names people write (folded).
fn column(header: &str) -> Option<usize> {
    match fold(header).as_str() {
        "name" | "ho ten" | "ho va ten" | "ten" => Some(0),
        "phone" | "so dien thoai" | "dien thoai" | "sdt" => Some(1),
        "village" | "thon" | "thon, to dan pho" | "thon/to dan pho" | "to dan pho" => Some(2),
        "affiliation" | "vai tro" | "doan the" | "thanh phan" => Some(3),
        _ => None,
    }
}

/// An affiliation as people write it: the code, or its Vietnamese name.
fn affiliation(raw: &str) -> Option<Affiliation> {
    let folded = fold(raw).replace('_', " ");
    Some(match folded.as_str() {
        "youth union" | "doan thanh nien" | "doan vien" | "thanh nien" | "doan" => {
            Affiliation::YouthUnion
        }
        "womens union" | "hoi phu nu" | "phu nu" | "hoi lien hiep phu nu" => {
            Affiliation::WomensUnion
        }
        "village cadre" | "can bo thon" | "can bo" => Affiliation::VillageCadre,
        "police" | "cong an" => Affiliation::Police,
        "other" | "khac" | "" => Affiliation::Other,
        _ => return None,
    })
}

/// One line of a roster file: its number, and its four fields or why they cannot be read.
type RosterLine = (u32, Result<[String; 4], &'static str>);

/// Reads the file: the header names the columns; every other line is one person.
fn read_roster(csv_text: &str) -> Result<Vec<RosterLine>, ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let columns_refused = || {
        ApiError::invalid(
            "columns",
            "csv",
            "the first line names the columns: name, phone, village, affiliation",
        )
    };
    let headers = reader.headers().map_err(|_| columns_refused())?.clone();
    let mut places = [None; 4];
    for (i, header) in headers.iter().enumerate() {
        if let Some(col) = column(header) {
            places[col] = Some(i);
        }
    }
    let places: Vec<usize> = places
        .into_iter()
        .collect::<Option<_>>()
        .ok_or_else(columns_refused)?;
    let mut lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_IMPORT_LINES {
            return Err(ApiError::TooLarge {
                what: "lines",
                limit: MAX_IMPORT_LINES as u64,
            });
        }
        let line = (i + 2) as u32;
        let fields = record.ok().map(|r| {
            let get = |col: usize| r.get(places[col]).unwrap_or("").to_string();
            [get(0), get(1), get(2), get(3)]
        });
        if fields
            .as_ref()
            .is_some_and(|f| f.iter().all(String::is_empty))
        {
            continue;
        }
        lines.push((line, fields.ok_or("columns")));
    }
    Ok(lines)
}

/// Imports a commune's roster from CSV: `name, phone, village, affiliation` (or the
/// Vietnamese `họ tên, số điện thoại, thôn, vai trò`), a header line first. Each person joins
/// the team of their village (an empty village: the commune's own team); a new phone number
/// makes an account with a one-time password, shown once in the answer. Every refused line
/// is reported with a code and changes nothing; the good ones are kept.
#[utoipa::path(post, path = "/api/units/{id}/roster-import", tag = "teams", request_body = RosterImport,
    params(("id" = i64, Path, description = "Commune id")),
    responses(
        (status = 200, body = ImportReport),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody),
        (status = 413, body = app::api::ErrorBody, description = "too_large: over 1000 lines"),
        (status = 422, body = app::api::ErrorBody, description = "columns: the header does not name the four columns; not_a_commune"),
    ))]
pub async fn import_roster(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(commune): ApiPath<i64>,
    ApiJson(file): ApiJson<RosterImport>,
) -> Result<Json<ImportReport>, ApiError> {
    let scope = principal.scope(Action::ImportRoster)?;
    let mut lines = Vec::new();
    for (line, fields) in read_roster(&file.csv)? {
        let content = match fields {
            Err(code) => Err(code),
            Ok([name, phone, village, affiliation_text]) => {
                match (
                    input::name(&name, "name"),
                    input::phone(&phone),
                    affiliation(&affiliation_text),
                ) {
                    (Err(e), _, _) | (_, Err(e), _) => Err(e.code()),
                    (_, _, None) => Err("affiliation_unknown"),
                    (Ok(name), Ok(phone), Some(affiliation)) => {
                        let password = one_time_password();
                        let hash = state.hasher.hash(password.clone()).await;
                        Ok(ImportPerson {
                            joiner: Joiner {
                                name,
                                phone: phone.as_str().to_string(),
                                affiliation,
                                position: Position::Member,
                                password: (password, hash),
                            },
                            village: Some(village).filter(|v| !v.is_empty()),
                        })
                    }
                }
            }
        };
        lines.push(ImportLine { line, content });
    }
    Ok(Json(
        state
            .store
            .import_roster(scope, principal.actor(), commune, lines, principal.by())
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(detail))
        .routes(routes!(change))
        .routes(routes!(add_village))
        .routes(routes!(add_team))
        .routes(routes!(import_roster))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_headers_and_affiliations_are_understood() {
        let lines = read_roster(
            "\u{feff}Họ tên,Số điện thoại,Thôn,Vai trò\n\
             Nguyễn Văn A,0912345678,Thôn Hội Khánh,Đoàn Thanh niên\n\
             ,,,\n\
             Trần Thị B,0912345679,,Hội Phụ nữ\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2, "blank lines are skipped");
        assert_eq!(lines[0].0, 2);
        assert_eq!(lines[1].0, 4);
        assert_eq!(
            affiliation("Đoàn Thanh niên"),
            Some(Affiliation::YouthUnion)
        );
        assert_eq!(affiliation("womens_union"), Some(Affiliation::WomensUnion));
        assert_eq!(affiliation("Cán bộ thôn"), Some(Affiliation::VillageCadre));
        assert_eq!(affiliation("hội đồng"), None);
    }

    #[test]
    fn a_file_without_the_four_columns_is_refused() {
        assert_eq!(
            read_roster("name,phone\nA,0912345678\n")
                .unwrap_err()
                .code(),
            "columns"
        );
    }
}
