//! The loop that empties the outbox. It wakes on app open, on `online`, when the page becomes
//! visible, when the member taps "send now" or saves a visit, and every few seconds while the
//! app is open (Background Sync is Chrome-only, so it is not relied on). Failures back off
//! exponentially with jitter. A visit leaves the "not sent" state only when the server
//! acknowledged it, which it does only after its transaction committed.

use leptos::prelude::*;
use uuid::Uuid;

use super::store::{self, LocalState, StoreError};
use crate::api::client::{self, ClientError};
use crate::api::{
    FeedItem, Profile, PushOutcome, PushRequest, CLIENT_PUSH_BATCH, DEFAULT_PULL_LIMIT,
};
use crate::domain::time::now_ms;

/// How long the loop sleeps when all is well.
pub const IDLE_MS: u32 = 15_000;
/// Longest wait between two failed attempts.
pub const MAX_BACKOFF_MS: u32 = 30_000;

/// Why the last attempt failed, in terms a member can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncError {
    /// No answer from the server (no signal, server down).
    Offline,
    /// The session expired: the queue waits for the next sign-in.
    SessionExpired,
    /// The server answered with an error.
    Server,
    /// The server refused: this account may not send visits (on no team, or closed).
    NotAllowed,
    /// The device store refused a write.
    StorageFull,
}

impl From<ClientError> for SyncError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Offline => SyncError::Offline,
            ClientError::Unauthorized => SyncError::SessionExpired,
            ClientError::Refused(403, _) => SyncError::NotAllowed,
            ClientError::Refused(..) | ClientError::Server(_) => SyncError::Server,
        }
    }
}

impl From<StoreError> for SyncError {
    fn from(_: StoreError) -> Self {
        SyncError::StorageFull
    }
}

/// What the status line shows; shared by every page through context.
#[derive(Clone, Copy)]
pub struct SyncStatus {
    /// Visits of the signed-in user not yet acknowledged.
    pub pending: RwSignal<usize>,
    /// Last successful sync (ms).
    pub last_ok: RwSignal<Option<i64>>,
    /// Last error, cleared by the next success.
    pub error: RwSignal<Option<SyncError>>,
    /// A push is in flight.
    pub busy: RwSignal<bool>,
    /// Bumped whenever the device's visits change, so lists re-read the store.
    pub changed: RwSignal<u32>,
    /// The device store is over 80 % of the usual quota.
    pub storage_low: RwSignal<bool>,
    kick: RwSignal<u32>,
}

impl Default for SyncStatus {
    fn default() -> Self {
        Self::new()
    }
}

impl SyncStatus {
    /// Empty status, as rendered on the server and before hydration.
    pub fn new() -> Self {
        Self {
            pending: RwSignal::new(0),
            last_ok: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            changed: RwSignal::new(0),
            storage_low: RwSignal::new(false),
            kick: RwSignal::new(0),
        }
    }

    /// Asks the loop to try now.
    pub fn kick(&self) {
        self.kick.update(|k| *k = k.wrapping_add(1));
    }

    /// Re-reads the device store for `user` (or clears the status when nobody is signed in).
    pub fn refresh(&self, user: Option<Uuid>) {
        let (pending, meta) = match user {
            Some(user) => (
                store::visits(user)
                    .iter()
                    .filter(|v| v.state == LocalState::Pending)
                    .count(),
                store::sync_meta(user),
            ),
            None => (0, store::SyncMeta::default()),
        };
        self.pending.set(pending);
        self.last_ok.set(meta.last_ok);
        if meta.session_expired {
            self.error.set(Some(SyncError::SessionExpired));
        } else if self.error.get_untracked() == Some(SyncError::SessionExpired) {
            self.error.set(None);
        }
        self.storage_low
            .set(store::used_bytes() * 5 > store::QUOTA_BYTES * 4);
        self.changed.update(|c| *c = c.wrapping_add(1));
    }
}

/// Sends every pending visit of `user`, in batches, until none is left or a call fails.
pub async fn sync_once(user: Uuid) -> Result<(), SyncError> {
    loop {
        let batch: Vec<_> = store::visits(user)
            .into_iter()
            .filter(|v| v.state == LocalState::Pending)
            .take(CLIENT_PUSH_BATCH)
            .collect();
        if batch.is_empty() {
            return Ok(());
        }
        let request = PushRequest {
            visits: batch.iter().map(|v| v.record.clone()).collect(),
        };
        let response = match client::push(&request).await {
            Ok(response) => response,
            Err(error) => {
                if error == ClientError::Unauthorized {
                    let mut meta = store::sync_meta(user);
                    meta.session_expired = true;
                    store::set_sync_meta(user, &meta)?;
                }
                return Err(error.into());
            }
        };
        for result in response.results {
            // Re-read: another tab may have sent or edited it meanwhile.
            let Some(mut local) = store::visit(user, result.id) else {
                continue;
            };
            if local.state != LocalState::Pending || local.record.version != result.version {
                continue;
            }
            if result.result == PushOutcome::Stale {
                // Another device's edit was there first: show what the server holds.
                if let Some(current) = result.current {
                    if let Some(record) = current.record.clone() {
                        local.record = record;
                    }
                    local.review = Some(*current);
                    local.superseded = true;
                }
                local.state = LocalState::Sent;
            } else if result.result.is_acknowledged() {
                local.state = LocalState::Sent;
            } else {
                local.state = LocalState::Rejected;
                local.reason = result.reason;
            }
            store::save_visit(user, &local)?;
        }
        let mut meta = store::sync_meta(user);
        meta.last_ok = Some(now_ms());
        store::set_sync_meta(user, &meta)?;
    }
}

