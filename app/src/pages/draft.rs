//! The half-filled visit form, kept on the device as the member types: "Quay lại", a call, a
//! flat battery or a reload must not throw away a household's details. One draft per user,
//! under the user's own keys of the device store (`sotay.v1.u.<user>.draft`), so on a shared
//! phone a member never finds someone else's draft. Saving the visit clears it; so does "Bỏ
//! bản nháp".

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{ActivityDone, Outcome};

/// What the form holds, as typed (not yet validated).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    /// The village chosen (commune teams), as the `<select>` value.
    pub village: String,
    /// A household picked from the village's list.
    pub picked: Option<Uuid>,
    /// Household head's name.
    pub head_name: String,
    /// House number or address.
    pub address: String,
    /// The household's phone.
    pub phone: String,
    /// The household agreed to have its phone recorded.
    pub consent: bool,
    /// A household business.
    pub business: bool,
    /// The activities ticked, with people helped and detail.
    pub activities: Vec<ActivityDone>,
    /// The outcome chosen.
    pub outcome: Outcome,
    /// The follow-up date, `yyyy-mm-dd`.
    pub follow_up_on: String,
    /// The note.
    pub note: String,
    /// The visit's time as typed (`yyyy-mm-ddTHH:MM`); empty: now.
    pub visited: String,
    /// A difficulty raised: its kind and note.
    pub difficulty: Option<(String, String)>,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            village: String::new(),
            head_name: String::new(),
            address: String::new(),
            phone: String::new(),
            activities: Vec::new(),
            outcome: Outcome::Done,
            follow_up_on: String::new(),
            note: String::new(),
            picked: None,
            consent: false,
            business: false,
            visited: String::new(),
            difficulty: None,
        }
    }
}

impl Draft {
    /// Nothing typed, ticked or chosen: not worth keeping.
    pub fn is_empty(&self) -> bool {
        let blank = |s: &str| s.trim().is_empty();
        blank(&self.village)
            && blank(&self.head_name)
            && blank(&self.address)
            && blank(&self.phone)
            && self.activities.is_empty()
            && self.outcome == Outcome::Done
            && blank(&self.follow_up_on)
            && blank(&self.note)
            && self.picked.is_none()
            && !self.business
            && self.difficulty.is_none()
    }
}

fn key(user: Uuid) -> String {
    format!("sotay.v1.u.{user}.draft")
}

/// The user's kept draft, if any.
pub fn load(user: Uuid) -> Option<Draft> {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage};
        LocalStorage::get::<Draft>(key(user))
            .ok()
            .filter(|d| !d.is_empty())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key(user);
        None
    }
}

/// Keeps `draft` for `user`, or forgets it when empty. A full store only loses the draft: the
/// form still works and the visit is still saved (or refused) when the member taps "Lưu".
pub fn keep(user: Uuid, draft: &Draft) {
    if draft.is_empty() {
        clear(user);
    } else {
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::{LocalStorage, Storage};
            let _ = LocalStorage::set(key(user), draft);
        }
    }
}

/// Forgets the user's draft.
pub fn clear(user: Uuid) {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage};
        LocalStorage::delete(key(user));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = key(user);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_untouched_form_is_not_worth_keeping() {
        assert!(Draft::default().is_empty());
        let spaces = Draft {
            head_name: "  ".into(),
            ..Draft::default()
        };
        assert!(spaces.is_empty());
    }

    #[test]
    fn anything_typed_ticked_or_chosen_is_kept() {
        let typed = Draft {
            address: "Số 7".into(),
            ..Draft::default()
        };
        let chosen = Draft {
            outcome: Outcome::Declined,
            ..Draft::default()
        };
        assert!(!typed.is_empty());
        assert!(!chosen.is_empty());
    }

    #[test]
    fn a_draft_from_an_older_layout_still_reads() {
        let draft: Draft = serde_json::from_str(r#"{"head_name":"Lan"}"#).unwrap();
        assert_eq!(draft.head_name, "Lan");
        assert_eq!(draft.outcome, Outcome::Done);
    }
}
