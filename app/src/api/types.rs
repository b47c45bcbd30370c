//! Request and response bodies of the `/api/` routes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::VisitRecord;

/// `GET /api/health`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when the server can answer and read its database.
    pub status: String,
    /// Server version (the crate version).
    pub version: String,
    /// `ok`, or what failed.
    pub database: String,
}

/// `POST /api/auth/login` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Phone number as typed (`0912 345 678`, `+84 912 345 678`).
    pub phone: String,
    /// Password.
    pub password: String,
}

pub use crate::domain::policy::Role;
pub use crate::domain::team::{Affiliation, Gap, Position};

/// The level of a unit in the administrative tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    /// Tỉnh, thành phố trung ương.
    Province,
    /// Huyện (gone since 1 July 2025; the tree still allows it).
    District,
    /// Xã, phường, đặc khu.
    Commune,
    /// Thôn, làng, ấp, bản, tổ dân phố.
    Village,
}

impl UnitLevel {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::Province => "province",
            UnitLevel::District => "district",
            UnitLevel::Commune => "commune",
            UnitLevel::Village => "village",
        }
    }

    /// Parses the stored value.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            UnitLevel::Province,
            UnitLevel::District,
            UnitLevel::Commune,
            UnitLevel::Village,
        ]
        .into_iter()
        .find(|l| l.as_str() == raw)
    }
}

/// A unit of the administrative tree (province, commune, village...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitRef {
    /// Server id.
    pub id: i64,
    /// Name as written officially, e.g. `Xã An Hòa`.
    pub name: String,
    /// Its level.
    pub level: UnitLevel,
}

/// A team and where it works.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamRef {
    /// Team id.
    pub id: Uuid,
    /// Team name.
    pub name: String,
    /// The village the team works in; `None` for a team of the commune itself, whose visits
    /// each name their village.
    #[serde(default)]
    pub village: Option<UnitRef>,
    /// The villages its visits may happen in: its village, or every village of its commune.
    #[serde(default)]
    pub villages: Vec<UnitRef>,
    /// The user's place on its roster.
    #[serde(default = "member_position")]
    pub position: Position,
}

fn member_position() -> Position {
    Position::Member
}

/// The signed-in user, as `POST /api/auth/login` and `GET /api/auth/me` return it. The device
/// keeps a copy so that the app works offline after one online sign-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Profile {
    /// User id.
    pub user_id: Uuid,
    /// Full name.
    pub name: String,
    /// Phone number (canonical).
    pub phone: String,
    /// Effective role: `leader` when the team's roster says so.
    pub role: Role,
    /// The unit the user works in (their team's village or commune, their commune, their
    /// province).
    pub unit: UnitRef,
    /// The province the user works in.
    #[serde(default)]
    pub province: Option<UnitRef>,
    /// The commune, for commune staff and team people.
    #[serde(default)]
    pub commune: Option<UnitRef>,
    /// The user's team, for members and leaders on a roster.
    pub team: Option<TeamRef>,
    /// The password was set by someone else: change it before anything else.
    #[serde(default)]
    pub must_change_password: bool,
    /// False once the account is closed (it may then only send what the phone logged).
    #[serde(default = "yes")]
    pub active: bool,
}

impl Profile {
    /// The user as the policy sees them.
    pub fn actor(&self) -> crate::domain::policy::Actor {
        crate::domain::policy::Actor {
            user: self.user_id,
            role: self.role,
            province: self.province.as_ref().map(|p| p.id),
            commune: self.commune.as_ref().map(|c| c.id),
            team: self.team.as_ref().map(|t| t.id),
            active: self.active,
            must_change_password: self.must_change_password,
        }
    }

    /// Where the user lands after signing in.
    pub fn home(&self) -> String {
        let unit = match self.role {
            Role::ProvinceStaff => self.province.as_ref().map_or(self.unit.id, |p| p.id),
            Role::CommuneStaff => self.commune.as_ref().map_or(self.unit.id, |c| c.id),
            _ => self.unit.id,
        };
        crate::domain::policy::home_path(self.role, unit, self.team.as_ref().map(|t| t.id))
    }
}

/// `POST /api/auth/password` body: the user changes their own password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password now (the one-time password after a reset).
    pub current: String,
    /// The new one: 8 to 128 characters, not the phone number, not the current one.
    pub new: String,
}

/// The plan's four task groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskGroup {
    /// Information and policy.
    Information,
    /// Digital government: online public services.
    DigitalGovernment,
    /// Digital economy: e-commerce, e-payment.
    DigitalEconomy,
    /// Digital society: essential apps, skills.
    DigitalSociety,
}

impl TaskGroup {
    /// The four groups in the plan's order.
    pub const ALL: [TaskGroup; 4] = [
        TaskGroup::Information,
        TaskGroup::DigitalGovernment,
        TaskGroup::DigitalEconomy,
        TaskGroup::DigitalSociety,
    ];

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskGroup::Information => "information",
            TaskGroup::DigitalGovernment => "digital_government",
            TaskGroup::DigitalEconomy => "digital_economy",
            TaskGroup::DigitalSociety => "digital_society",
        }
    }

    /// Parses the stored value.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw)
    }
}

