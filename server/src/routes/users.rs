//! Accounts: list them, create staff accounts, reset a password, rename, close and reopen,
//! move a team person to another team. Only accounts of a role below one's own (rule 8 of
//! the policy); administrators any.

use app::api::{IssuedPassword, MoveUser, NewUser, UserChange, UserList, UserSummary};
use app::domain::policy::{outranks, Action};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::input::{self, ApiPath, ApiQuery};
use crate::auth::passwords::one_time_password;
use crate::auth::Principal;
use crate::db::users::NewStaff;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// One's own account is not changed here (one's password: `POST /api/auth/password`):
/// closing, resetting or moving oneself is for someone above.
fn not_own(principal: &Principal, id: Uuid) -> Result<(), ApiError> {
    if id == principal.id() {
        return Err(ApiError::Conflict {
            code: "own_account",
            message: "ask someone above you to change your own account",
        });
    }
    Ok(())
}

/// `GET /api/users` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct UsersQuery {
    /// Only accounts working in this unit or under it.
    pub unit: Option<i64>,
}

/// Accounts in the user's scope (commune staff: their commune; province staff: their
/// province; administrators: all), by name the Vietnamese way; at most 500.
#[utoipa::path(get, path = "/api/users", tag = "users", params(UsersQuery),
    responses(
        (status = 200, body = UserList),
        (status = 401, body = app::api::ErrorBody), (status = 403, body = app::api::ErrorBody),
        (status = 422, body = app::api::ErrorBody, description = "invalid_query"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<UsersQuery>,
) -> Result<Json<UserList>, ApiError> {
    let scope = principal.scope(Action::ReadUsers)?;
    Ok(Json(state.store.users(scope, query.unit).await?))
}

/// Creates a staff account with a one-time password (in the answer, shown once; it must be
/// changed at the first sign-in): commune staff in a commune, province staff or an
/// administrator in a province. Only roles below one's own; administrators any. Team people
/// join through a team's roster.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = NewUser,
    responses(
        (status = 201, body = IssuedPassword),
        (status = 401, body = app::api::ErrorBody),
        (status = 403, body = app::api::ErrorBody, description = "forbidden, role_not_below"),
        (status = 404, body = app::api::ErrorBody, description = "no such unit in the user's scope"),
        (status = 409, body = app::api::ErrorBody, description = "phone_taken"),
        (status = 422, body = app::api::ErrorBody, description = "use_roster (a team role), unit_level (the unit does not fit the role), name_required, phone_invalid"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<IssuedPassword>), ApiError> {
    let scope = principal.scope(Action::ManageUsers)?;
    outranks(&principal.actor(), new.role)?;
    let name = input::name(&new.name, "name")?;
    let phone = input::phone(&new.phone)?;
    let password = one_time_password();
    let password_hash = state.hasher.hash(password.clone()).await;
    let issued = state
        .store
        .create_staff(
            scope,
            principal.actor(),
            NewStaff {
                name,
                phone: phone.as_str().to_string(),
                role: new.role,
                unit_id: new.unit_id,
                password,
                password_hash,
            },
            principal.by(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Renames, closes or reopens an account. A closed account leaves its team's roster and its
/// sessions end; for 30 days it may still sign in only to send the visits its phone logged
/// before it was closed. Its visits keep the team and village they were logged in.
#[utoipa::path(patch, path = "/api/users/{id}", tag = "users", request_body = UserChange,
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = UserSummary),
        (status = 401, body = app::api::ErrorBody),
        (status = 403, body = app::api::ErrorBody, description = "forbidden, role_not_below"),
        (status = 404, body = app::api::ErrorBody, description = "no such account in the user's scope"),
        (status = 409, body = app::api::ErrorBody, description = "own_account: not one's own account"),
        (status = 422, body = app::api::ErrorBody, description = "name_required, name_too_long"),
    ))]
pub async fn change(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<Json<UserSummary>, ApiError> {
    let scope = principal.scope(Action::ManageUsers)?;
    not_own(&principal, id)?;
    let change = UserChange {
        name: input::optional_name(change.name.as_deref(), "name")?,
        active: change.active,
    };
    Ok(Json(
        state
            .store
            .change_user(scope, principal.actor(), id, change, principal.by())
            .await?,
    ))
}

/// Gives an account a new one-time password (in the answer, shown once) that must be changed
/// at the next sign-in; the account's sessions end.
#[utoipa::path(post, path = "/api/users/{id}/password-reset", tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = IssuedPassword),
        (status = 401, body = app::api::ErrorBody),
        (status = 403, body = app::api::ErrorBody, description = "forbidden, role_not_below"),
        (status = 404, body = app::api::ErrorBody),
        (status = 409, body = app::api::ErrorBody, description = "own_account: one's own password is changed with POST /api/auth/password"),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<IssuedPassword>, ApiError> {
    let scope = principal.scope(Action::ManageUsers)?;
    not_own(&principal, id)?;
    let password = one_time_password();
    let hash = state.hasher.hash(password.clone()).await;
    Ok(Json(
        state
            .store
            .reset_password(scope, principal.actor(), id, password, hash, principal.by())
            .await?,
    ))
}

/// Moves a team person to another team: their place on the old roster ends (the visits they
/// logged there stay there; visits still on their phone from before are credited to the team
/// they were on when they made them), a place on the new one begins.
#[utoipa::path(post, path = "/api/users/{id}/move", tag = "users", request_body = MoveUser,
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = UserSummary),
        (status = 401, body = app::api::ErrorBody),
        (status = 403, body = app::api::ErrorBody, description = "forbidden, role_not_below"),
        (status = 404, body = app::api::ErrorBody, description = "no such account or team in the user's scope"),
        (status = 409, body = app::api::ErrorBody, description = "already_on_team, account_closed, own_account"),
        (status = 422, body = app::api::ErrorBody, description = "not_team_person"),
    ))]
pub async fn move_user(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(target): ApiJson<MoveUser>,
) -> Result<Json<UserSummary>, ApiError> {
    let scope = principal.scope(Action::ManageUsers)?;
    not_own(&principal, id)?;
    Ok(Json(
        state
            .store
            .move_user(
                scope,
                principal.actor(),
                id,
                target.team_id,
                target.affiliation,
                principal.by(),
            )
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(create))
        .routes(routes!(change))
        .routes(routes!(reset_password))
        .routes(routes!(move_user))
}
