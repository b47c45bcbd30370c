//! A team and its roster: read it, rename it, record its decision, add people (a new phone
//! number gets an account with a one-time password), change their affiliation, choose the
//! leader, take people off.

use app::api::{
    AddedMember, MemberChange, NewMember, RosterEntry, TeamChange, TeamDetail, TeamSummary,
};
use app::domain::policy::Action;
use app::domain::team::Position;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::input::{self, ApiPath};
use crate::auth::passwords::one_time_password;
use crate::auth::Principal;
use crate::db::teams::Joiner;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// A team and the people on it now, with each one's last sync and what the team lacks under
/// the composition rule. Its members, its leader, commune staff, province staff and
/// administrators whose scope covers it.
#[utoipa::path(get, path = "/api/teams/{id}", tag = "teams",
    params(("id" = Uuid, Path, description = "Team id")),
    responses(
        (status = 200, body = TeamDetail),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody, description = "no such team in the user's scope"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TeamDetail>, ApiError> {
    let scope = principal.scope(Action::ReadTeams)?;
    Ok(Json(state.store.team(scope, id).await?))
}

/// Renames a team or records the commune's decision (number, date). Commune staff and
/// administrators.
#[utoipa::path(patch, path = "/api/teams/{id}", tag = "teams", request_body = TeamChange,
    params(("id" = Uuid, Path, description = "Team id")),
    responses(
        (status = 200, body = TeamSummary),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody),
        (status = 422, body = app::api::ErrorBody, description = "name_required, name_too_long, date_invalid"),
    ))]
pub async fn change(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(change): ApiJson<TeamChange>,
) -> Result<Json<TeamSummary>, ApiError> {
    let scope = principal.scope(Action::ManageTeams)?;
    let change = TeamChange {
        name: input::optional_name(change.name.as_deref(), "name")?,
        decision_no: input::short_text(change.decision_no.as_deref(), "decision_no")?,
        decision_date: input::date(change.decision_date.as_deref(), "decision_date")?,
    };
    Ok(Json(
        state
            .store
            .change_team(scope, id, change, principal.by())
            .await?,
    ))
}

/// Puts a person on the roster. A new phone number makes a member account with a one-time
/// password (in the answer, shown once; it must be changed at the first sign-in); the number
/// of a team person on no team adds that account. Its leader, commune staff, administrators.
#[utoipa::path(post, path = "/api/teams/{id}/members", tag = "teams", request_body = NewMember,
    params(("id" = Uuid, Path, description = "Team id")),
    responses(
        (status = 201, body = AddedMember),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody, description = "no such team in the user's scope"),
        (status = 409, body = app::api::ErrorBody, description = "phone_taken, already_on_team, on_another_team (move them instead)"),
        (status = 422, body = app::api::ErrorBody, description = "name_required, name_too_long, phone_invalid"),
    ))]
pub async fn add_member(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(team): ApiPath<Uuid>,
    ApiJson(new): ApiJson<NewMember>,
) -> Result<(StatusCode, Json<AddedMember>), ApiError> {
    // Everyone who may keep a roster (a leader, commune staff, an administrator) outranks the
    // member account a new phone number makes (policy rule 8).
    let scope = principal.scope(Action::ManageRoster)?;
    let name = input::name(&new.name, "name")?;
    let phone = input::phone(&new.phone)?;
    let password = one_time_password();
    let hash = state.hasher.hash(password.clone()).await;
    let joiner = Joiner {
        name,
        phone: phone.as_str().to_string(),
        affiliation: new.affiliation,
        position: if new.leader {
            Position::Leader
        } else {
            Position::Member
        },
        password: (password, hash),
    };
    let added = state
        .store
        .add_member(scope, team, joiner, principal.by())
        .await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Changes a person's affiliation, or makes them the leader (the current leader becomes a
/// member) or a member again.
#[utoipa::path(patch, path = "/api/teams/{id}/members/{user}", tag = "teams", request_body = MemberChange,
    params(("id" = Uuid, Path, description = "Team id"), ("user" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = RosterEntry),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody, description = "no such team in scope, or the person is not on it"),
    ))]
pub async fn change_member(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((team, user)): ApiPath<(Uuid, Uuid)>,
    ApiJson(change): ApiJson<MemberChange>,
) -> Result<Json<RosterEntry>, ApiError> {
    let scope = principal.scope(Action::ManageRoster)?;
    Ok(Json(
        state
            .store
            .change_member(scope, team, user, change, principal.by())
            .await?,
    ))
}

/// Takes a person off the roster. Their account stays open (they can join another team);
/// the visits they logged stay with this team.
#[utoipa::path(delete, path = "/api/teams/{id}/members/{user}", tag = "teams",
    params(("id" = Uuid, Path, description = "Team id"), ("user" = Uuid, Path, description = "User id")),
    responses(
        (status = 204, description = "Off the roster"),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 404, body = app::api::ErrorBody, description = "no such team in scope, or the person is not on it"),
    ))]
pub async fn remove_member(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((team, user)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let scope = principal.scope(Action::ManageRoster)?;
    state
        .store
        .remove_member(scope, team, user, principal.by())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(detail))
        .routes(routes!(change))
        .routes(routes!(add_member))
        .routes(routes!(change_member))
        .routes(routes!(remove_member))
}