/// One activity of the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Activity {
    /// Stable code, e.g. `epayment_account`.
    pub code: String,
    /// Task group.
    pub task_group: TaskGroup,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Still offered in the form (retired activities stay valid on old visits).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// `GET /api/catalogue`: the active activities in display order.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Catalogue {
    /// Activities, in display order.
    pub activities: Vec<Activity>,
}

/// `POST /api/sync/push` body: up to [`super::MAX_PUSH_BATCH`] visit revisions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Visit revisions, each judged on its own.
    pub visits: Vec<VisitRecord>,
}

/// What the server did with one pushed revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PushOutcome {
    /// Stored and now current.
    Applied,
    /// The server already had exactly this revision: nothing changed.
    AlreadyHad,
    /// Older than what the server has: kept in history, not current.
    Stale,
    /// Edited from a version that is no longer current: kept in history and flagged.
    Conflict,
    /// The visit is approved: kept in history as an amendment, not current.
    Locked,
    /// Refused; `reason` says why. Sending it again will not help.
    Rejected,
}

impl PushOutcome {
    /// True when the device may stop resending the revision.
    pub fn is_acknowledged(self) -> bool {
        !matches!(self, PushOutcome::Rejected)
    }
}

/// The answer for one revision, in the order they were sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PushResult {
    /// Visit id.
    pub id: Uuid,
    /// The version sent.
    pub version: u32,
    /// What happened.
    pub result: PushOutcome,
    /// For `rejected`: the validation codes, comma-separated (e.g. `head_name_required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `stale`: the revision the server holds, for the device to show in place of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<VisitStatus>>,
}

/// `POST /api/sync/push` answer, sent only after the batch's transaction has committed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One result per pushed revision, same order.
    pub results: Vec<PushResult>,
    /// Server clock when the batch committed (ms since the epoch).
    pub server_time: i64,
}

/// A visit as the server holds it (`GET /api/visits`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ServerVisit {
    /// The current revision.
    pub record: VisitRecord,
    /// `submitted`, `approved`, `returned` or `withdrawn`.
    pub status: String,
    /// Author's user id.
    pub member_id: Uuid,
    /// When the server first received the visit (ms).
    pub received_at: i64,
}

/// `GET /api/visits` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VisitList {
    /// Visits, newest first.
    pub visits: Vec<ServerVisit>,
}

/// Every error answer: `{"error": {...}}` with a stable code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The details of an error answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable code: `invalid_body`, `unauthenticated`, `wrong_credentials`, `forbidden`,
    /// `not_found`, `too_large`, `rate_limited`, `internal`... (docs/architecture.md lists them).
    pub code: String,
    /// A sentence for developers (clients translate the code for people).
    pub message: String,
    /// For `too_large`: the limit that was exceeded (bytes or records, as `message` says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// For a refused value: the field at fault, for forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A visit's state, as the pull feed brings it to its author's devices and the team leader's
/// (and as a `stale` answer carries it). The first five fields are protocol 1; the rest came
/// with protocol 2 and are absent from nothing the server sends now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VisitStatus {
    /// Visit id.
    pub id: Uuid,
    /// The current version on the server.
    pub version: u32,
    /// `submitted`, `approved`, `returned` or `withdrawn`.
    pub status: String,
    /// For `returned`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it was approved or returned (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<i64>,
    /// The current revision's id (absent when a client before protocol 2 sent it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<Uuid>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<Uuid>,
    /// Author's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_name: Option<String>,
    /// The current revision itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<VisitRecord>,
    /// Conflicting revisions wait for the author or the leader to keep one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conflict: bool,
    /// An edit made after approval: waiting, or refused with a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amendment: Option<AmendmentState>,
    /// The team leader's mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<LeaderMark>,
    /// The difficulty the visit raised, and how it was handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<DifficultyState>,
    /// The household's personal data was erased: `record` holds what is left (name and
    /// address "—", no phone number, no free text), and a device replaces its copy with it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub household_erased: bool,
}

/// An amendment: an edit received after the visit was approved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AmendmentState {
    /// `pending` (waiting for commune staff) or `refused` (the approved revision stays).
    pub status: String,
    /// The amendment's version.
    pub version: u32,
    /// For `refused`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The amendment's content (in the approval queue, to show what changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<VisitRecord>,
}

/// A team leader's mark on a visit: a note, not a gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeaderMark {
    /// `reviewed` or `has_issues`.
    pub mark: MarkKind,
    /// What to fix (required with `has_issues`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Who marked it.
    pub by: Uuid,
    /// When (ms).
    pub at: i64,
}

/// What a team leader says of a visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// Looked at, fine.
    Reviewed,
    /// Something to fix: see the comment.
    HasIssues,
}

