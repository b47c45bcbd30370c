//! The device store, in `localStorage` through gloo-storage. One key per visit, so saving a
//! visit never rewrites the others; keys are namespaced per user, so a shared phone keeps each
//! member's outbox apart and only ever sends it under its author's session.
//!
//! Keys (`v1` is the layout version):
//! - `sotay.v1.identity`: the signed-in [`Profile`]
//! - `sotay.v1.catalogue`: the activity [`Catalogue`]
//! - `sotay.v1.lang`: `vi` or `en`
//! - `sotay.v1.u.<user>.sync`: [`SyncMeta`]
//! - `sotay.v1.u.<user>.visit.<visit id>`: [`LocalVisit`]
//! - `sotay.v1.u.<user>.cursor`, `.feed_team`, `.feed_protocol`: where the pull feed stands,
//!   for which team, under which protocol
//! - `sotay.v1.u.<user>.hh.<household id>`: [`Household`] of the team's villages
//! - `sotay.v1.u.<user>.roster`: the team's [`RosterMember`]s
//! - `sotay.v1.u.<user>.team`: the last [`TeamDetail`] read online, for the team page offline
//! - `sotay.v1.u.<user>.tv.<visit id>`: a visit of the leader's team by another member
//!   ([`VisitStatus`], from the feed), for the team log offline
//! - `sotay.v1.difficulties`: the kinds of difficulty of the user's province

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

use crate::api::{
    Activity, Catalogue, DifficultyCategory, Household, Profile, RosterMember, TeamDetail,
    VisitStatus,
};
use crate::domain::VisitRecord;

const IDENTITY: &str = "sotay.v1.identity";
const CATALOGUE: &str = "sotay.v1.catalogue";
const LANG: &str = "sotay.v1.lang";
const DIFFICULTIES: &str = "sotay.v1.difficulties";

/// Where a visit stands, seen from the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalState {
    /// Saved here, not yet acknowledged by the server.
    Pending,
    /// The server acknowledged it (after its transaction committed).
    Sent,
    /// The server refused it; `reason` says why. Not resent.
    Rejected,
}

/// A visit in the device store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalVisit {
    /// The revision to send (or sent).
    pub record: VisitRecord,
    /// Send state.
    pub state: LocalState,
    /// When it was saved on the device (ms).
    pub saved_at: i64,
    /// The server's reason, when rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The review state the pull feed last reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<VisitStatus>,
    /// The server answered `stale`: another device's edit was there first, and `record` is now
    /// the server's revision, not this device's edit (the member is told).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub superseded: bool,
}

impl LocalVisit {
    /// What the member should see about this visit.
    pub fn chip(&self) -> Chip {
        match (self.state, self.review.as_ref().map(|r| r.status.as_str())) {
            (LocalState::Pending, _) => Chip::Pending,
            (LocalState::Rejected, _) => Chip::Rejected,
            (LocalState::Sent, Some("approved")) => Chip::Approved,
            (LocalState::Sent, Some("returned")) => Chip::Returned,
            (LocalState::Sent, Some("withdrawn")) => Chip::Withdrawn,
            (LocalState::Sent, _) => Chip::Sent,
        }
    }
}

/// The status chip of a visit on the member's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chip {
    /// Chưa gửi: not sent yet.
    Pending,
    /// Đã gửi: on the server, awaiting review.
    Sent,
    /// Đã duyệt: approved.
    Approved,
    /// Bị trả lại: returned with a reason.
    Returned,
    /// Đã rút: withdrawn.
    Withdrawn,
    /// Bị từ chối: refused by the server's checks.
    Rejected,
}

impl Chip {
    /// A stable name, for styling and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            Chip::Pending => "pending",
            Chip::Sent => "sent",
            Chip::Approved => "approved",
            Chip::Returned => "returned",
            Chip::Withdrawn => "withdrawn",
            Chip::Rejected => "rejected",
        }
    }
}

/// Per-user sync bookkeeping.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncMeta {
    /// Last time a push succeeded (ms).
    pub last_ok: Option<i64>,
    /// The server said the session is gone; the queue waits for the next sign-in.
    pub session_expired: bool,
}

/// Why a write to the device store failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The browser refused the write (quota exceeded, storage disabled).
    Full,
}

fn user_prefix(user: Uuid) -> String {
    format!("sotay.v1.u.{user}.")
}

fn visit_key(user: Uuid, visit: Uuid) -> String {
    format!("{}visit.{visit}", user_prefix(user))
}

#[cfg(feature = "hydrate")]
mod backend {
    use gloo_storage::{LocalStorage, Storage};
    use serde::{de::DeserializeOwned, Serialize};

    pub fn get<T: DeserializeOwned>(key: &str) -> Option<T> {
        LocalStorage::get(key).ok()
    }

