//! A team's roster and the plan's composition rule. Pure: the server reports it on the team
//! and commune pages, and the app can check a roster it holds offline.
//!
//! The composition rule (Kế hoạch 77/KH-UBND), checked as a warning, never a block:
//! 1. A team has at least [`MIN_PEOPLE`] people.
//! 2. It has a leader.
//! 3. The leader is a Youth Union member.
//! 4. At least [`MIN_YOUTH_UNION`] of its people are Youth Union members, the leader included.
//! 5. A Women's Union representative is on it.
//! 6. A village cadre is on it.

use serde::{Deserialize, Serialize};

/// Rule 1.
pub const MIN_PEOPLE: usize = 4;
/// Rule 4.
pub const MIN_YOUTH_UNION: usize = 2;

/// What a member represents on the team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Affiliation {
    /// Đoàn Thanh niên: the Youth Union.
    YouthUnion,
    /// Hội Liên hiệp Phụ nữ: the Women's Union.
    WomensUnion,
    /// Cán bộ thôn: a village cadre.
    VillageCadre,
    /// Công an: the police post.
    Police,
    /// Anyone else (young people with IT skills, volunteers).
    Other,
}

impl Affiliation {
    /// Every affiliation, in the order forms offer them.
    pub const ALL: [Affiliation; 5] = [
        Affiliation::YouthUnion,
        Affiliation::WomensUnion,
        Affiliation::VillageCadre,
        Affiliation::Police,
        Affiliation::Other,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Affiliation::YouthUnion => "youth_union",
            Affiliation::WomensUnion => "womens_union",
            Affiliation::VillageCadre => "village_cadre",
            Affiliation::Police => "police",
            Affiliation::Other => "other",
        }
    }

    /// Parses the stored value.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// A place on the roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Tổ trưởng.
    Leader,
    /// Thành viên.
    Member,
}

impl Position {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Leader => "leader",
            Position::Member => "member",
        }
    }

    /// Parses the stored value.
    pub fn parse(raw: &str) -> Option<Self> {
        [Position::Leader, Position::Member]
            .into_iter()
            .find(|p| p.as_str() == raw)
    }
}

/// What a team lacks under the composition rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// Rule 1: fewer than four people.
    TooFewPeople,
    /// Rule 2: nobody leads it.
    NoLeader,
    /// Rule 3: the leader is not from the Youth Union.
    LeaderNotYouthUnion,
    /// Rule 4: fewer than two Youth Union members.
    TooFewYouthUnion,
    /// Rule 5: no Women's Union representative.
    NoWomensUnion,
    /// Rule 6: no village cadre.
    NoVillageCadre,
}

impl Gap {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Gap::TooFewPeople => "too_few_people",
            Gap::NoLeader => "no_leader",
            Gap::LeaderNotYouthUnion => "leader_not_youth_union",
            Gap::TooFewYouthUnion => "too_few_youth_union",
            Gap::NoWomensUnion => "no_womens_union",
            Gap::NoVillageCadre => "no_village_cadre",
        }
    }
}

/// Applies the composition rule to a roster given as (position, affiliation) of each person
/// on it now. Empty when the team meets every rule.
pub fn composition_gaps(roster: &[(Position, Affiliation)]) -> Vec<Gap> {
    let mut gaps = Vec::new();
    if roster.len() < MIN_PEOPLE {
        gaps.push(Gap::TooFewPeople);
    }
    match roster.iter().find(|(p, _)| *p == Position::Leader) {
        None => gaps.push(Gap::NoLeader),
        Some((_, a)) if *a != Affiliation::YouthUnion => gaps.push(Gap::LeaderNotYouthUnion),
        Some(_) => {}
    }
    let count = |wanted: Affiliation| roster.iter().filter(|(_, a)| *a == wanted).count();
    if count(Affiliation::YouthUnion) < MIN_YOUTH_UNION {
        gaps.push(Gap::TooFewYouthUnion);
    }
    if count(Affiliation::WomensUnion) == 0 {
        gaps.push(Gap::NoWomensUnion);
    }
    if count(Affiliation::VillageCadre) == 0 {
        gaps.push(Gap::NoVillageCadre);
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use Affiliation::*;
    use Position::*;

    #[test]
    fn a_team_as_the_plan_wants_it_has_no_gap() {
        let roster = [
            (Leader, YouthUnion),
            (Member, YouthUnion),
            (Member, WomensUnion),
            (Member, VillageCadre),
        ];
        assert_eq!(composition_gaps(&roster), vec![]);
    }

    #[test]
    fn three_people_are_too_few_even_if_every_role_is_there() {
        let roster = [
            (Leader, YouthUnion),
            (Member, WomensUnion),
            (Member, VillageCadre),
        ];
        assert_eq!(
            composition_gaps(&roster),
            vec![Gap::TooFewPeople, Gap::TooFewYouthUnion]
        );
    }

    #[test]
    fn a_leader_from_outside_the_youth_union_is_reported() {
        let roster = [
            (Leader, WomensUnion),
            (Member, YouthUnion),
            (Member, YouthUnion),
            (Member, VillageCadre),
        ];
        assert_eq!(composition_gaps(&roster), vec![Gap::LeaderNotYouthUnion]);
    }

    #[test]
    fn a_team_without_a_leader_says_so() {
        let roster = [
            (Member, YouthUnion),
            (Member, YouthUnion),
            (Member, WomensUnion),
            (Member, VillageCadre),
        ];
        assert_eq!(composition_gaps(&roster), vec![Gap::NoLeader]);
    }

    #[test]
    fn an_empty_team_misses_everything() {
        assert_eq!(
            composition_gaps(&[]),
            vec![
                Gap::TooFewPeople,
                Gap::NoLeader,
                Gap::TooFewYouthUnion,
                Gap::NoWomensUnion,
                Gap::NoVillageCadre
            ]
        );
    }

    #[test]
    fn the_leader_counts_towards_the_two_youth_union_members() {
        let roster = [
            (Leader, YouthUnion),
            (Member, Other),
            (Member, WomensUnion),
            (Member, VillageCadre),
        ];
        assert_eq!(composition_gaps(&roster), vec![Gap::TooFewYouthUnion]);
    }

    #[test]
    fn stored_values_round_trip() {
        for a in Affiliation::ALL {
            assert_eq!(Affiliation::parse(a.as_str()), Some(a));
        }
        assert_eq!(Position::parse("leader"), Some(Leader));
        assert_eq!(Affiliation::parse("guild"), None);
    }
}
