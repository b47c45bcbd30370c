//! The review loop's routes: the commune's approval queue and bulk approval, difficulties,
//! and a village's household list with its duplicates.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::types::{Household, VisitStatus};

/// What awaits review: a submitted visit, or an amendment of an approved one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// A visit awaiting its first decision (or sent again after a fix).
    Submitted,
    /// An edit that arrived after approval.
    Amendment,
}

/// Which visits of the queue: every field narrows it; none is required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QueueFilter {
    /// Village (unit id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<i64>,
    /// Team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Uuid>,
    /// Member (author).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<Uuid>,
    /// An activity code the visit includes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    /// Visited on or after this day (`yyyy-mm-dd`, Vietnam time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Visited on or before this day (`yyyy-mm-dd`, Vietnam time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Submitted visits or amendments only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<QueueKind>,
}

/// One visit awaiting a decision, with where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueueItem {
    /// The visit's whole state; for an amendment, `amendment.record` is the edit to decide.
    pub visit: VisitStatus,
    /// Its village.
    pub village_id: i64,
    /// The village's name.
    pub village_name: String,
    /// Its team.
    pub team_id: Uuid,
    /// The team's name.
    pub team_name: String,
    /// When the server first received it (ms): the queue's order, oldest first.
    pub received_at: i64,
}

/// `GET /api/review/queue` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewQueue {
    /// A page of the queue, oldest first.
    pub items: Vec<QueueItem>,
    /// How many visits match the filter in all.
    pub total: u32,
    /// The moment the queue was read (a feed position): bulk approval of the filter refuses
    /// when anything matching changed after it.
    pub as_of: i64,
}

/// `POST /api/review/approve` body: the visits chosen (`ids`), or everything matching
/// `filter` — which must still be `expected` visits, none changed after `as_of`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkApprove {
    /// The visits chosen one by one (at most 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<Uuid>>,
    /// Or: every visit of the queue matching this filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<QueueFilter>,
    /// With `filter`: how many the confirmation said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<u32>,
    /// The queue's `as_of` when the user looked.
    pub as_of: i64,
}

/// `POST /api/review/approve` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkApproved {
    /// Visits approved.
    pub approved: u32,
    /// Visits that changed while the approval ran (a later slice found them edited): left
    /// in the queue, not approved unseen.
    pub skipped: u32,
}

/// A difficulty raised on a visit, for the commune's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DifficultyItem {
    /// The visit that raised it.
    pub visit_id: Uuid,
    /// Village.
    pub village_id: i64,
    /// Village name.
    pub village_name: String,
    /// Team name.
    pub team_name: String,
    /// Who raised it.
    pub member_name: String,
    /// The household's head (the staff's scope covers it).
    pub head_name: String,
    /// Category code.
    pub category: String,
    /// Category, in Vietnamese.
    pub category_vi: String,
    /// Category, in English.
    pub category_en: String,
    /// What the member wrote.
    pub note: String,
    /// When the visit happened (ms).
    pub raised_at: i64,
    /// `open` or `handled`.
    pub status: String,
    /// The handling comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When it was handled (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_at: Option<i64>,
}

/// `GET /api/difficulties` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DifficultyList {
    /// Oldest first.
    pub difficulties: Vec<DifficultyItem>,
}

/// `POST /api/difficulties/{id}/handle` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HandleDifficulty {
    /// What was done (1–500 characters): the team sees it.
    pub comment: String,
}

/// `GET /api/difficulty-categories` answer: the user's province's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DifficultyCategoryList {
    /// In the list's order.
    pub categories: Vec<super::types::DifficultyCategory>,
}

/// A household of a village, for the list that finds duplicates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HouseholdEntry {
    /// The household.
    pub household: Household,
    /// Visits naming it.
    pub visits: u32,
    /// Households with the same folded head name and house number share a group number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_group: Option<u32>,
}

/// `GET /api/units/{id}/households` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HouseholdList {
    /// The village's households (not merged away), sorted the Vietnamese way by head name.
    pub households: Vec<HouseholdEntry>,
}

/// `POST /api/households/{id}/merge` body: the household this one duplicates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeHousehold {
    /// The survivor: the merged household's visits follow it.
    pub into: Uuid,
}

/// A household as stored, with when and by whom it was recorded, for its export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HouseholdRecord {
    /// The household (`erased` once its personal data was erased).
    pub household: Household,
    /// When the household agreed to have its phone number recorded (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_consent_at: Option<i64>,
    /// Who first recorded it.
    pub created_by: String,
    /// When it was first recorded (ms).
    pub created_at: i64,
    /// When it last changed (ms).
    pub updated_at: i64,
    /// When its personal data was erased (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<i64>,
}

/// One revision a device sent that names the household, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StoredRevision {
    /// Who sent it (the visit's author).
    pub author_name: String,
    /// When the server received it (ms).
    pub received_at: i64,
    /// What the server did with it: `applied`, `stale`, `conflict` or `locked`.
    pub outcome: String,
    /// The revision.
    pub record: crate::domain::VisitRecord,
}

/// `GET /api/households/{id}/export` answer: everything the server holds about a household
/// and the duplicates merged into it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HouseholdExport {
    /// When the export was made (ms).
    pub exported_at: i64,
    /// The household.
    pub household: HouseholdRecord,
    /// Households merged into it.
    pub merged: Vec<HouseholdRecord>,
    /// Its visits as they stand: status, review, the leader's mark, the difficulty.
    pub visits: Vec<super::types::VisitStatus>,
    /// Every revision naming it or one of the households merged into it, oldest first.
    pub revisions: Vec<StoredRevision>,
    /// What was done to it (merges, exports, erasure), from the audit log, oldest first.
    pub history: Vec<super::admin::AuditEntry>,
}

/// `POST /api/households/{id}/erase` answer: what was scrubbed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Erased {
    /// Households erased: the household and those merged into it.
    pub households: u32,
    /// Its visits (they stay, and stay counted).
    pub visits: u32,
    /// Revisions scrubbed.
    pub revisions: u32,
}