    pub fn set<T: Serialize>(key: &str, value: &T) -> bool {
        LocalStorage::set(key, value).is_ok()
    }

    pub fn remove(key: &str) {
        LocalStorage::delete(key);
    }

    pub fn used_bytes(prefix: &str) -> usize {
        let storage = LocalStorage::raw();
        keys_with_prefix(prefix)
            .iter()
            .map(|k| {
                2 * (k.len()
                    + storage
                        .get_item(k)
                        .ok()
                        .flatten()
                        .map_or(0, |v| v.encode_utf16().count()))
            })
            .sum()
    }

    pub fn keys_with_prefix(prefix: &str) -> Vec<String> {
        let storage = LocalStorage::raw();
        let len = storage.length().unwrap_or(0);
        (0..len)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(prefix))
            .collect()
    }
}

/// Off the browser there is no device store: reads find nothing, writes are refused.
#[cfg(not(feature = "hydrate"))]
mod backend {
    use serde::{de::DeserializeOwned, Serialize};

    pub fn get<T: DeserializeOwned>(_key: &str) -> Option<T> {
        None
    }

    pub fn set<T: Serialize>(_key: &str, _value: &T) -> bool {
        false
    }

    pub fn remove(_key: &str) {}

    pub fn keys_with_prefix(_prefix: &str) -> Vec<String> {
        Vec::new()
    }

    pub fn used_bytes(_prefix: &str) -> usize {
        0
    }
}

fn write<T: Serialize>(key: &str, value: &T) -> Result<(), StoreError> {
    if backend::set(key, value) {
        Ok(())
    } else {
        Err(StoreError::Full)
    }
}

fn read<T: DeserializeOwned>(key: &str) -> Option<T> {
    backend::get(key)
}

/// The user signed in on this device, if any.
pub fn identity() -> Option<Profile> {
    read(IDENTITY)
}

/// Remembers the signed-in user for offline use.
pub fn set_identity(profile: &Profile) -> Result<(), StoreError> {
    write(IDENTITY, profile)
}

/// Forgets the signed-in user. Their outbox stays for their next sign-in.
pub fn clear_identity() {
    backend::remove(IDENTITY);
}

/// The cached activity catalogue.
pub fn catalogue() -> Option<Catalogue> {
    read(CATALOGUE)
}

/// Caches the activity catalogue.
pub fn set_catalogue(catalogue: &Catalogue) -> Result<(), StoreError> {
    write(CATALOGUE, catalogue)
}

/// The chosen language code, if the user switched.
pub fn language() -> Option<String> {
    read(LANG)
}

/// Remembers the chosen language.
pub fn set_language(code: &str) -> Result<(), StoreError> {
    write(LANG, &code)
}

/// Sync bookkeeping for a user.
pub fn sync_meta(user: Uuid) -> SyncMeta {
    read(&format!("{}sync", user_prefix(user))).unwrap_or_default()
}

/// Saves sync bookkeeping for a user.
pub fn set_sync_meta(user: Uuid, meta: &SyncMeta) -> Result<(), StoreError> {
    write(&format!("{}sync", user_prefix(user)), meta)
}

/// Saves one visit under its own key.
pub fn save_visit(user: Uuid, visit: &LocalVisit) -> Result<(), StoreError> {
    write(&visit_key(user, visit.record.id), visit)
}

/// Every visit of a user on this device, newest first.
pub fn visits(user: Uuid) -> Vec<LocalVisit> {
    let prefix = format!("{}visit.", user_prefix(user));
    let mut visits: Vec<LocalVisit> = backend::keys_with_prefix(&prefix)
        .iter()
        .filter_map(|key| read(key))
        .collect();
    visits.sort_by_key(|v| std::cmp::Reverse(v.record.visited_at));
    visits
}

/// How long a visit approved on the server stays on the device.
pub const KEEP_APPROVED_MS: i64 = 30 * 24 * 3600 * 1000;

/// Removes this user's visits that were approved and saved more than [`KEEP_APPROVED_MS`]
/// before `now`: the server has them for good. Nothing unsent is ever removed.
pub fn prune(user: Uuid, now: i64) -> usize {
    let old: Vec<_> = visits(user)
        .into_iter()
        .filter(|v| v.chip() == Chip::Approved && v.saved_at < now - KEEP_APPROVED_MS)
        .collect();
    for visit in &old {
        backend::remove(&visit_key(user, visit.record.id));
    }
    old.len()
}

/// The pull cursor of a user on this device (0 before the first pull).
pub fn cursor(user: Uuid) -> i64 {
    read(&format!("{}cursor", user_prefix(user))).unwrap_or(0)
}

/// Saves the pull cursor, after the page it ends was applied.
pub fn set_cursor(user: Uuid, cursor: i64) -> Result<(), StoreError> {
    write(&format!("{}cursor", user_prefix(user)), &cursor)
}

