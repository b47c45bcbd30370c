//! When two households of a village are probably the same one: the same head's name, folded
//! (case, tones and marks ignored), and the same house number. The form warns before adding a
//! household that looks like an existing one; the village's list groups them for a merge.

use super::text::fold;
use super::visit::VisitRecord;

/// What an erased household's name and address read. A mark, not a value: a revision that
/// carries it still passes validation, so a member can still fix and repeat the visit.
pub const ERASED: &str = "—";

/// Erasure (docs/security.md, "Personal data"): what is left of a revision once its
/// household's personal data is erased. The household's name and address become [`ERASED`];
/// its phone number and consent go; every free text of the visit goes (the note, the
/// activities' details, the difficulty's note), since any of them may name someone. What the
/// figures count stays: the household's id and business flag, the time, the village, the
/// activities with their people, the outcome, the follow-up date, the difficulty's category.
pub fn scrub(record: &mut VisitRecord) {
    record.household.head_name = ERASED.to_string();
    record.household.address = ERASED.to_string();
    record.household.phone = None;
    record.household.phone_consent = false;
    record.note.clear();
    for activity in &mut record.activities {
        activity.detail = None;
    }
    if let Some(difficulty) = &mut record.difficulty {
        difficulty.note.clear();
    }
}

/// True for a name or address that erasure left.
pub fn is_erased(text: &str) -> bool {
    text == ERASED
}

/// The house number of an address: its first run of digits, with `/` or `-` parts ("12/3",
/// "7-9"); an address without digits is compared whole, folded.
pub fn house_number(address: &str) -> String {
    let folded = fold(address);
    let start = folded.find(|c: char| c.is_ascii_digit());
    match start {
        Some(i) => folded[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '/' || *c == '-')
            .collect::<String>()
            .trim_end_matches(['/', '-'])
            .to_string(),
        None => folded,
    }
}

/// Households with equal keys look like the same household.
pub fn duplicate_key(head_name: &str, address: &str) -> String {
    format!("{}|{}", fold(head_name), house_number(address))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_head_and_house_number_look_alike_whatever_the_typing() {
        assert_eq!(
            duplicate_key("Nguyễn Văn An", "Số 12, thôn Hội Khánh"),
            duplicate_key("nguyen van an", "so 12")
        );
        assert_eq!(
            duplicate_key("Nguye\u{0302}\u{0303}n Văn An", "12"),
            duplicate_key("NGUYỄN VĂN AN", "Nhà 12")
        );
    }

    #[test]
    fn another_house_number_or_another_name_is_another_household() {
        assert_ne!(
            duplicate_key("Nguyễn Văn An", "Số 12"),
            duplicate_key("Nguyễn Văn An", "Số 14")
        );
        assert_ne!(
            duplicate_key("Nguyễn Văn An", "Số 12"),
            duplicate_key("Nguyễn Văn Bình", "Số 12")
        );
        assert_eq!(house_number("Ngõ 12/3 đường Lê Lợi"), "12/3");
        assert_eq!(house_number("Xóm Bãi"), "xom bai");
    }

    #[test]
    fn an_erased_revision_keeps_what_is_counted_and_passes_validation() {
        use crate::domain::visit::{ActivityDone, DifficultyRaised, HouseholdInput, Outcome};
        let mut record = VisitRecord {
            id: uuid::Uuid::from_u128(1),
            version: 2,
            base_version: 1,
            revision: Some(uuid::Uuid::from_u128(3)),
            base_revision: None,
            household: HouseholdInput {
                id: uuid::Uuid::from_u128(2),
                head_name: "Nguyễn Thị Lan".into(),
                address: "Số 12".into(),
                phone: Some("0912345678".into()),
                phone_consent: true,
                business: true,
            },
            visited_at: 1_790_000_000_000,
            activities: vec![ActivityDone {
                code: "health_app".into(),
                detail: Some("cho bà Lan".into()),
                people: 3,
            }],
            outcome: Outcome::FollowUp,
            follow_up_on: Some("2026-12-01".into()),
            note: "Bà Lan hẹn tuần sau".into(),
            village_id: Some(7),
            withdrawn: false,
            difficulty: Some(DifficultyRaised {
                category: "no_id_card".into(),
                note: "Lan mất CCCD".into(),
            }),
        };
        let before = record.clone();
        scrub(&mut record);
        let text = format!("{record:?}");
        for personal in ["Lan", "Số 12", "0912345678"] {
            assert!(!text.contains(personal), "{personal} left in {text}");
        }
        assert!(is_erased(&record.household.head_name) && is_erased(&record.household.address));
        assert!(!record.household.phone_consent);
        assert_eq!(record.household.id, before.household.id);
        assert!(record.household.business);
        assert_eq!(record.activities[0].code, "health_app");
        assert_eq!(record.activities[0].people, 3);
        assert_eq!(
            (
                record.outcome,
                &record.follow_up_on,
                record.visited_at,
                record.village_id
            ),
            (
                before.outcome,
                &before.follow_up_on,
                before.visited_at,
                before.village_id
            )
        );
        assert_eq!(record.difficulty.as_ref().unwrap().category, "no_id_card");
        let again = record
            .validate(|_| true, 1_790_000_100_000)
            .expect("an erased revision is still a valid one");
        assert_eq!(again, record, "and validation leaves it as it is");
    }
}
