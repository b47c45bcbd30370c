//! A household visit as a device records it, and the one validation both sides run on it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::phone::PhoneNumber;
use super::text::{char_len, clean, clean_multiline};
use super::time::{vietnam_date, Date};

/// Longest household head's name, in characters.
pub const MAX_NAME: usize = 100;
/// Longest address, in characters.
pub const MAX_ADDRESS: usize = 200;
/// Longest activity detail, in characters.
pub const MAX_DETAIL: usize = 200;
/// Longest note, in characters.
pub const MAX_NOTE: usize = 2000;
/// Most activities on one visit.
pub const MAX_ACTIVITIES: usize = 30;
/// Longest note on a difficulty, in characters.
pub const MAX_DIFFICULTY_NOTE: usize = 500;
/// Most people helped by one activity on one visit.
pub const MAX_PEOPLE: u32 = 100;
/// Earliest accepted visit time: 2020-01-01T00:00:00Z. Before the program existed.
pub const EARLIEST_VISIT_MS: i64 = 1_577_836_800_000;
/// How far in the future a device clock may run before a visit time is refused.
pub const CLOCK_SKEW_MS: i64 = 24 * 3600 * 1000;

/// One revision of a visit, as a device sends it. The device makes the id (UUID v7) and counts
/// versions: a new visit is version 1 edited from version 0; each edit on the device is
/// `version + 1` edited from the version it started from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VisitRecord {
    /// Made on the device (UUID v7); the same id always means the same visit.
    pub id: Uuid,
    /// This revision's number, from 1.
    pub version: u32,
    /// The version this revision was edited from; 0 for a new visit.
    pub base_version: u32,
    /// This revision's own id, made where the revision was made (the device, or the server for
    /// a revision it writes on the author's behalf). Absent from clients before protocol 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<Uuid>,
    /// The `revision` this one was edited from: with `base_version`, names exactly the
    /// revision the member saw. Absent for a new visit and from clients before protocol 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_revision: Option<Uuid>,
    /// The household visited.
    pub household: HouseholdInput,
    /// When the visit happened, in milliseconds since the Unix epoch (UTC).
    pub visited_at: i64,
    /// What the member helped with.
    pub activities: Vec<ActivityDone>,
    /// How it ended.
    pub outcome: Outcome,
    /// For `follow_up`: the agreed date, `yyyy-mm-dd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_on: Option<String>,
    /// Free note.
    #[serde(default)]
    pub note: String,
    /// The village the visit happened in: required from a team of the commune itself, which
    /// works in every village of its commune; a village team's visits are in its village, so
    /// it may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village_id: Option<i64>,
    /// The member withdrew the visit (allowed until it is approved).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// A difficulty the visit ran into, for commune staff to handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<DifficultyRaised>,
}

/// A difficulty raised on a visit: a category from the province's list, and a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DifficultyRaised {
    /// Category code, e.g. `no_smartphone`, `no_id_card`, `no_signal`, `service_failing`, `other`.
    pub category: String,
    /// What happened (up to 500 characters).
    #[serde(default)]
    pub note: String,
}

/// The household, chosen from the village's list or added on the spot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    /// Made on the device when the household is added (UUID v7).
    pub id: Uuid,
    /// Household head's full name.
    pub head_name: String,
    /// House number or address.
    pub address: String,
    /// Optional phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The household agreed to have its phone number recorded: required with a phone (from
    /// protocol 2 clients, whose revisions carry `revision`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub phone_consent: bool,
    /// The household runs a business (the e-commerce work targets them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub business: bool,
}

/// One activity from the catalogue, done on this visit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityDone {
    /// Catalogue code, e.g. `epayment_account`.
    pub code: String,
    /// Service, platform or provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Number of people helped, 1..=100.
    pub people: u32,
}

/// How a visit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Everything done.
    Done,
    /// Some of it done.
    Partly,
    /// The household declined.
    Declined,
    /// Come back on `follow_up_on`.
    FollowUp,
}

impl Outcome {
    /// The value stored and sent (`done`, `partly`, `declined`, `follow_up`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Partly => "partly",
            Outcome::Declined => "declined",
            Outcome::FollowUp => "follow_up",
        }
    }

    /// Every outcome, in the order the form shows them.
    pub const ALL: [Outcome; 4] = [
        Outcome::Done,
        Outcome::Partly,
        Outcome::Declined,
        Outcome::FollowUp,
    ];
}

