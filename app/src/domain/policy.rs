//! Who may do what, and over which records. Pure: no I/O, no clock. The server asks it on
//! every route and hands the [`Scope`] it gives to storage, so the restriction is in the SQL
//! itself; pages ask the same functions to hide what a user may not do.
//!
//! The rules, applied in this order by [`scope`] (docs/architecture.md repeats them):
//! 1. Without a session, only health, sign-in and the API description answer (the server's
//!    router, before this module is asked).
//! 2. An account whose password was set by someone else may only read itself, change its
//!    password and sign out: [`Refusal::PasswordChangeRequired`].
//! 3. A closed account may only send the visits its phone logged before it was closed
//!    ([`Refusal::AccountClosed`] for everything else); the server checks the visits' times.
//! 4. Reading oneself, changing one's password, reading the activity catalogue and pulling
//!    one's feed (the catalogue, and for people on a team their roster and households) are
//!    for every account.
//! 5. Every other action has a table (in [`grant`]) of the roles that may do it. A role not
//!    in it is refused ([`Refusal::NotPermitted`]) whatever the record.
//! 6. A role that may act gets the scope of its place: administrators the whole deployment,
//!    province staff their province, commune staff their commune, leaders their team, members
//!    their team or only their own records. A record outside the scope does not exist for that
//!    user (404, never 403: the answer does not tell what is there).
//! 7. Logging visits needs a place on a team's roster ([`Refusal::NoTeam`]).
//! 8. A user may create, reset, close or move only accounts of a role below their own, and
//!    give only roles below their own; administrators may do so for any role ([`outranks`]).
//! 9. Targets are set from above: province staff (and administrators) for communes and
//!    villages, commune staff for their villages only; nobody for their own unit
//!    ([`may_set_target`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a user is. Leaders are members whose team's roster names them leader: the account
/// stores `member`, the roster decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Team member (thành viên): logs visits.
    Member,
    /// Team leader (tổ trưởng): a member who also keeps the team's roster and log.
    Leader,
    /// Commune staff (cán bộ xã): villages, teams, rosters, approvals of their commune.
    CommuneStaff,
    /// Province staff: the province's communes, catalogue and reports.
    ProvinceStaff,
    /// Administrator: the whole deployment.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 5] = [
        Role::Member,
        Role::Leader,
        Role::CommuneStaff,
        Role::ProvinceStaff,
        Role::Admin,
    ];

    /// The value stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Leader => "leader",
            Role::CommuneStaff => "commune_staff",
            Role::ProvinceStaff => "province_staff",
            Role::Admin => "admin",
        }
    }

    /// Parses the stored value.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// True for the roles that work on a team (and log visits).
    pub fn is_team(self) -> bool {
        matches!(self, Role::Member | Role::Leader)
    }
}

/// The signed-in user as the policy sees them: who, what, where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    /// User id.
    pub user: Uuid,
    /// Effective role (leader when the roster says so).
    pub role: Role,
    /// The province the user works in (none only for an administrator of no province).
    pub province: Option<i64>,
    /// The commune, for commune staff and team people.
    pub commune: Option<i64>,
    /// The team on whose roster the user is now.
    pub team: Option<Uuid>,
    /// False once the account is closed.
    pub active: bool,
    /// The password was set by someone else and must be changed first.
    pub must_change_password: bool,
}

/// What a user wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read one's own profile, sign out.
    ReadSelf,
    /// Change one's own password.
    ChangeOwnPassword,
    /// Read the activity catalogue offered in one's province.
    ReadCatalogue,
    /// Push visits one logged.
    LogVisits,
    /// Pull the feed of what one's devices keep.
    PullFeed,
    /// List visits.
    ReadVisits,
    /// Approve or return visits.
    ReviewVisits,
    /// List visits with conflicting revisions.
    ReadConflicts,
    /// Keep one of a visit's conflicting revisions.
    ResolveConflicts,
    /// Mark a visit of one's team reviewed or as having issues (a team leader's note).
    MarkVisits,
    /// List the difficulties visits raised.
    ReadDifficulties,
    /// Mark a difficulty handled, with a comment for the team.
    HandleDifficulties,
    /// List a village's households, with their likely duplicates.
    ReadHouseholds,
    /// Merge a duplicate household into another.
    MergeHouseholds,
    /// Export everything held about a household (its personal data, visits, revisions).
    ExportHouseholdData,
    /// Erase a household's personal data (the visits stay, and stay counted).
    EraseHouseholdData,
    /// Read units (provinces, communes, villages) and their summaries.
    ReadUnits,
    /// Create villages, set their household counts.
    ManageVillages,
    /// Read teams and their rosters.
    ReadTeams,
    /// Create teams, change their name and decision.
    ManageTeams,
    /// Add, change and remove roster members, choose the leader.
    ManageRoster,
    /// Import a roster from CSV.
    ImportRoster,
    /// List accounts.
    ReadUsers,
    /// Create accounts, reset passwords, close, reopen and move accounts.
    ManageUsers,
    /// Keep a province's lists: the activity catalogue and the kinds of difficulty.
    ManageCatalogue,
    /// Read the audit log.
    ReadAudit,
    /// Read the figures of a unit (dashboards, exports).
    ReadFigures,
    /// Set the targets of communes and villages (rule 9 says which).
    SetTargets,
}