/// Applies the pull feed after the stored cursor, page by page; the cursor is saved only after
/// its page was applied, so an interrupted pull resumes where it stopped. Returns true when
/// the feed was for another team than before (the user moved): the device then dropped the
/// old team's households and roster and pulled the new team's from the start.
pub async fn pull_once(user: Uuid) -> Result<bool, SyncError> {
    let mut switched = false;
    if store::feed_protocol(user) < PROTOCOL {
        store::upgrade_feed_protocol(user, PROTOCOL)?;
    }
    loop {
        let cursor = store::cursor(user);
        let unsent = store::visits(user)
            .iter()
            .filter(|v| v.state == LocalState::Pending)
            .count();
        let page = client::pull(cursor, DEFAULT_PULL_LIMIT, unsent)
            .await
            .map_err(|error| {
                if error == ClientError::Unauthorized {
                    let mut meta = store::sync_meta(user);
                    meta.session_expired = true;
                    let _ = store::set_sync_meta(user, &meta);
                }
                SyncError::from(error)
            })?;
        if page.team_id != store::feed_team(user) {
            store::switch_feed_team(user, page.team_id)?;
            switched = true;
            if cursor != 0 {
                continue;
            }
        }
        for item in page.items {
            apply(user, item)?;
        }
        store::set_cursor(user, page.next_cursor)?;
        if !page.more {
            store::prune(user, now_ms());
            store::prune_team_visits(user, now_ms(), TEAM_LOG_WINDOW_MS);
            return Ok(switched);
        }
    }
}

/// Reads the signed-in user's profile again (role, team, leader): after a move or a
/// promotion the device follows. A 401 marks the session expired.
pub async fn refresh_profile(user: Uuid) -> Result<Option<Profile>, SyncError> {
    match client::me().await {
        Ok(profile) if profile.user_id == user => {
            store::set_identity(&profile)?;
            Ok(Some(profile))
        }
        Ok(_) => Ok(None),
        Err(ClientError::Unauthorized) => {
            let mut meta = store::sync_meta(user);
            meta.session_expired = true;
            store::set_sync_meta(user, &meta)?;
            Err(SyncError::SessionExpired)
        }
        Err(error) => Err(error.into()),
    }
}

/// The sync protocol this client speaks (docs/sync-protocol.md).
pub const PROTOCOL: u8 = 2;

/// How far back the feed brings a team leader the team's visits (the server's window).
pub const TEAM_LOG_WINDOW_MS: i64 = 62 * 24 * 3600 * 1000;

fn apply(user: Uuid, item: FeedItem) -> Result<(), StoreError> {
    if let Some(status) = item.visit {
        match store::visit(user, status.id) {
            Some(mut local) => {
                // What the server holds replaces the device's copy once nothing of the
                // device's waits to be sent, when another revision became current (a
                // settled conflict, an approved amendment, another device's edit) or when
                // the device's copy is an amendment the commune refused (the approved
                // revision stays current, and the next edit starts from it). The device's
                // own current revision stays as the device sent it.
                let another = match (status.revision, local.record.revision) {
                    (Some(current), Some(own)) => current != own,
                    _ => status.version > local.record.version,
                };
                let refused_own = status
                    .amendment
                    .as_ref()
                    .is_some_and(|a| a.status == "refused" && a.version == local.record.version);
                if local.state == LocalState::Sent
                    && another
                    && (status.version >= local.record.version || refused_own)
                {
                    if let Some(record) = status.record.clone() {
                        local.record = record;
                    }
                }
                // The household's personal data was erased: the device keeps no more of it
                // than the server does. A revision still waiting to be sent is left alone
                // (the server scrubs it on arrival, and its next feed item scrubs the copy).
                if status.household_erased && local.state == LocalState::Sent {
                    crate::domain::household::scrub(&mut local.record);
                }
                local.review = Some(status);
                store::save_visit(user, &local)?;
            }
            None if status.member_id.is_some_and(|m| m != user) => {
                store::save_team_visit(user, &status)?;
            }
            // The member's own visit this device never held (a new or shared phone): kept
            // as sent, so the member can open, fix and repeat it here too.
            None => {
                if let Some(record) = status.record.clone() {
                    store::save_visit(
                        user,
                        &store::LocalVisit {
                            record,
                            state: LocalState::Sent,
                            saved_at: now_ms(),
                            reason: None,
                            review: Some(status),
                            superseded: false,
                        },
                    )?;
                }
            }
        }
    }
    if let Some(household) = item.household {
        // A household merged away, or whose personal data was erased, leaves the device's
        // list: the picker no longer offers it.
        if household.merged_into.is_some() || household.erased {
            store::remove_household(user, household.id);
        } else {
            store::save_household(user, &household)?;
        }
    }
    if let Some(member) = item.member {
        store::save_roster_member(user, member)?;
    }
    if let Some(activity) = item.activity {
        store::save_activity(activity)?;
    }
    if let Some(category) = item.difficulty_category {
        store::save_difficulty_category(category)?;
    }
    Ok(())
}