/// Why a visit was refused. Each has a stable code (for the API) and names its field (for the form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VisitError {
    /// The household head's name is empty.
    HeadNameRequired,
    /// The household head's name is longer than [`MAX_NAME`].
    HeadNameTooLong,
    /// The address is empty.
    AddressRequired,
    /// The address is longer than [`MAX_ADDRESS`].
    AddressTooLong,
    /// The phone number is not a Vietnamese phone number.
    PhoneInvalid,
    /// No activity, or more than [`MAX_ACTIVITIES`].
    ActivitiesRequired,
    /// An activity code not in the catalogue, or listed twice.
    ActivityUnknown(String),
    /// People helped outside 1..=[`MAX_PEOPLE`].
    PeopleInvalid,
    /// An activity detail longer than [`MAX_DETAIL`].
    DetailTooLong,
    /// Outcome `follow_up` without a valid date.
    FollowUpRequired,
    /// A follow-up date before the day of the visit.
    FollowUpBeforeVisit,
    /// A phone number without the household's consent.
    PhoneConsentRequired,
    /// A difficulty without a category, or with a note longer than [`MAX_DIFFICULTY_NOTE`].
    DifficultyInvalid,
    /// A difficulty category not on the province's list.
    DifficultyUnknown,
    /// The household belongs to another village than the visit's.
    HouseholdElsewhere,
    /// The note is longer than [`MAX_NOTE`].
    NoteTooLong,
    /// The visit time is before 2020 or more than a day ahead of the server clock.
    VisitTime,
    /// `version` is 0, or not above `base_version`.
    Version,
    /// A team of the commune itself must say which village the visit happened in.
    VillageRequired,
    /// The village is not one the team works in.
    VillageUnknown,
}

impl VisitError {
    /// Stable machine code, used in API answers and to pick the translated message.
    pub fn code(&self) -> &'static str {
        match self {
            VisitError::HeadNameRequired => "head_name_required",
            VisitError::HeadNameTooLong => "head_name_too_long",
            VisitError::AddressRequired => "address_required",
            VisitError::AddressTooLong => "address_too_long",
            VisitError::PhoneInvalid => "phone_invalid",
            VisitError::ActivitiesRequired => "activities_required",
            VisitError::ActivityUnknown(_) => "activity_unknown",
            VisitError::PeopleInvalid => "people_invalid",
            VisitError::DetailTooLong => "detail_too_long",
            VisitError::FollowUpRequired => "follow_up_required",
            VisitError::FollowUpBeforeVisit => "follow_up_before_visit",
            VisitError::PhoneConsentRequired => "phone_consent_required",
            VisitError::DifficultyInvalid => "difficulty_invalid",
            VisitError::DifficultyUnknown => "difficulty_unknown",
            VisitError::HouseholdElsewhere => "household_elsewhere",
            VisitError::NoteTooLong => "note_too_long",
            VisitError::VisitTime => "visit_time",
            VisitError::Version => "version",
            VisitError::VillageRequired => "village_required",
            VisitError::VillageUnknown => "village_unknown",
        }
    }

    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            VisitError::HeadNameRequired | VisitError::HeadNameTooLong => "head_name",
            VisitError::AddressRequired | VisitError::AddressTooLong => "address",
            VisitError::PhoneInvalid | VisitError::PhoneConsentRequired => "phone",
            VisitError::HouseholdElsewhere => "household",
            VisitError::DifficultyInvalid | VisitError::DifficultyUnknown => "difficulty",
            VisitError::ActivitiesRequired
            | VisitError::ActivityUnknown(_)
            | VisitError::PeopleInvalid
            | VisitError::DetailTooLong => "activities",
            VisitError::FollowUpRequired | VisitError::FollowUpBeforeVisit => "follow_up_on",
            VisitError::NoteTooLong => "note",
            VisitError::VisitTime => "visited_at",
            VisitError::Version => "version",
            VisitError::VillageRequired | VisitError::VillageUnknown => "village_id",
        }
    }
}

impl std::fmt::Display for VisitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VisitError::ActivityUnknown(code) => write!(f, "activity_unknown: {code}"),
            other => f.write_str(other.code()),
        }
    }
}