impl Action {
    /// Every action, for tables and tests.
    pub const ALL: [Action; 28] = [
        Action::ReadSelf,
        Action::ChangeOwnPassword,
        Action::ReadCatalogue,
        Action::LogVisits,
        Action::PullFeed,
        Action::ReadVisits,
        Action::ReviewVisits,
        Action::ReadConflicts,
        Action::ResolveConflicts,
        Action::MarkVisits,
        Action::ReadDifficulties,
        Action::HandleDifficulties,
        Action::ReadHouseholds,
        Action::MergeHouseholds,
        Action::ExportHouseholdData,
        Action::EraseHouseholdData,
        Action::ReadUnits,
        Action::ManageVillages,
        Action::ReadTeams,
        Action::ManageTeams,
        Action::ManageRoster,
        Action::ImportRoster,
        Action::ReadUsers,
        Action::ManageUsers,
        Action::ManageCatalogue,
        Action::ReadAudit,
        Action::ReadFigures,
        Action::SetTargets,
    ];
}

/// Over which records an allowed action reaches. Storage turns it into a `WHERE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// The whole deployment.
    Everything,
    /// Everything in a province (its communes, villages, teams, people).
    Province(i64),
    /// Everything in a commune (its villages, teams, people).
    Commune(i64),
    /// A team: its roster, its visits, the households of its villages.
    Team(Uuid),
    /// Only the user's own records.
    Own(Uuid),
}

/// Why an action is refused. Each has a stable code for the API (403).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Rule 2: change the password first.
    PasswordChangeRequired,
    /// Rule 3: the account is closed.
    AccountClosed,
    /// Rule 5: the role may not do this anywhere.
    NotPermitted,
    /// Rule 7: logging visits needs a team.
    NoTeam,
    /// Rule 8: the account or role is not below one's own.
    RoleNotBelow,
}

impl Refusal {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::PasswordChangeRequired => "password_change_required",
            Refusal::AccountClosed => "account_closed",
            Refusal::NotPermitted => "forbidden",
            Refusal::NoTeam => "no_team",
            Refusal::RoleNotBelow => "role_not_below",
        }
    }
}

/// How far a role's grant reaches, before it is turned into a [`Scope`] for one user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// The user's place: deployment, province, commune or team, by role.
    Place,
    /// Only the user's own records.
    Own,
}

