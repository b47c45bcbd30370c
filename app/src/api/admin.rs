//! Request and response bodies of the routes that set a deployment up and keep it: units,
//! teams and rosters, accounts, the activity catalogue, the audit log.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Affiliation, Gap, Position, Role, TaskGroup, UnitLevel, UnitRef};

/// A unit with what hangs under it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitSummary {
    /// Server id.
    pub id: i64,
    /// Official name.
    pub name: String,
    /// Official kind as written: `tỉnh`, `xã`, `phường`, `thôn`...
    pub kind: String,
    /// Level in the tree.
    pub level: UnitLevel,
    /// National statistics code (provinces and communes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub official_code: Option<String>,
    /// Official number of households (villages), entered by commune staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_count: Option<i64>,
    /// Units directly under it (communes of a province, villages of a commune).
    pub children: u32,
    /// Teams in it.
    pub teams: u32,
    /// Teams in it that miss the composition rule.
    pub teams_with_gaps: u32,
}

/// `GET /api/units`: the units at the top of the user's scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitList {
    /// Provinces for an administrator, the province or commune for staff.
    pub units: Vec<UnitSummary>,
}

/// `GET /api/units/{id}`: a unit, the way up to its province, what is under it, its teams.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitDetail {
    /// The unit.
    pub unit: UnitSummary,
    /// Its ancestors, the province first.
    pub path: Vec<UnitRef>,
    /// The units directly under it, by name.
    pub children: Vec<UnitSummary>,
    /// The teams of a commune (of the commune itself and of its villages) or of a village.
    pub teams: Vec<TeamSummary>,
}

/// `POST /api/units/{commune}/villages` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewVillage {
    /// Name, e.g. `Thôn Hội Khánh` (1–100 characters, unique in the commune).
    pub name: String,
    /// Kind as written locally: `thôn` (default), `làng`, `ấp`, `bản`, `tổ dân phố`...
    #[serde(default)]
    pub kind: Option<String>,
    /// Official number of households, for coverage.
    #[serde(default)]
    pub household_count: Option<i64>,
}

/// `PATCH /api/units/{village}` body: only what is given changes.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VillageChange {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New official number of households.
    #[serde(default)]
    pub household_count: Option<i64>,
}

/// A team as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamSummary {
    /// Team id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// The village it works in, or its commune for a team of the commune itself.
    pub unit: UnitRef,
    /// Its commune.
    pub commune_id: i64,
    /// The commune's decision that set it up: number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_no: Option<String>,
    /// The decision's date, `yyyy-mm-dd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<String>,
    /// People on the roster now.
    pub people: u32,
    /// The leader's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    /// What the team lacks under the plan's composition rule (a warning, never a block).
    pub gaps: Vec<Gap>,
}

/// One person on a team's roster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RosterEntry {
    /// User id.
    pub user_id: Uuid,
    /// Full name.
    pub name: String,
    /// Phone number (the sign-in).
    pub phone: String,
    /// Leader or member.
    pub position: Position,
    /// What they represent.
    pub affiliation: Affiliation,
    /// When they joined (ms).
    pub joined_at: i64,
    /// Last time one of their devices synced (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_at: Option<i64>,
    /// Visits waiting on their phone, as it last reported (with every pull).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsent: Option<i64>,
    /// When the phone last reported it (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsent_at: Option<i64>,
    /// They still have to change the password they were given.
    pub must_change_password: bool,
}

/// `GET /api/teams/{id}`: a team and its roster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamDetail {
    /// The team.
    pub team: TeamSummary,
    /// Its commune.
    pub commune: UnitRef,
    /// The people on it now, the leader first, then by name.
    pub roster: Vec<RosterEntry>,
}

/// `POST /api/units/{commune}/teams` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    /// Name (1–100 characters).
    pub name: String,
    /// The village it works in; omit for a team of the commune itself.
    #[serde(default)]
    pub village_id: Option<i64>,
    /// The commune's decision: number, e.g. `125/QĐ-UBND`.
    #[serde(default)]
    pub decision_no: Option<String>,
    /// The decision's date, `yyyy-mm-dd`.
    #[serde(default)]
    pub decision_date: Option<String>,
}

/// `PATCH /api/teams/{id}` body: only what is given changes.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamChange {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// Decision number.
    #[serde(default)]
    pub decision_no: Option<String>,
    /// Decision date, `yyyy-mm-dd`.
    #[serde(default)]
    pub decision_date: Option<String>,
}

/// `POST /api/teams/{id}/members` body: a person joins the roster. A new phone number makes a
/// new account with a one-time password; the number of a team person on no team adds them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// Full name (1–100 characters).
    pub name: String,
    /// Phone number: the sign-in.
    pub phone: String,
    /// What they represent.
    pub affiliation: Affiliation,
    /// Make them the leader (the current leader becomes a member).
    #[serde(default)]
    pub leader: bool,
}

/// `POST /api/teams/{id}/members` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddedMember {
    /// Their place on the roster.
    pub member: RosterEntry,
    /// For a new account: the password to give them, shown once, to change at first sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_time_password: Option<String>,
}

/// `PATCH /api/teams/{id}/members/{user}` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    /// New affiliation.
    #[serde(default)]
    pub affiliation: Option<Affiliation>,
    /// `leader` makes them the leader (the current one becomes a member); `member` steps a
    /// leader down.
    #[serde(default)]
    pub position: Option<Position>,
}

/// `POST /api/units/{commune}/roster-import` body: CSV text with a header line and the
/// columns `name, phone, village, affiliation` (or `họ tên, số điện thoại, thôn, vai trò`).
/// An empty village means the commune's own team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RosterImport {
    /// The CSV file's text (UTF-8).
    pub csv: String,
}