impl VisitRecord {
    /// The village the visit belongs to, for a team that works in `villages`: the one the
    /// record names, which must be among them, or the team's only village when it names none.
    pub fn village_among(&self, villages: &[i64]) -> Result<i64, VisitError> {
        match (self.village_id, villages) {
            (Some(id), _) if villages.contains(&id) => Ok(id),
            (Some(_), _) => Err(VisitError::VillageUnknown),
            (None, [only]) => Ok(*only),
            (None, _) => Err(VisitError::VillageRequired),
        }
    }

    /// Checks every field and returns the record in canonical form (text cleaned, phone
    /// normalised), or every problem found. `is_known_activity` says whether a code is in the
    /// catalogue; `now_ms` is the checker's clock.
    pub fn validate(
        &self,
        is_known_activity: impl Fn(&str) -> bool,
        now_ms: i64,
    ) -> Result<VisitRecord, Vec<VisitError>> {
        let mut errors = Vec::new();
        let mut out = self.clone();

        if self.version == 0 || self.version <= self.base_version {
            errors.push(VisitError::Version);
        }

        out.household.head_name = clean(&self.household.head_name);
        if out.household.head_name.is_empty() {
            errors.push(VisitError::HeadNameRequired);
        } else if char_len(&out.household.head_name) > MAX_NAME {
            errors.push(VisitError::HeadNameTooLong);
        }

        out.household.address = clean(&self.household.address);
        if out.household.address.is_empty() {
            errors.push(VisitError::AddressRequired);
        } else if char_len(&out.household.address) > MAX_ADDRESS {
            errors.push(VisitError::AddressTooLong);
        }

        out.household.phone = match self.household.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match PhoneNumber::parse(raw) {
                Ok(phone) => Some(phone.as_str().to_string()),
                Err(_) => {
                    errors.push(VisitError::PhoneInvalid);
                    None
                }
            },
        };

        // Past the limit the activities are not looked at one by one: the record is refused
        // as it is, in time bounded by the limit, however many it lists.
        let activities = if self.activities.len() > MAX_ACTIVITIES {
            &self.activities[..0]
        } else {
            &self.activities[..]
        };
        if activities.is_empty() {
            errors.push(VisitError::ActivitiesRequired);
        }
        let mut seen = Vec::with_capacity(activities.len());
        for (i, activity) in activities.iter().enumerate() {
            if !is_known_activity(&activity.code) || seen.contains(&activity.code.as_str()) {
                errors.push(VisitError::ActivityUnknown(activity.code.clone()));
            }
            seen.push(activity.code.as_str());
            if activity.people == 0 || activity.people > MAX_PEOPLE {
                errors.push(VisitError::PeopleInvalid);
            }
            let detail = activity
                .detail
                .as_deref()
                .map(clean)
                .filter(|d| !d.is_empty());
            if detail.as_deref().is_some_and(|d| char_len(d) > MAX_DETAIL) {
                errors.push(VisitError::DetailTooLong);
            }
            out.activities[i].detail = detail;
        }

        if out.household.phone.is_some() && !self.household.phone_consent && self.revision.is_some()
        {
            errors.push(VisitError::PhoneConsentRequired);
        }

        out.follow_up_on = match (self.outcome, self.follow_up_on.as_deref()) {
            (Outcome::FollowUp, Some(raw)) => match Date::parse_iso(raw.trim()) {
                Some(date) if date < vietnam_date(self.visited_at) => {
                    errors.push(VisitError::FollowUpBeforeVisit);
                    None
                }
                Some(_) => Some(raw.trim().to_string()),
                None => {
                    errors.push(VisitError::FollowUpRequired);
                    None
                }
            },
            (Outcome::FollowUp, _) => {
                errors.push(VisitError::FollowUpRequired);
                None
            }
            (_, _) => None,
        };

        out.note = clean_multiline(&self.note);
        if char_len(&out.note) > MAX_NOTE {
            errors.push(VisitError::NoteTooLong);
        }

        if let Some(difficulty) = &self.difficulty {
            let category = difficulty.category.trim();
            let note = clean_multiline(&difficulty.note);
            if category.is_empty()
                || char_len(category) > 64
                || char_len(&note) > MAX_DIFFICULTY_NOTE
            {
                errors.push(VisitError::DifficultyInvalid);
            }
            out.difficulty = Some(DifficultyRaised {
                category: category.to_string(),
                note,
            });
        }