/// Rule 5: which roles may do an action, and how far. `None`: the role may not.
fn grant(action: Action, role: Role) -> Option<Reach> {
    use Action::*;
    use Role::*;
    let place = Some(Reach::Place);
    match (action, role) {
        (ReadSelf | ChangeOwnPassword | ReadCatalogue | PullFeed, _) => Some(Reach::Own),
        (LogVisits, Member | Leader) => Some(Reach::Own),
        (LogVisits, _) => None,
        (ReadVisits | ReadConflicts, Member) => Some(Reach::Own),
        (ReadVisits | ReadConflicts, _) => place,
        (ReviewVisits, CommuneStaff | ProvinceStaff | Admin) => place,
        (ResolveConflicts, Member) => Some(Reach::Own),
        (ResolveConflicts | MarkVisits, Leader) => place,
        (ReadDifficulties | ReadHouseholds, Leader | CommuneStaff | ProvinceStaff | Admin) => place,
        (HandleDifficulties, CommuneStaff | Admin) => place,
        // A household's personal data is the commune's to give out and to erase: the staff
        // who answer to it (Decree 13/2023), and administrators.
        (ExportHouseholdData | EraseHouseholdData, CommuneStaff | Admin) => place,
        (MergeHouseholds, Leader | CommuneStaff | Admin) => place,
        (ReadTeams, _) => place,
        (ManageRoster, Leader | CommuneStaff | Admin) => place,
        (
            ReadUnits | ReadUsers | ManageUsers | ReadAudit | ReadFigures | SetTargets,
            CommuneStaff | ProvinceStaff | Admin,
        ) => place,
        (ManageVillages | ManageTeams | ImportRoster, CommuneStaff | Admin) => place,
        (ManageCatalogue, ProvinceStaff | Admin) => place,
        (
            ReviewVisits | ResolveConflicts | MarkVisits | ReadDifficulties | HandleDifficulties
            | ReadHouseholds | MergeHouseholds | ExportHouseholdData | EraseHouseholdData
            | ManageRoster | ReadUnits | ReadUsers | ManageUsers | ReadAudit | ManageVillages
            | ManageTeams | ImportRoster | ManageCatalogue | ReadFigures | SetTargets,
            _,
        ) => None,
    }
}

/// The scope of a user's place (rule 6). `None` when the place is missing (a commune officer
/// without a commune): nothing is in reach.
fn place(actor: &Actor) -> Option<Scope> {
    match actor.role {
        Role::Admin => Some(Scope::Everything),
        Role::ProvinceStaff => actor.province.map(Scope::Province),
        Role::CommuneStaff => actor.commune.map(Scope::Commune),
        Role::Leader | Role::Member => actor.team.map(Scope::Team),
    }
}

/// Decides whether `actor` may do `action`, and over which records (rules 2 to 7).
pub fn scope(actor: &Actor, action: Action) -> Result<Scope, Refusal> {
    let always = matches!(action, Action::ReadSelf | Action::ChangeOwnPassword);
    if actor.must_change_password && !always {
        return Err(Refusal::PasswordChangeRequired);
    }
    if !actor.active && !always && action != Action::LogVisits {
        return Err(Refusal::AccountClosed);
    }
    let reach = grant(action, actor.role).ok_or(Refusal::NotPermitted)?;
    if action == Action::LogVisits && actor.active && actor.team.is_none() {
        return Err(Refusal::NoTeam);
    }
    match reach {
        Reach::Own => Ok(Scope::Own(actor.user)),
        Reach::Place => place(actor).ok_or(Refusal::NotPermitted),
    }
}

/// True when `scope` would be given: for pages, to show only what the user may do.
pub fn may(actor: &Actor, action: Action) -> bool {
    scope(actor, action).is_ok()
}

/// Rule 8: whether `actor` may create, reset, close or move an account of role `target`, or
/// give that role. Administrators may for any role; others only below their own. A leader's
/// account is a member's (the roster makes the leader), so it ranks as a member here.
pub fn outranks(actor: &Actor, target: Role) -> Result<(), Refusal> {
    let target = if target == Role::Leader {
        Role::Member
    } else {
        target
    };
    if actor.role == Role::Admin || target < actor.role {
        Ok(())
    } else {
        Err(Refusal::RoleNotBelow)
    }
}

/// Rule 9: whether `actor` may set targets for a unit of `level` (within their scope, which
/// storage checks): province staff and administrators for communes and villages, commune staff
/// for villages.
pub fn may_set_target(actor: &Actor, level: crate::api::UnitLevel) -> Result<(), Refusal> {
    use crate::api::UnitLevel;
    scope(actor, Action::SetTargets)?;
    let allowed = match actor.role {
        Role::Admin | Role::ProvinceStaff => {
            matches!(level, UnitLevel::Commune | UnitLevel::Village)
        }
        Role::CommuneStaff => level == UnitLevel::Village,
        Role::Leader | Role::Member => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::NotPermitted)
    }
}