/// Saves a household of the user's village (one key each).
pub fn save_household(user: Uuid, household: &Household) -> Result<(), StoreError> {
    write(
        &format!("{}hh.{}", user_prefix(user), household.id),
        household,
    )
}

/// The households of the user's village known on this device.
pub fn households(user: Uuid) -> Vec<Household> {
    backend::keys_with_prefix(&format!("{}hh.", user_prefix(user)))
        .iter()
        .filter_map(|key| read(key))
        .collect()
}

/// Adds, replaces or (when the feed says they left) removes one member of the user's team
/// roster.
pub fn save_roster_member(user: Uuid, member: RosterMember) -> Result<(), StoreError> {
    let key = format!("{}roster", user_prefix(user));
    let mut roster: Vec<RosterMember> = read(&key).unwrap_or_default();
    roster.retain(|m| m.user_id != member.user_id);
    if !member.removed {
        roster.push(member);
    }
    write(&key, &roster)
}

/// The protocol version this device last pulled the feed with (1 before it was recorded).
pub fn feed_protocol(user: Uuid) -> u8 {
    read(&format!("{}feed_protocol", user_prefix(user))).unwrap_or(1)
}

/// Starts the feed again from 0 under a newer protocol: items of kinds the older one never
/// received (they were skipped while the cursor moved past them) arrive now.
pub fn upgrade_feed_protocol(user: Uuid, protocol: u8) -> Result<(), StoreError> {
    write(&format!("{}cursor", user_prefix(user)), &0i64)?;
    write(&format!("{}feed_protocol", user_prefix(user)), &protocol)
}

/// The team the pull feed last brought roster and households for.
pub fn feed_team(user: Uuid) -> Option<Uuid> {
    read(&format!("{}feed_team", user_prefix(user)))
}

/// Forgets what the device kept of the user's former team (households, roster, the feed's
/// cursor) after a move, and remembers the new team: the feed starts again from 0. (The team
/// page kept for offline names its team, and is shown only for that team.)
pub fn switch_feed_team(user: Uuid, team: Option<Uuid>) -> Result<(), StoreError> {
    let prefix = user_prefix(user);
    for key in backend::keys_with_prefix(&format!("{prefix}hh.")) {
        backend::remove(&key);
    }
    backend::remove(&format!("{prefix}roster"));
    write(&format!("{prefix}cursor"), &0i64)?;
    write(&format!("{prefix}feed_team"), &team)
}

/// The team page as last read online.
pub fn team_detail(user: Uuid) -> Option<(TeamDetail, i64)> {
    read(&format!("{}team", user_prefix(user)))
}

/// Keeps the team page read online (with when), for offline use.
pub fn set_team_detail(user: Uuid, detail: &TeamDetail, at: i64) -> Result<(), StoreError> {
    write(&format!("{}team", user_prefix(user)), &(detail, at))
}

/// Adds or replaces one activity of the cached catalogue, keeping the server's order.
pub fn save_activity(activity: Activity) -> Result<(), StoreError> {
    let mut catalogue = catalogue().unwrap_or_default();
    match catalogue
        .activities
        .iter_mut()
        .find(|a| a.code == activity.code)
    {
        Some(existing) => *existing = activity,
        None => catalogue.activities.push(activity),
    }
    set_catalogue(&catalogue)
}

/// Roughly how much of `localStorage` this app uses, in bytes (browsers count UTF-16 code
/// units, two bytes each, for keys and values).
pub fn used_bytes() -> usize {
    backend::used_bytes("sotay.")
}

/// Visits of anyone on this device that the server has not taken: waiting to be sent, or
/// refused and waiting to be fixed.
pub fn unsent_on_device() -> usize {
    backend::keys_with_prefix("sotay.v1.u.")
        .iter()
        .filter(|k| k.contains(".visit."))
        .filter_map(|k| read::<LocalVisit>(k))
        .filter(|v| matches!(v.state, LocalState::Pending | LocalState::Rejected))
        .count()
}

/// "Remove this phone's data": everything the app keeps in this browser (every user's
/// visits, households, rosters, team log, the catalogue, the signed-in identity, the language
/// choice), unless a visit is still unsent ([`unsent_on_device`]): then nothing is removed
/// and `Err` says how many wait. Returns how many entries were removed.
pub fn remove_device_data() -> Result<usize, usize> {
    let unsent = unsent_on_device();
    if unsent > 0 {
        return Err(unsent);
    }
    let keys = backend::keys_with_prefix("sotay.");
    for key in &keys {
        backend::remove(key);
    }
    Ok(keys.len())
}

/// The usual `localStorage` quota (5 MB); the app warns at 80 % of it.
pub const QUOTA_BYTES: usize = 5 * 1024 * 1024;