        if self.visited_at < EARLIEST_VISIT_MS || self.visited_at > now_ms + CLOCK_SKEW_MS {
            errors.push(VisitError::VisitTime);
        }

        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000_000;

    fn known(code: &str) -> bool {
        matches!(code, "health_app" | "epayment_account")
    }

    fn a_visit() -> VisitRecord {
        VisitRecord {
            id: Uuid::now_v7(),
            version: 1,
            base_version: 0,
            revision: None,
            base_revision: None,
            household: HouseholdInput {
                id: Uuid::now_v7(),
                head_name: "  Nguyễn   Văn An ".into(),
                address: "Số 12".into(),
                phone: Some("+84 912 345 678".into()),
                phone_consent: true,
                business: false,
            },
            visited_at: NOW - 60_000,
            activities: vec![ActivityDone {
                code: "health_app".into(),
                detail: Some("  ".into()),
                people: 2,
            }],
            outcome: Outcome::Done,
            follow_up_on: Some("2026-01-01".into()),
            note: " ghi chú ".into(),
            village_id: None,
            withdrawn: false,
            difficulty: None,
        }
    }

    #[test]
    fn a_village_teams_visit_may_leave_its_village_out() {
        assert_eq!(a_visit().village_among(&[7]), Ok(7));
    }

    #[test]
    fn a_commune_teams_visit_must_name_one_of_its_villages() {
        let mut visit = a_visit();
        assert_eq!(
            visit.village_among(&[7, 8]),
            Err(VisitError::VillageRequired)
        );
        visit.village_id = Some(8);
        assert_eq!(visit.village_among(&[7, 8]), Ok(8));
        visit.village_id = Some(9);
        assert_eq!(
            visit.village_among(&[7, 8]),
            Err(VisitError::VillageUnknown)
        );
    }

    #[test]
    fn a_complete_visit_is_accepted_in_canonical_form() {
        let ok = a_visit().validate(known, NOW).unwrap();
        assert_eq!(ok.household.head_name, "Nguyễn Văn An");
        assert_eq!(ok.household.phone.as_deref(), Some("0912345678"));
        assert_eq!(ok.activities[0].detail, None);
        assert_eq!(ok.follow_up_on, None, "a date only belongs to follow_up");
        assert_eq!(ok.note, "ghi chú");
    }

    #[test]
    fn an_empty_form_reports_every_missing_field() {
        let mut visit = a_visit();
        visit.household.head_name = " ".into();
        visit.household.address = String::new();
        visit.activities.clear();
        visit.outcome = Outcome::FollowUp;
        visit.follow_up_on = None;
        let errors = visit.validate(known, NOW).unwrap_err();
        assert_eq!(
            errors,
            vec![
                VisitError::HeadNameRequired,
                VisitError::AddressRequired,
                VisitError::ActivitiesRequired,
                VisitError::FollowUpRequired,
            ]
        );
    }

    #[test]
    fn unknown_or_repeated_activities_and_bad_counts_are_refused() {
        let mut visit = a_visit();
        visit.activities = vec![
            ActivityDone {
                code: "nope".into(),
                detail: None,
                people: 1,
            },
            ActivityDone {
                code: "health_app".into(),
                detail: None,
                people: 0,
            },
            ActivityDone {
                code: "health_app".into(),
                detail: None,
                people: 1,
            },
        ];
        let errors = visit.validate(known, NOW).unwrap_err();
        assert!(errors.contains(&VisitError::ActivityUnknown("nope".into())));
        assert!(errors.contains(&VisitError::ActivityUnknown("health_app".into())));
        assert!(errors.contains(&VisitError::PeopleInvalid));
    }

    #[test]
    fn past_thirty_activities_the_record_is_refused_without_looking_at_each() {
        let mut visit = a_visit();
        // Thousands of repeated, unknown, zero-people activities: one problem, said once.
        visit.activities = (0..31_500)
            .map(|i| ActivityDone {
                code: format!("x{}", i % 7),
                detail: None,
                people: 0,
            })
            .collect();
        let errors = visit.validate(known, NOW).unwrap_err();
        assert_eq!(errors, vec![VisitError::ActivitiesRequired]);
        // Thirty is still a visit.
        visit.activities = (0..MAX_ACTIVITIES)
            .map(|i| ActivityDone {
                code: format!("a{i}"),
                detail: None,
                people: 1,
            })
            .collect();
        assert!(visit.validate(|_| true, NOW).is_ok());
    }