impl MarkKind {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkKind::Reviewed => "reviewed",
            MarkKind::HasIssues => "has_issues",
        }
    }

    /// Parses the stored value.
    pub fn parse(raw: &str) -> Option<Self> {
        [MarkKind::Reviewed, MarkKind::HasIssues]
            .into_iter()
            .find(|m| m.as_str() == raw)
    }
}

/// `POST /api/visits/{id}/mark` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkRequest {
    /// The mark.
    pub mark: MarkKind,
    /// Required with `has_issues` (1–500 characters).
    #[serde(default)]
    pub comment: Option<String>,
}

/// A difficulty raised on a visit, with its handling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DifficultyState {
    /// Category code.
    pub category: String,
    /// What the member wrote.
    pub note: String,
    /// `open` or `handled`.
    pub status: String,
    /// Commune staff's comment when handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When it was handled (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_at: Option<i64>,
}

/// A kind of difficulty on the province's list, as the feed brings it (protocol 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DifficultyCategory {
    /// Code, e.g. `no_signal`.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// False once retired: no longer offered.
    pub active: bool,
}

/// `POST /api/visits/{id}/resolve` body: which revision to keep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// The `number` of the revision to keep (from the conflict list).
    pub keep: i64,
}

/// A household of the member's village.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Household {
    /// Household id.
    pub id: Uuid,
    /// Village.
    pub village_id: i64,
    /// Household head's name.
    pub head_name: String,
    /// House number or address.
    pub address: String,
    /// Phone number, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// A household business.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub business: bool,
    /// Merged into this household: the device replaces it by the survivor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<Uuid>,
    /// Its personal data was erased: name and address read "—", no phone number. A device
    /// forgets it (its visits stay, scrubbed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub erased: bool,
}

/// A member of the team's roster, as the pull feed brings it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RosterMember {
    /// Team.
    pub team_id: Uuid,
    /// User.
    pub user_id: Uuid,
    /// Full name.
    pub name: String,
    /// Leader or member.
    pub position: Position,
    /// What they represent on the team.
    pub affiliation: Affiliation,
    /// True when they left the roster: the device removes them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// What a feed item carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// `visit`: a [`VisitStatus`].
    Visit,
    /// `household`: a [`Household`].
    Household,
    /// `roster`: a [`RosterMember`].
    Roster,
    /// `activity`: an [`Activity`] of the catalogue.
    Activity,
    /// `difficulty_category`: a [`DifficultyCategory`] (protocol 2: only sent with `v=2`).
    DifficultyCategory,
    /// A kind this client does not know (sent by a newer server): skipped, cursor advanced.
    #[serde(other)]
    Unknown,
}

/// One entry of the pull feed: the latest state of one entity. Exactly one of the optional
/// fields is set, the one `kind` names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeedItem {
    /// Position in the feed; resume after the last one applied.
    pub seq: i64,
    /// Which field is set.
    pub kind: FeedKind,
    /// For `visit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<VisitStatus>,
    /// For `household`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household: Option<Household>,
    /// For `roster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<RosterMember>,
    /// For `activity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<Activity>,
    /// For `difficulty_category`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty_category: Option<DifficultyCategory>,
}

/// `GET /api/sync/pull` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Items after the cursor, in feed order.
    pub items: Vec<FeedItem>,
    /// The cursor to send next time (the last item's `seq`, or the cursor sent).
    pub next_cursor: i64,
    /// True when more items wait: ask again at once.
    pub more: bool,
    /// The team whose roster and households the feed carried. When it is not the team the
    /// device pulled for before (the user moved), the device drops what it kept of the old
    /// team and pulls again from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Uuid>,
}

/// What a reviewer decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// Approve: the visit counts in official figures and is locked.
    Approve,
    /// Return to the member with a reason.
    Return,
}

/// `POST /api/visits/{id}/review` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// Approve or return.
    pub action: ReviewAction,
    /// Required to return (1–500 characters).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One stored revision, as the conflict list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RevisionSummary {
    /// Version.
    pub version: u32,
    /// Edited from.
    pub base_version: u32,
    /// What the server did with it: `applied`, `stale`, `conflict`, `locked`.
    pub outcome: String,
    /// When it arrived (ms).
    pub received_at: i64,
    /// The server's number for it: what `POST /api/visits/{id}/resolve` keeps.
    #[serde(default)]
    pub number: i64,
    /// Its revision id (absent from clients before protocol 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<Uuid>,
    /// Its content, to compare side by side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<VisitRecord>,
}

/// A visit with conflicting revisions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// Visit id.
    pub visit_id: Uuid,
    /// Author.
    pub member_id: Uuid,
    /// The current version.
    pub current_version: u32,
    /// Every revision received, oldest first.
    pub revisions: Vec<RevisionSummary>,
}

/// `GET /api/sync/conflicts` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConflictList {
    /// Visits with conflicts, newest first.
    pub conflicts: Vec<Conflict>,
}
