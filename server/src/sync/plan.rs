//! Classifying one pushed revision against the stored visit. Pure: no I/O, no clock.
//!
//! The rule that picks the current revision (docs/sync-protocol.md):
//! 1. A revision the server already holds (same visit, version and content) changes nothing.
//! 2. A new visit id is stored as version 1's current revision.
//! 3. Only the visit's author may revise it.
//! 4. An approved visit is locked: a later revision waits as an amendment, not made current.
//! 5. A revision at or below the current version is stale: kept in history only.
//! 6. A revision edited from the current revision, with a higher version, becomes current.
//!    "Edited from the current revision": its `base_version` is the current version and, when
//!    both sides name revisions (protocol 2), its `base_revision` is the current revision.
//! 7. A higher version edited from anything else is a conflict: kept in history and flagged.
//! 8. A revision that would be stored (rules 2 and 4 to 7) is refused when its author has
//!    already sent [`RevisionBounds::per_member_day`] revisions this day (Vietnam time), code
//!    `revisions_per_day`, or the visit already holds [`RevisionBounds::per_visit`],
//!    `revisions_per_visit`. Refused, never stored and then dropped: the device keeps it and
//!    says why. A replay (rule 1) is still acknowledged, whatever the counts.

/// What the server holds for a visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Current version.
    pub version: u32,
    /// Review status.
    pub status: Status,
    /// Author.
    pub member_id: uuid::Uuid,
    /// The current revision's id (`None` when it came from a client before protocol 2).
    pub revision: Option<uuid::Uuid>,
}

/// Review status of a stored visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Awaiting review.
    Submitted,
    /// Approved: locked.
    Approved,
    /// Returned to the member with a reason.
    Returned,
    /// Withdrawn by the member.
    Withdrawn,
}

impl Status {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Returned => "returned",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// Parses the stored value.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Status::Submitted,
            Status::Approved,
            Status::Returned,
            Status::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// What to do with one incoming revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// New visit: insert it and its first revision.
    Insert,
    /// Exactly this revision is already stored: do nothing, acknowledge.
    AlreadyHad,
    /// Make it current and record the revision.
    Update,
    /// Record the revision in history only.
    Stale,
    /// Record the revision in history and flag the conflict.
    Conflict,
    /// Record the revision as an amendment of an approved visit.
    Locked,
    /// Refuse it.
    Reject(&'static str),
}

/// One incoming revision, as far as planning cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Incoming {
    /// Its version.
    pub version: u32,
    /// The version it was edited from.
    pub base_version: u32,
    /// The revision it was edited from (`None` from clients before protocol 2).
    pub base_revision: Option<uuid::Uuid>,
    /// Who pushed it.
    pub author: uuid::Uuid,
}

/// Rule 8's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevisionBounds {
    /// Revisions one visit may hold.
    pub per_visit: u32,
    /// Revisions one member may send in a day.
    pub per_member_day: u32,
}

impl RevisionBounds {
    /// The defaults: far above what a member does by hand (a few dozen visits a day, a
    /// handful of revisions each), low enough that a runaway client stops early.
    pub const DEFAULT: Self = Self {
        per_visit: 100,
        per_member_day: 2000,
    };
}

/// What is already held, for rule 8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Held {
    /// Revisions the visit holds (0 for a new visit).
    pub of_visit: u32,
    /// Revisions its author sent today.
    pub member_today: u32,
}

/// Rule 8 on what rules 1 to 7 planned.
pub fn bounded(planned: Plan, held: Held, bounds: RevisionBounds) -> Plan {
    match planned {
        Plan::AlreadyHad | Plan::Reject(_) => planned,
        _ if held.member_today >= bounds.per_member_day => Plan::Reject("revisions_per_day"),
        _ if held.of_visit >= bounds.per_visit => Plan::Reject("revisions_per_visit"),
        stored => stored,
    }
}