/// The home page of a role: where a user lands after signing in.
pub fn home_path(role: Role, unit: i64, team: Option<Uuid>) -> String {
    match (role, team) {
        (Role::Member, _) | (Role::Leader, None) => "/".to_string(),
        (Role::Leader, Some(team)) => format!("/teams/{team}"),
        (Role::CommuneStaff | Role::ProvinceStaff, _) => format!("/units/{unit}"),
        (Role::Admin, _) => "/admin".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVINCE: i64 = 1;
    const COMMUNE: i64 = 2;

    fn actor(role: Role) -> Actor {
        Actor {
            user: Uuid::from_u128(7),
            role,
            province: Some(PROVINCE),
            commune: (role <= Role::CommuneStaff).then_some(COMMUNE),
            team: role.is_team().then(|| Uuid::from_u128(9)),
            active: true,
            must_change_password: false,
        }
    }

    #[test]
    fn each_role_reads_visits_over_its_own_place() {
        let team = Uuid::from_u128(9);
        let expected = [
            (Role::Member, Scope::Own(Uuid::from_u128(7))),
            (Role::Leader, Scope::Team(team)),
            (Role::CommuneStaff, Scope::Commune(COMMUNE)),
            (Role::ProvinceStaff, Scope::Province(PROVINCE)),
            (Role::Admin, Scope::Everything),
        ];
        for (role, scope_) in expected {
            assert_eq!(
                scope(&actor(role), Action::ReadVisits),
                Ok(scope_),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_people_on_a_team_log_visits() {
        assert!(may(&actor(Role::Member), Action::LogVisits));
        assert!(may(&actor(Role::Leader), Action::LogVisits));
        for role in [Role::CommuneStaff, Role::ProvinceStaff, Role::Admin] {
            assert_eq!(
                scope(&actor(role), Action::LogVisits),
                Err(Refusal::NotPermitted)
            );
        }
    }

    #[test]
    fn a_member_taken_off_every_roster_cannot_log_visits() {
        let mut member = actor(Role::Member);
        member.team = None;
        assert_eq!(scope(&member, Action::LogVisits), Err(Refusal::NoTeam));
    }

    #[test]
    fn a_password_to_change_blocks_everything_but_the_change() {
        let mut admin = actor(Role::Admin);
        admin.must_change_password = true;
        assert!(may(&admin, Action::ReadSelf));
        assert!(may(&admin, Action::ChangeOwnPassword));
        for action in Action::ALL {
            if !matches!(action, Action::ReadSelf | Action::ChangeOwnPassword) {
                assert_eq!(
                    scope(&admin, action),
                    Err(Refusal::PasswordChangeRequired),
                    "{action:?}"
                );
            }
        }
    }

    #[test]
    fn targets_come_from_above_and_nobody_sets_their_own_units() {
        use crate::api::UnitLevel::*;
        let commune_staff = actor(Role::CommuneStaff);
        assert_eq!(may_set_target(&commune_staff, Village), Ok(()));
        assert_eq!(
            may_set_target(&commune_staff, Commune),
            Err(Refusal::NotPermitted)
        );
        for role in [Role::ProvinceStaff, Role::Admin] {
            assert_eq!(may_set_target(&actor(role), Commune), Ok(()));
            assert_eq!(may_set_target(&actor(role), Village), Ok(()));
            assert_eq!(
                may_set_target(&actor(role), Province),
                Err(Refusal::NotPermitted)
            );
        }
        for role in [Role::Member, Role::Leader] {
            assert_eq!(
                may_set_target(&actor(role), Village),
                Err(Refusal::NotPermitted)
            );
        }
    }

    #[test]
    fn a_closed_account_may_only_send_what_it_logged() {
        let mut member = actor(Role::Member);
        member.active = false;
        member.team = None;
        assert!(may(&member, Action::LogVisits));
        assert_eq!(
            scope(&member, Action::PullFeed),
            Err(Refusal::AccountClosed)
        );
        assert_eq!(
            scope(&member, Action::ReadVisits),
            Err(Refusal::AccountClosed)
        );
    }

    #[test]
    fn commune_staff_keep_villages_teams_and_rosters_but_not_the_catalogue() {
        let staff = actor(Role::CommuneStaff);
        for action in [
            Action::ManageVillages,
            Action::ManageTeams,
            Action::ManageRoster,
            Action::ImportRoster,
            Action::ManageUsers,
            Action::ReadAudit,
        ] {
            assert_eq!(
                scope(&staff, action),
                Ok(Scope::Commune(COMMUNE)),
                "{action:?}"
            );
        }
        assert_eq!(
            scope(&staff, Action::ManageCatalogue),
            Err(Refusal::NotPermitted)
        );
    }

    #[test]
    fn a_leader_keeps_their_own_teams_roster_only() {
        let leader = actor(Role::Leader);
        assert_eq!(
            scope(&leader, Action::ManageRoster),
            Ok(Scope::Team(Uuid::from_u128(9)))
        );
        assert_eq!(
            scope(&leader, Action::ManageTeams),
            Err(Refusal::NotPermitted)
        );
        assert_eq!(
            scope(&leader, Action::ReviewVisits),
            Err(Refusal::NotPermitted)
        );
    }

    #[test]
    fn province_staff_keep_the_catalogue_and_review_but_no_rosters() {
        let staff = actor(Role::ProvinceStaff);
        assert_eq!(
            scope(&staff, Action::ManageCatalogue),
            Ok(Scope::Province(PROVINCE))
        );
        assert!(may(&staff, Action::ReviewVisits));
        assert!(!may(&staff, Action::ManageRoster));
        assert!(!may(&staff, Action::ManageVillages));
    }

    #[test]
    fn a_member_settles_only_their_own_conflicts_and_a_leader_their_teams() {
        let member = actor(Role::Member);
        assert_eq!(
            scope(&member, Action::ResolveConflicts),
            Ok(Scope::Own(member.user))
        );
        let leader = actor(Role::Leader);
        assert!(matches!(
            scope(&leader, Action::ResolveConflicts),
            Ok(Scope::Team(_))
        ));
        assert!(matches!(
            scope(&leader, Action::MarkVisits),
            Ok(Scope::Team(_))
        ));
        assert_eq!(
            scope(&member, Action::MarkVisits),
            Err(Refusal::NotPermitted),
            "only the leader marks"
        );
        let staff = actor(Role::CommuneStaff);
        assert_eq!(
            scope(&staff, Action::ResolveConflicts),
            Err(Refusal::NotPermitted)
        );
    }

    #[test]
    fn members_manage_nothing() {
        let member = actor(Role::Member);
        for action in Action::ALL {
            let allowed = may(&member, action);
            let expected = matches!(
                action,
                Action::ReadSelf
                    | Action::ChangeOwnPassword
                    | Action::ReadCatalogue
                    | Action::LogVisits
                    | Action::PullFeed
                    | Action::ReadVisits
                    | Action::ReadConflicts
                    | Action::ResolveConflicts
                    | Action::ReadTeams
            );
            assert_eq!(allowed, expected, "{action:?}");
        }
    }

    #[test]
    fn nobody_gives_a_role_at_or_above_their_own_except_administrators() {
        let commune = actor(Role::CommuneStaff);
        assert!(outranks(&commune, Role::Member).is_ok());
        assert!(outranks(&commune, Role::Leader).is_ok());
        assert_eq!(
            outranks(&commune, Role::CommuneStaff),
            Err(Refusal::RoleNotBelow)
        );
        assert_eq!(outranks(&commune, Role::Admin), Err(Refusal::RoleNotBelow));
        let province = actor(Role::ProvinceStaff);
        assert!(outranks(&province, Role::CommuneStaff).is_ok());
        assert!(outranks(&province, Role::ProvinceStaff).is_err());
        assert!(outranks(&actor(Role::Admin), Role::Admin).is_ok());
        let leader = actor(Role::Leader);
        assert!(
            outranks(&leader, Role::Member).is_ok(),
            "a leader adds members to their roster"
        );
        assert!(outranks(&leader, Role::CommuneStaff).is_err());
    }

    #[test]
    fn everyone_who_keeps_a_roster_outranks_the_member_accounts_it_makes() {
        for role in Role::ALL {
            if may(&actor(role), Action::ManageRoster) {
                assert!(outranks(&actor(role), Role::Member).is_ok(), "{role:?}");
            }
        }
    }

    #[test]
    fn staff_without_a_place_reach_nothing() {
        let mut staff = actor(Role::CommuneStaff);
        staff.commune = None;
        assert_eq!(
            scope(&staff, Action::ReadVisits),
            Err(Refusal::NotPermitted)
        );
    }

    #[test]
    fn every_role_has_a_home() {
        let team = Uuid::from_u128(9);
        assert_eq!(home_path(Role::Member, 5, Some(team)), "/");
        assert_eq!(
            home_path(Role::Leader, 5, Some(team)),
            format!("/teams/{team}")
        );
        assert_eq!(home_path(Role::CommuneStaff, 5, None), "/units/5");
        assert_eq!(home_path(Role::ProvinceStaff, 1, None), "/units/1");
        assert_eq!(home_path(Role::Admin, 1, None), "/admin");
    }
}