    #[test]
    fn a_bad_phone_a_future_time_and_a_bad_version_are_refused() {
        let mut visit = a_visit();
        visit.household.phone = Some("12345".into());
        visit.visited_at = NOW + 2 * CLOCK_SKEW_MS;
        visit.version = 1;
        visit.base_version = 1;
        let errors = visit.validate(known, NOW).unwrap_err();
        assert_eq!(
            errors,
            vec![
                VisitError::Version,
                VisitError::PhoneInvalid,
                VisitError::VisitTime
            ]
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let mut visit = a_visit();
        visit.household.head_name = "Ễ".repeat(MAX_NAME);
        assert!(visit.validate(known, NOW).is_ok());
        visit.household.head_name = "Ễ".repeat(MAX_NAME + 1);
        assert_eq!(
            visit.validate(known, NOW).unwrap_err(),
            vec![VisitError::HeadNameTooLong]
        );
    }

    #[test]
    fn a_follow_up_date_before_the_day_of_the_visit_is_refused() {
        let mut visit = a_visit();
        visit.outcome = Outcome::FollowUp;
        // NOW - 60 s is 2026-09-21 in Vietnam.
        visit.follow_up_on = Some("2026-09-20".into());
        assert_eq!(
            visit.validate(known, NOW).unwrap_err(),
            vec![VisitError::FollowUpBeforeVisit]
        );
        visit.follow_up_on = Some("2026-09-21".into());
        assert!(visit.validate(known, NOW).is_ok(), "the same day is fine");
        visit.follow_up_on = Some("+999-+1-+1".into());
        assert_eq!(
            visit.validate(known, NOW).unwrap_err(),
            vec![VisitError::FollowUpRequired]
        );
    }

    #[test]
    fn a_phone_needs_the_households_consent_from_protocol_2_clients() {
        let mut visit = a_visit();
        visit.revision = Some(Uuid::now_v7());
        visit.household.phone_consent = false;
        assert_eq!(
            visit.validate(known, NOW).unwrap_err(),
            vec![VisitError::PhoneConsentRequired]
        );
        visit.household.phone = None;
        assert!(
            visit.validate(known, NOW).is_ok(),
            "no phone, no consent needed"
        );
        let mut legacy = a_visit();
        legacy.household.phone_consent = false;
        assert!(
            legacy.validate(known, NOW).is_ok(),
            "a previous client's visit"
        );
    }

    #[test]
    fn a_difficulty_needs_a_category_and_a_short_note() {
        let mut visit = a_visit();
        visit.difficulty = Some(DifficultyRaised {
            category: " no_signal ".into(),
            note: " mất sóng  cả xóm ".into(),
        });
        let ok = visit.validate(known, NOW).unwrap();
        assert_eq!(
            ok.difficulty,
            Some(DifficultyRaised {
                category: "no_signal".into(),
                note: "mất sóng cả xóm".into()
            })
        );
        visit.difficulty = Some(DifficultyRaised {
            category: String::new(),
            note: String::new(),
        });
        assert_eq!(
            visit.validate(known, NOW).unwrap_err(),
            vec![VisitError::DifficultyInvalid]
        );
    }

    #[test]
    fn names_are_stored_composed_whatever_the_keyboard_sent() {
        let mut visit = a_visit();
        visit.household.head_name = "Nguye\u{0302}\u{0303}n\u{200B} Văn An".into();
        let ok = visit.validate(known, NOW).unwrap();
        assert_eq!(ok.household.head_name, "Nguyễn Văn An");
    }

    #[test]
    fn unknown_json_fields_are_refused() {
        let json = r#"{"id":"0190a0d6-6c4e-7a11-8000-000000000001","version":1,"base_version":0,
            "household":{"id":"0190a0d6-6c4e-7a11-8000-000000000002","head_name":"A","address":"B"},
            "visited_at":1790000000000,"activities":[],"outcome":"done","extra":1}"#;
        assert!(serde_json::from_str::<VisitRecord>(json).is_err());
    }
}
