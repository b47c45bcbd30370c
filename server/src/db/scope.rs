//! The policy's [`Scope`] in SQL. Every scoped statement reserves its first three parameters
//! for it: `?1` the root of a unit subtree (province or commune), `?2` a team id, `?3` a user
//! id. A `NULL` parameter does not restrict, so [`Scope::Everything`] binds three `NULL`s.
//! The statements start with [`area_cte!`], which expands the subtree under `?1`.

use app::domain::policy::Scope;

/// The first three parameters of a scoped statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScopeParams {
    /// `?1`: the subtree under this unit.
    pub area: Option<i64>,
    /// `?2`: this team.
    pub team: Option<String>,
    /// `?3`: this user.
    pub own: Option<String>,
}

impl From<Scope> for ScopeParams {
    fn from(scope: Scope) -> Self {
        let none = ScopeParams {
            area: None,
            team: None,
            own: None,
        };
        match scope {
            Scope::Everything => none,
            Scope::Province(id) | Scope::Commune(id) => ScopeParams {
                area: Some(id),
                ..none
            },
            Scope::Team(team) => ScopeParams {
                team: Some(team.to_string()),
                ..none
            },
            Scope::Own(user) => ScopeParams {
                own: Some(user.to_string()),
                ..none
            },
        }
    }
}

/// `area(id)`: every unit in the subtree under `?1` (empty when `?1` is NULL).
macro_rules! area_cte {
    () => {
        "WITH RECURSIVE area(id) AS ( \
           SELECT ?1 WHERE ?1 IS NOT NULL \
           UNION ALL SELECT u.id FROM units u JOIN area ON u.parent_id = area.id) "
    };
}
pub(crate) use area_cte;

/// A condition on a unit column `$col`: inside the subtree when `?1` is set, and among the
/// units of team `?2` (its village, or its commune and the commune's villages) when `?2` is.
macro_rules! unit_in_scope {
    ($col:literal) => {
        concat!(
            "(?1 IS NULL OR ",
            $col,
            " IN area) AND (?2 IS NULL OR ",
            $col,
            " IN (SELECT t.unit_id FROM teams t WHERE t.id = ?2 \
               UNION SELECT u.id FROM units u JOIN teams t ON u.parent_id = t.unit_id WHERE t.id = ?2))"
        )
    };
}
pub(crate) use unit_in_scope;

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn everything_restricts_nothing() {
        assert_eq!(
            ScopeParams::from(Scope::Everything),
            ScopeParams {
                area: None,
                team: None,
                own: None
            }
        );
    }

    #[test]
    fn each_scope_fills_exactly_one_parameter() {
        let team = Uuid::from_u128(3);
        assert_eq!(ScopeParams::from(Scope::Province(4)).area, Some(4));
        assert_eq!(ScopeParams::from(Scope::Commune(5)).area, Some(5));
        let by_team = ScopeParams::from(Scope::Team(team));
        assert_eq!(
            (by_team.area, by_team.team, by_team.own),
            (None, Some(team.to_string()), None)
        );
        let own = ScopeParams::from(Scope::Own(team));
        assert_eq!((own.area, own.own), (None, Some(team.to_string())));
    }
}
