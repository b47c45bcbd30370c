//! What an amendment changes: the fields of a visit that differ between the approved revision
//! and the edit waiting for a decision, each as old → new text. A pure function, so the rule
//! (which fields, compared as the reviewer reads them) is tested apart from the page.

use crate::domain::visit::VisitRecord;

/// A field of a visit as the reviewer reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The household head's name.
    HeadName,
    /// House number or address.
    Address,
    /// The household's phone.
    Phone,
    /// The household business flag.
    Business,
    /// When the visit happened.
    VisitedAt,
    /// The village where it happened.
    Village,
    /// Activities and people helped.
    Activities,
    /// The outcome.
    Outcome,
    /// The follow-up date.
    FollowUp,
    /// The note.
    Note,
    /// The difficulty raised.
    Difficulty,
}

/// Every field, in the order the page lists changes.
pub const FIELDS: [Field; 11] = [
    Field::HeadName,
    Field::Address,
    Field::Phone,
    Field::Business,
    Field::VisitedAt,
    Field::Village,
    Field::Activities,
    Field::Outcome,
    Field::FollowUp,
    Field::Note,
    Field::Difficulty,
];

/// The fields whose text differs between `old` and `new`, with both texts. `describe` gives a
/// field of a revision as the reviewer reads it (names, dates, words); comparing those texts
/// means a change the reviewer could not see is not listed.
pub fn changes(
    old: &VisitRecord,
    new: &VisitRecord,
    describe: impl Fn(Field, &VisitRecord) -> String,
) -> Vec<(Field, String, String)> {
    FIELDS
        .iter()
        .filter_map(|&field| {
            let (before, after) = (describe(field, old), describe(field, new));
            (before != after).then_some((field, before, after))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(field: Field, record: &VisitRecord) -> String {
        match field {
            Field::HeadName => record.household.head_name.clone(),
            Field::Note => record.note.clone(),
            Field::Activities => record
                .activities
                .iter()
                .map(|a| format!("{} ×{}", a.code, a.people))
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        }
    }

    fn record() -> VisitRecord {
        serde_json::from_value(serde_json::json!({
            "id": "0193aa00-0000-7000-8000-000000000001", "version": 1, "base_version": 0,
            "household": { "id": "0193aa00-0000-7000-8000-000000000002",
                           "head_name": "Nguyễn Văn An", "address": "Số 12" },
            "visited_at": 1_780_000_000_000i64,
            "activities": [{ "code": "health_app", "people": 2 }],
            "outcome": "done", "note": "cũ"
        }))
        .unwrap()
    }

    #[test]
    fn only_the_fields_that_read_differently_are_listed_old_then_new() {
        let old = record();
        let mut new = record();
        new.note = "mới".into();
        new.activities[0].people = 3;
        assert_eq!(
            changes(&old, &new, plain),
            vec![
                (
                    Field::Activities,
                    "health_app ×2".into(),
                    "health_app ×3".into()
                ),
                (Field::Note, "cũ".into(), "mới".into()),
            ]
        );
    }

    #[test]
    fn an_identical_edit_lists_nothing() {
        assert!(changes(&record(), &record(), plain).is_empty());
    }
}