/// Applies rules 1 to 7. `revision_exists`: the history already holds this exact revision.
pub fn plan(incoming: Incoming, stored: Option<&Stored>, revision_exists: bool) -> Plan {
    let Some(stored) = stored else {
        return Plan::Insert;
    };
    if stored.member_id != incoming.author {
        return Plan::Reject("not_author");
    }
    if revision_exists {
        return Plan::AlreadyHad;
    }
    if stored.status == Status::Approved {
        return Plan::Locked;
    }
    if incoming.version <= stored.version {
        return Plan::Stale;
    }
    let same_revision = match (incoming.base_revision, stored.revision) {
        (Some(base), Some(current)) => base == current,
        _ => true,
    };
    if incoming.base_version == stored.version && same_revision {
        Plan::Update
    } else {
        Plan::Conflict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn me() -> Uuid {
        Uuid::from_u128(1)
    }

    fn stored(version: u32, status: Status) -> Stored {
        Stored {
            version,
            status,
            member_id: me(),
            revision: None,
        }
    }

    fn incoming(version: u32, base_version: u32) -> Incoming {
        Incoming {
            version,
            base_version,
            base_revision: None,
            author: me(),
        }
    }

    fn revision(n: u128) -> Option<Uuid> {
        Some(Uuid::from_u128(100 + n))
    }

    #[test]
    fn a_new_id_is_inserted() {
        assert_eq!(plan(incoming(1, 0), None, false), Plan::Insert);
    }

    #[test]
    fn the_same_revision_again_is_already_had() {
        assert_eq!(
            plan(incoming(1, 0), Some(&stored(1, Status::Submitted)), true),
            Plan::AlreadyHad
        );
    }

    #[test]
    fn a_replay_is_already_had_even_after_approval() {
        assert_eq!(
            plan(incoming(1, 0), Some(&stored(1, Status::Approved)), true),
            Plan::AlreadyHad
        );
    }

    #[test]
    fn an_edit_of_the_current_version_becomes_current() {
        assert_eq!(
            plan(incoming(2, 1), Some(&stored(1, Status::Submitted)), false),
            Plan::Update
        );
        assert_eq!(
            plan(incoming(3, 1), Some(&stored(1, Status::Returned)), false),
            Plan::Update
        );
    }

    #[test]
    fn an_older_or_equal_version_with_other_content_is_stale() {
        assert_eq!(
            plan(incoming(1, 0), Some(&stored(2, Status::Submitted)), false),
            Plan::Stale
        );
        assert_eq!(
            plan(incoming(2, 1), Some(&stored(2, Status::Submitted)), false),
            Plan::Stale
        );
    }

    #[test]
    fn a_higher_version_from_an_old_base_is_a_conflict() {
        assert_eq!(
            plan(incoming(3, 1), Some(&stored(2, Status::Submitted)), false),
            Plan::Conflict
        );
    }

    #[test]
    fn an_edit_naming_the_current_revision_becomes_current() {
        let current = Stored {
            revision: revision(2),
            ..stored(2, Status::Submitted)
        };
        let edit = Incoming {
            base_revision: revision(2),
            ..incoming(3, 2)
        };
        assert_eq!(plan(edit, Some(&current), false), Plan::Update);
    }

    #[test]
    fn an_edit_of_another_devices_same_version_is_a_conflict() {
        // Two devices both edited version 1; the server holds the other device's version 2.
        let current = Stored {
            revision: revision(2),
            ..stored(2, Status::Submitted)
        };
        let edit = Incoming {
            base_revision: revision(7),
            ..incoming(3, 2)
        };
        assert_eq!(plan(edit, Some(&current), false), Plan::Conflict);
    }

    #[test]
    fn without_revision_ids_on_either_side_the_version_alone_decides() {
        let legacy_current = stored(2, Status::Submitted);
        let named_edit = Incoming {
            base_revision: revision(2),
            ..incoming(3, 2)
        };
        assert_eq!(plan(named_edit, Some(&legacy_current), false), Plan::Update);
        let current = Stored {
            revision: revision(2),
            ..stored(2, Status::Submitted)
        };
        assert_eq!(plan(incoming(3, 2), Some(&current), false), Plan::Update);
    }

    #[test]
    fn an_edit_after_approval_is_locked() {
        assert_eq!(
            plan(incoming(2, 1), Some(&stored(1, Status::Approved)), false),
            Plan::Locked
        );
    }

    const BOUNDS: RevisionBounds = RevisionBounds {
        per_visit: 3,
        per_member_day: 5,
    };

    fn held(of_visit: u32, member_today: u32) -> Held {
        Held {
            of_visit,
            member_today,
        }
    }

    #[test]
    fn a_visit_that_holds_its_bound_of_revisions_takes_no_more_of_any_kind() {
        for planned in [Plan::Update, Plan::Stale, Plan::Conflict, Plan::Locked] {
            assert_eq!(
                bounded(planned.clone(), held(3, 0), BOUNDS),
                Plan::Reject("revisions_per_visit")
            );
            assert_eq!(bounded(planned.clone(), held(2, 0), BOUNDS), planned);
        }
    }

    #[test]
    fn a_member_past_the_days_bound_sends_nothing_new_not_even_a_new_visit() {
        for planned in [Plan::Insert, Plan::Update, Plan::Conflict] {
            assert_eq!(
                bounded(planned, held(0, 5), BOUNDS),
                Plan::Reject("revisions_per_day")
            );
        }
        assert_eq!(bounded(Plan::Insert, held(0, 4), BOUNDS), Plan::Insert);
    }

    #[test]
    fn a_replay_is_acknowledged_and_a_refusal_kept_whatever_the_counts() {
        assert_eq!(
            bounded(Plan::AlreadyHad, held(9, 9), BOUNDS),
            Plan::AlreadyHad
        );
        assert_eq!(
            bounded(Plan::Reject("not_author"), held(9, 9), BOUNDS),
            Plan::Reject("not_author")
        );
    }

    #[test]
    fn someone_elses_visit_is_rejected() {
        let other = Incoming {
            author: Uuid::from_u128(2),
            ..incoming(2, 1)
        };
        assert_eq!(
            plan(other, Some(&stored(1, Status::Submitted)), false),
            Plan::Reject("not_author")
        );
    }
}