/// One imported line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportedMember {
    /// Line in the file (the header is line 1).
    pub line: u32,
    /// Who joined.
    pub user_id: Uuid,
    /// Their name.
    pub name: String,
    /// The team they joined.
    pub team_id: Uuid,
    /// For a new account: the password to give them, shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_time_password: Option<String>,
}

/// One refused line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RefusedLine {
    /// Line in the file.
    pub line: u32,
    /// Stable code: `name_required`, `phone_invalid`, `phone_taken`, `village_unknown`,
    /// `no_team`, `affiliation_unknown`, `on_another_team`, `columns`.
    pub code: String,
}

/// `POST /api/units/{commune}/roster-import` answer: every good line is added, every bad one
/// reported; nothing of a bad line is stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Lines added.
    pub added: Vec<ImportedMember>,
    /// Lines refused, with why.
    pub refused: Vec<RefusedLine>,
}

/// An account as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserSummary {
    /// User id.
    pub id: Uuid,
    /// Full name.
    pub name: String,
    /// Phone number (the sign-in).
    pub phone: String,
    /// Effective role.
    pub role: Role,
    /// Where they work.
    pub unit: UnitRef,
    /// Their team, if on a roster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Uuid>,
    /// False once closed.
    pub active: bool,
    /// They still have to change the password they were given.
    pub must_change_password: bool,
    /// Last time one of their devices synced (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_at: Option<i64>,
}

/// `GET /api/users` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserList {
    /// Accounts in the user's scope (filtered by `unit`), by name; at most 500.
    pub users: Vec<UserSummary>,
}

/// `POST /api/users` body: a staff account (team people join through a roster).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Full name (1–100 characters).
    pub name: String,
    /// Phone number: the sign-in.
    pub phone: String,
    /// `commune_staff` (unit: a commune), `province_staff` (unit: a province) or `admin`
    /// (unit: a province).
    pub role: Role,
    /// Where they work.
    pub unit_id: i64,
}

/// An account just made, or a password just reset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IssuedPassword {
    /// The account.
    pub user: UserSummary,
    /// The password to give them, shown once; they must change it at their next sign-in.
    pub one_time_password: String,
}

/// `PATCH /api/users/{id}` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// `false` closes the account (it leaves its team's roster; its visits stay where they
    /// were logged); `true` opens it again.
    #[serde(default)]
    pub active: Option<bool>,
}

/// `POST /api/users/{id}/move` body: a team person moves to another team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveUser {
    /// The team they join.
    pub team_id: Uuid,
    /// What they represent there (default: as before).
    #[serde(default)]
    pub affiliation: Option<Affiliation>,
}

/// A catalogue entry as the province keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CatalogueEntry {
    /// Stable code.
    pub code: String,
    /// Task group.
    pub task_group: TaskGroup,
    /// Vietnamese name in this province.
    pub name_vi: String,
    /// English name in this province.
    pub name_en: String,
    /// From the national list (else the province's own).
    pub national: bool,
    /// When the province retired it (ms); retired entries leave the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<i64>,
}

/// `GET /api/units/{province}/activities` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CatalogueAdmin {
    /// Every entry the province sees, retired ones too, in display order.
    pub activities: Vec<CatalogueEntry>,
}

/// `POST /api/units/{province}/activities` body: a province's own entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    /// Task group.
    pub task_group: TaskGroup,
    /// Vietnamese name (1–200 characters).
    pub name_vi: String,
    /// English name (default: the Vietnamese one).
    #[serde(default)]
    pub name_en: Option<String>,
}

/// A kind of difficulty as the province keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DifficultyKindEntry {
    /// Stable code, e.g. `no_signal` (national) or `p52-d1` (the province's own).
    pub code: String,
    /// Vietnamese name in this province.
    pub name_vi: String,
    /// English name in this province.
    pub name_en: String,
    /// From the national list (else the province's own).
    pub national: bool,
    /// When the province retired it (ms); a retired kind leaves the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<i64>,
}

impl From<DifficultyKindEntry> for super::types::DifficultyCategory {
    fn from(kind: DifficultyKindEntry) -> Self {
        Self {
            active: kind.retired_at.is_none(),
            code: kind.code,
            name_vi: kind.name_vi,
            name_en: kind.name_en,
        }
    }
}

/// `GET /api/units/{province}/difficulty-categories` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DifficultyKinds {
    /// Every kind the province sees, retired ones too, in display order.
    pub categories: Vec<DifficultyKindEntry>,
}

/// `POST /api/units/{province}/difficulty-categories` body: a province's own kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDifficultyKind {
    /// Vietnamese name (1–200 characters).
    pub name_vi: String,
    /// English name (default: the Vietnamese one).
    #[serde(default)]
    pub name_en: Option<String>,
}

/// `PATCH /api/units/{province}/activities/{code}` and
/// `PATCH /api/units/{province}/difficulty-categories/{code}` body: a change to an entry of a
/// province's list.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityChange {
    /// New Vietnamese name.
    #[serde(default)]
    pub name_vi: Option<String>,
    /// New English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// `true` retires it (it leaves the form; visits logged before keep it), `false` offers
    /// it again.
    #[serde(default)]
    pub retired: Option<bool>,
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the log.
    pub id: i64,
    /// When (ms).
    pub at: i64,
    /// Who: a user id, or none for the command line and unknown phone numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<Uuid>,
    /// Their name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    /// What: `sign_in`, `sign_in_failed`, `user_created`, `password_reset`... (docs/architecture.md).
    pub action: String,
    /// On what kind of record: `user`, `team`, `unit`, `activity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_kind: Option<String>,
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// Where it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    /// The client address, for sign-ins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// What changed (never a household's name or phone number).
    pub detail: serde_json::Value,
}

/// `GET /api/audit` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditList {
    /// Entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}