/// The wait after `failures` failed attempts in a row: 2, 4, 8... seconds up to
/// [`MAX_BACKOFF_MS`], each scaled by a random factor in [0.5, 1) so that many phones coming
/// back online together do not hit the server in step.
pub fn backoff_ms(failures: u32, random: f64) -> u32 {
    let base = 1_000u32
        .saturating_mul(1 << failures.min(15))
        .min(MAX_BACKOFF_MS);
    (f64::from(base) * (0.5 + random.clamp(0.0, 1.0) / 2.0)) as u32
}

#[cfg(feature = "hydrate")]
/// One round for `user`: their profile once (or after a move), then, for people on a team,
/// send what is pending and pull what changed.
async fn round(
    profile: RwSignal<Option<Profile>>,
    user: Profile,
    fresh: &mut bool,
) -> Result<(), SyncError> {
    let mut user = user;
    if !*fresh {
        if let Some(newer) = refresh_profile(user.user_id).await? {
            if profile.get_untracked().as_ref() != Some(&newer) {
                profile.set(Some(newer.clone()));
            }
            user = newer;
        }
        *fresh = true;
    }
    if !crate::domain::policy::may(&user.actor(), crate::domain::policy::Action::LogVisits) {
        return Ok(());
    }
    let sent = sync_once(user.user_id).await;
    // A pull follows a failed push too (unless the session expired or the server refused the
    // account): it is small, may get through a signal too poor for the push, and tells the
    // team leader how many visits wait on this phone.
    if matches!(
        sent,
        Err(SyncError::SessionExpired | SyncError::NotAllowed | SyncError::StorageFull)
    ) {
        return sent;
    }
    let pulled = pull_once(user.user_id).await;
    sent?;
    if pulled? {
        *fresh = false;
    }
    Ok(())
}

/// Starts the loop for whoever is signed in (read anew on every round). Browser only.
#[cfg(feature = "hydrate")]
pub fn start(status: SyncStatus, profile: RwSignal<Option<Profile>>) {
    use gloo_timers::future::TimeoutFuture;

    let _ = window_event_listener(leptos::ev::online, move |_| status.kick());
    let _ = window_event_listener(leptos::ev::focus, move |_| status.kick());
    let _ = window_event_listener(leptos::ev::pageshow, move |_| status.kick());
    let _ = window_event_listener(leptos::ev::storage, move |_| {
        // Another tab changed the store: refresh what this one shows.
        status.refresh(profile.get_untracked().map(|p| p.user_id));
    });
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        let on_visible = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || status.kick());
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visible.as_ref().unchecked_ref(),
        );
        on_visible.forget();
    }

    leptos::task::spawn_local(async move {
        let mut failures = 0u32;
        let mut fresh = false;
        let mut last_user = None;
        loop {
            let kicked = status.kick.get_untracked();
            let current = profile.get_untracked();
            let user = current.as_ref().map(|p| p.user_id);
            if user != last_user {
                fresh = false;
                last_user = user;
            }
            let wait = match current {
                Some(current) if !store::sync_meta(current.user_id).session_expired => {
                    status.busy.set(true);
                    let outcome = round(profile, current, &mut fresh).await;
                    status.busy.set(false);
                    match outcome {
                        Ok(()) => {
                            failures = 0;
                            status.error.set(None);
                            IDLE_MS
                        }
                        Err(error) => {
                            failures = failures.saturating_add(1);
                            status.error.set(Some(error));
                            backoff_ms(failures, js_sys::Math::random())
                        }
                    }
                }
                _ => IDLE_MS,
            };
            status.refresh(user);
            let mut waited = 0;
            while waited < wait && status.kick.get_untracked() == kicked {
                TimeoutFuture::new(250).await;
                waited += 250;
            }
        }
    });
}

#[cfg(feature = "hydrate")]
use wasm_bindgen::JsCast;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_stops_at_the_ceiling() {
        assert_eq!(backoff_ms(1, 1.0), 2_000);
        assert_eq!(backoff_ms(2, 1.0), 4_000);
        assert_eq!(backoff_ms(3, 1.0), 8_000);
        assert_eq!(backoff_ms(10, 1.0), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(1000, 1.0), MAX_BACKOFF_MS);
    }

    #[test]
    fn jitter_keeps_the_wait_between_half_and_all_of_the_step() {
        assert_eq!(backoff_ms(2, 0.0), 2_000);
        assert!(backoff_ms(2, 0.5) > 2_000 && backoff_ms(2, 0.5) < 4_000);
    }
}