/// Deletes a visit from the device. Only for visits the server never took (unsent, or refused):
/// anything the server has is withdrawn with a revision instead.
pub fn delete_unsent_visit(user: Uuid, id: Uuid) -> bool {
    match visit(user, id) {
        Some(v) if v.state != LocalState::Sent && v.review.is_none() && v.record.version == 1 => {
            backend::remove(&visit_key(user, id));
            true
        }
        _ => false,
    }
}

/// The version, base version and base revision of the next revision of `local`. A revision
/// the server has not acknowledged is replaced, keeping its base (the server never saw it, or
/// if it did, the conflict is flagged, never silently dropped); otherwise the next revision is
/// edited from the latest one the device knows the server holds.
fn next_revision(local: &LocalVisit) -> (u32, u32, Option<Uuid>) {
    let record = &local.record;
    let server = local.review.as_ref();
    let latest = server.map_or(record.version, |r| r.version.max(record.version));
    if local.state != LocalState::Sent {
        return (latest + 1, record.base_version, record.base_revision);
    }
    let base_revision = match server {
        Some(r) if r.version >= record.version => r.revision,
        _ => record.revision,
    };
    (latest + 1, latest, base_revision)
}

/// Replaces what a visit says with `edited` (the form's content) as a new revision, queued to
/// send. Allowed until the visit is approved (after that the edit goes as an amendment, which
/// commune staff decide) and for withdrawn visits never.
pub fn edit_visit(
    user: Uuid,
    edited: VisitRecord,
    now: i64,
) -> Result<Option<LocalVisit>, StoreError> {
    let Some(mut local) = visit(user, edited.id) else {
        return Ok(None);
    };
    if local.chip() == Chip::Withdrawn || local.record.withdrawn {
        return Ok(None);
    }
    let (version, base_version, base_revision) = next_revision(&local);
    local.record = VisitRecord {
        version,
        base_version,
        base_revision,
        revision: Some(Uuid::now_v7()),
        withdrawn: false,
        ..edited
    };
    local.state = LocalState::Pending;
    local.reason = None;
    local.superseded = false;
    local.saved_at = now;
    save_visit(user, &local)?;
    Ok(Some(local))
}

/// Queues the withdrawal of a sent visit: a new revision, edited from the latest version the
/// device knows, marked `withdrawn`. The server refuses it (`locked`) once approved.
pub fn withdraw_visit(user: Uuid, id: Uuid, now: i64) -> Result<bool, StoreError> {
    let Some(mut local) = visit(user, id) else {
        return Ok(false);
    };
    if !matches!(local.chip(), Chip::Sent | Chip::Returned) {
        return Ok(false);
    }
    let (version, base_version, base_revision) = next_revision(&local);
    local.record.version = version;
    local.record.base_version = base_version;
    local.record.base_revision = base_revision;
    local.record.revision = Some(Uuid::now_v7());
    local.record.withdrawn = true;
    local.state = LocalState::Pending;
    local.saved_at = now;
    save_visit(user, &local)?;
    Ok(true)
}

/// Keeps a visit of the leader's team by another member, as the feed brought it.
pub fn save_team_visit(user: Uuid, visit: &VisitStatus) -> Result<(), StoreError> {
    write(&format!("{}tv.{}", user_prefix(user), visit.id), visit)
}

/// The team's visits by other members kept on this device (the leader's team log).
pub fn team_visits(user: Uuid) -> Vec<VisitStatus> {
    backend::keys_with_prefix(&format!("{}tv.", user_prefix(user)))
        .iter()
        .filter_map(|key| read(key))
        .collect()
}

/// Forgets the team's visits older than the feed's window (the server stops sending them).
pub fn prune_team_visits(user: Uuid, now: i64, window_ms: i64) {
    for visit in team_visits(user) {
        let old = visit
            .record
            .as_ref()
            .is_none_or(|r| r.visited_at < now - window_ms);
        if old {
            backend::remove(&format!("{}tv.{}", user_prefix(user), visit.id));
        }
    }
}

/// Forgets a household (merged into another).
pub fn remove_household(user: Uuid, id: Uuid) {
    backend::remove(&format!("{}hh.{id}", user_prefix(user)));
}

/// The kinds of difficulty of the user's province, in the list's order.
pub fn difficulty_categories() -> Vec<DifficultyCategory> {
    read(DIFFICULTIES).unwrap_or_default()
}

/// Adds or replaces one kind of difficulty.
pub fn save_difficulty_category(category: DifficultyCategory) -> Result<(), StoreError> {
    let mut list = difficulty_categories();
    match list.iter_mut().find(|c| c.code == category.code) {
        Some(existing) => *existing = category,
        None => list.push(category),
    }
    write(DIFFICULTIES, &list)
}

/// One visit of a user, as stored now (another tab may have changed it).
pub fn visit(user: Uuid, id: Uuid) -> Option<LocalVisit> {
    read(&visit_key(user, id))
}
