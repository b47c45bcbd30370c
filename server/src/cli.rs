//! What the `sotay` command does: serve, migrate, import units, and make accounts from the
//! shell (`sotay admin create`, `sotay user add`), so that a deployment can start from an
//! empty database. `main.rs` only parses the command line and calls [`run`].
//!
//! Making an account, in this order, so that a mistake is reported before anyone types a
//! password: the flags are checked together ([`plan`]); the database is opened, migrated, and
//! given the national list of units if it has none ([`open`]); the unit or team is found and
//! the phone number checked ([`resolve`]); the password is read, never from a flag
//! ([`read_password`]), checked and hashed; the account, its place on a roster and the audit
//! entries are written in one transaction ([`create`]).

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use app::api::{Profile, Role, TeamDetail, UnitLevel};
use app::domain::team::{Affiliation, Position};
use app::domain::text::{char_len, clean};
use app::domain::PhoneNumber;
use rusqlite::Connection;
use uuid::Uuid;

use crate::auth::passwords::{check_new, PasswordRefusal, MAX_LENGTH, MIN_LENGTH};
use crate::config::{AdminCreateArgs, Cli, Command, DbArgs, UserAddArgs, UserCommand};
use crate::db::audit::{self, By};
use crate::db::users::{self, NewAccount};
use crate::db::{self, teams, units, DbError, StoreError};
use crate::routes::input::MAX_NAME;
use crate::startup::Application;

/// Units with an official code (provinces, communes), whatever their level. Villages have no
/// code. (Storage has no lookup of a province by code; this one serves the command line.)
const UNITS_BY_CODE: &str =
    "SELECT id, level, name FROM units WHERE official_code = ?1 ORDER BY id";

/// Runs a parsed command line; the error is the message to print.
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => {
            let app = Application::build(args.clone())
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Sổ Tay Số is running at http://{}:{}/",
                args.addr.ip(),
                app.port()
            );
            println!("Database: {}", args.db.display());
            if !app.demo_logins().is_empty() {
                println!("Demo sign-ins (password: {}):", db::demo::DEMO_PASSWORD);
                for login in app.demo_logins() {
                    println!(
                        "  {:<15} {}  {} ({})",
                        login.role.as_str(),
                        login.phone,
                        login.name,
                        login.unit
                    );
                }
            }
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate(args) => {
            let mut conn = db::connect(&args.db).map_err(|e| e.to_string())?;
            db::migrate(&mut conn).map_err(|e| e.to_string())?;
            println!("Database {} is up to date.", args.db.display());
            Ok(())
        }
        Command::ImportUnits { file, db: args } => import_units(file.as_deref(), &args),
        Command::Admin(crate::config::AdminCommand::Create(args)) => {
            add_user(&admin_request(args)).map_err(|e| e.to_string())
        }
        Command::User(UserCommand::Add(args)) => {
            add_user(&user_request(args)).map_err(|e| e.to_string())
        }
        Command::Backup { file, db: args } => {
            let copied = db::backup::backup(&args.db, &file).map_err(|e| e.to_string())?;
            println!(
                "Backed up {} to {}: {} bytes, {} visits, {} units; integrity check ok.",
                args.db.display(),
                file.display(),
                copied.bytes,
                copied.visits,
                copied.units
            );
            Ok(())
        }
        Command::Restore { file, db: args } => {
            let copied = db::backup::restore(&file, &args.db).map_err(|e| e.to_string())?;
            println!(
                "Restored {} from {}: {} visits, {} units; integrity check ok.",
                args.db.display(),
                file.display(),
                copied.visits,
                copied.units
            );
            Ok(())
        }
    }
}

fn import_units(file: Option<&Path>, args: &DbArgs) -> Result<(), String> {
    let data = match file {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => units::EMBEDDED_CSV.to_string(),
    };
    let rows = units::parse_csv(&data).map_err(|e| e.to_string())?;
    let mut conn = db::connect(&args.db).map_err(|e| e.to_string())?;
    db::migrate(&mut conn).map_err(|e| e.to_string())?;
    let report =
        units::import(&mut conn, &rows, app::domain::time::now_ms()).map_err(|e| e.to_string())?;
    println!(
        "Imported {} rows: {} provinces or communes added or changed.",
        report.rows, report.changed
    );
    Ok(())
}

/// Why an account was not made. Each message is a sentence for the person at the shell.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Not a phone number.
    #[error("{0:?} is not a phone number: a phone number has 10 digits and starts with 0")]
    BadPhone(String),
    /// An empty or overlong name.
    #[error("the name must have 1 to {MAX_NAME} characters")]
    BadName,
    /// A staff role without `--unit`.
    #[error("--unit CODE is needed for {role}: the official code of the {level} they work in")]
    MissingUnit {
        /// `--role`.
        role: &'static str,
        /// The level the code must name.
        level: &'static str,
    },
    /// A team role without `--team`.
    #[error("--team UUID is needed for a {0}: the team they work on")]
    MissingTeam(&'static str),
    /// A team role with `--unit`.
    #[error("a {0} works where their team works: give --team, not --unit")]
    UnitForTeamRole(&'static str),
    /// `--team` or `--affiliation` for a staff role.
    #[error("{flag} is only for members and leaders, not for {role}")]
    TeamFlagForStaff {
        /// The flag given.
        flag: &'static str,
        /// `--role`.
        role: &'static str,
    },
    /// No unit of any level has that code.
    #[error("no {level} has the official code {code:?} (the national list has 34 provinces, e.g. 52 for Gia Lai, and 3,321 communes)")]
    UnknownUnit {
        /// The level wanted.
        level: &'static str,
        /// `--unit` or `--province`.
        code: String,
    },
    /// The code names a unit of another level.
    #[error("{code} is the code of the {found} {name}, but {role} accounts work in a {wanted}: give a {wanted}'s code")]
    WrongLevel {
        /// The code given.
        code: String,
        /// Level of the unit it names.
        found: &'static str,
        /// Its name.
        name: String,
        /// `--role`.
        role: &'static str,
        /// The level wanted.
        wanted: &'static str,
    },
    /// No team has that id.
    #[error("no team has the id {0}")]
    UnknownTeam(Uuid),
    /// The phone number is someone's sign-in already.
    #[error("another account already has the phone number {0}")]
    PhoneTaken(String),
    /// Nothing on standard input.
    #[error("no password on standard input: pipe one line into the command (printf '%s\\n' \"$PASSWORD\" | sotay ...) or run it in a terminal")]
    NoPassword,
    /// The two passwords typed differ.
    #[error("the two passwords typed differ; nothing was created")]
    PasswordsDiffer,
    /// The password breaks a rule.
    #[error("{}", refusal_message(*.0))]
    Password(PasswordRefusal),
    /// Reading the terminal or standard input failed.
    #[error("cannot read the password: {0}")]
    Io(#[from] std::io::Error),
    /// Storage failed.
    #[error("database: {0}")]
    Db(#[from] DbError),
    /// Storage refused for a reason this command does not foresee.
    #[error("refused: {0}")]
    Refused(String),
}

impl From<rusqlite::Error> for AccountError {
    fn from(error: rusqlite::Error) -> Self {
        AccountError::Db(DbError::Sqlite(error))
    }
}

fn refusal_message(refusal: PasswordRefusal) -> String {
    match refusal {
        PasswordRefusal::TooShort => {
            format!("the password is too short: it needs at least {MIN_LENGTH} characters")
        }
        PasswordRefusal::TooLong => {
            format!("the password is too long: it has at most {MAX_LENGTH} characters")
        }
        PasswordRefusal::IsPhone => "the password must not be the phone number".into(),
        PasswordRefusal::Unchanged => "choose another password".into(),
    }
}

/// What the person at the shell asked for, before it is checked.
#[derive(Clone, Debug)]
pub struct Request {
    /// Role.
    pub role: Role,
    /// Phone number as typed.
    pub phone: String,
    /// Name as typed.
    pub name: String,
    /// `--unit` / `--province`.
    pub unit: Option<String>,
    /// `--team`.
    pub team: Option<Uuid>,
    /// `--affiliation`.
    pub affiliation: Option<Affiliation>,
    /// The database file.
    pub db: PathBuf,
}

/// `sotay admin create`.
pub fn admin_request(args: AdminCreateArgs) -> Request {
    Request {
        role: Role::Admin,
        phone: args.phone,
        name: args.name,
        unit: Some(args.province),
        team: None,
        affiliation: None,
        db: args.db.db,
    }
}

/// `sotay user add`.
pub fn user_request(args: UserAddArgs) -> Request {
    Request {
        role: args.role.into(),
        phone: args.phone,
        name: args.name,
        unit: args.unit,
        team: args.team,
        affiliation: args.affiliation.map(Into::into),
        db: args.db.db,
    }
}

/// Where an account is to work, as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaceAsked {
    /// The unit of that level with that official code (staff).
    Unit {
        /// Province or commune.
        level: UnitLevel,
        /// Official code.
        code: String,
    },
    /// A team's roster (members and leaders).
    Team {
        /// The team.
        team: Uuid,
        /// What they represent on it.
        affiliation: Affiliation,
    },
}

/// An account to make, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Role.
    pub role: Role,
    /// Canonical phone number.
    pub phone: PhoneNumber,
    /// Cleaned name.
    pub name: String,
    /// Where they work.
    pub place: PlaceAsked,
}

/// How the command line names a role in sentences.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Member => "team member",
        Role::Leader => "team leader",
        Role::CommuneStaff => "commune staff",
        Role::ProvinceStaff => "province staff",
        Role::Admin => "administrator",
    }
}

/// The level a staff role's unit has (`None`: a team role).
fn staff_level(role: Role) -> Option<UnitLevel> {
    match role {
        Role::Member | Role::Leader => None,
        Role::CommuneStaff => Some(UnitLevel::Commune),
        Role::ProvinceStaff | Role::Admin => Some(UnitLevel::Province),
    }
}

/// Checks the flags together, without the database.
pub fn plan(request: &Request) -> Result<Plan, AccountError> {
    let role = request.role;
    let label = role_label(role);
    let phone = PhoneNumber::parse(&request.phone)
        .map_err(|_| AccountError::BadPhone(request.phone.clone()))?;
    let name = clean(&request.name);
    if name.is_empty() || char_len(&name) > MAX_NAME {
        return Err(AccountError::BadName);
    }
    let place = match staff_level(role) {
        Some(level) => {
            for (given, flag) in [
                (request.team.is_some(), "--team"),
                (request.affiliation.is_some(), "--affiliation"),
            ] {
                if given {
                    return Err(AccountError::TeamFlagForStaff { flag, role: label });
                }
            }
            let code = request
                .unit
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .ok_or(AccountError::MissingUnit {
                    role: label,
                    level: level.as_str(),
                })?;
            PlaceAsked::Unit {
                level,
                code: code.to_string(),
            }
        }
        None => {
            if request.unit.is_some() {
                return Err(AccountError::UnitForTeamRole(label));
            }
            PlaceAsked::Team {
                team: request.team.ok_or(AccountError::MissingTeam(label))?,
                affiliation: request.affiliation.unwrap_or(Affiliation::Other),
            }
        }
    };
    Ok(Plan {
        role,
        phone,
        name,
        place,
    })
}

/// Opens the database at `path`, then [`prepare`]s it.
pub fn open(path: &Path) -> Result<Connection, AccountError> {
    let mut conn = db::connect(path)?;
    if prepare(&mut conn)? {
        println!(
            "Loaded the national list of provinces and communes into {}.",
            path.display()
        );
    }
    Ok(conn)
}

/// Migrates the database and loads the national list of units into one that has none, as
/// the server does at its first start. True when it loaded the list.
pub fn prepare(conn: &mut Connection) -> Result<bool, DbError> {
    db::migrate(conn)?;
    if !units::is_empty(conn)? {
        return Ok(false);
    }
    let rows = units::parse_csv(units::EMBEDDED_CSV).map_err(|e| DbError::Task(e.to_string()))?;
    units::import(conn, &rows, app::domain::time::now_ms())?;
    Ok(true)
}

/// Where an account will work, found in the database.
#[derive(Clone, Debug)]
pub struct Place {
    /// The unit (for team people, their team's village or commune).
    pub unit: i64,
    /// The team, for members and leaders.
    pub team: Option<TeamDetail>,
}

/// Finds the unit or team of a plan and checks that the phone number is free.
pub fn resolve(conn: &Connection, plan: &Plan) -> Result<Place, AccountError> {
    if users::login_record(conn, plan.phone.as_str(), 0)?.is_some() {
        return Err(AccountError::PhoneTaken(plan.phone.as_str().to_string()));
    }
    match &plan.place {
        PlaceAsked::Unit { level, code } => {
            let mut stmt = conn.prepare_cached(UNITS_BY_CODE)?;
            let found: Vec<(i64, String, String)> = stmt
                .query_map([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            if let Some((id, _, _)) = found.iter().find(|(_, l, _)| l == level.as_str()) {
                return Ok(Place {
                    unit: *id,
                    team: None,
                });
            }
            match found.into_iter().next() {
                Some((_, found, name)) => Err(AccountError::WrongLevel {
                    code: code.clone(),
                    found: UnitLevel::parse(&found).map_or("unit", UnitLevel::as_str),
                    name,
                    role: role_label(plan.role),
                    wanted: level.as_str(),
                }),
                None => Err(AccountError::UnknownUnit {
                    level: level.as_str(),
                    code: code.clone(),
                }),
            }
        }
        PlaceAsked::Team { team, .. } => match teams::detail(conn, *team) {
            Ok(detail) => Ok(Place {
                unit: detail.team.unit.id,
                team: Some(detail),
            }),
            Err(StoreError::NotFound) => Err(AccountError::UnknownTeam(*team)),
            Err(other) => Err(store_error(other, plan)),
        },
    }
}

fn store_error(error: StoreError, plan: &Plan) -> AccountError {
    match error {
        StoreError::Conflict {
            code: "phone_taken",
            ..
        } => AccountError::PhoneTaken(plan.phone.as_str().to_string()),
        StoreError::Db(error) => AccountError::Db(error),
        other => AccountError::Refused(other.to_string()),
    }
}

/// The password from one line of standard input, without its line ending.
pub fn password_from_line(line: &str) -> Result<String, AccountError> {
    let password = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(line);
    if line.is_empty() {
        return Err(AccountError::NoPassword);
    }
    Ok(password.to_string())
}

/// Checks a password chosen at the shell by the rules every user's password follows.
pub fn check_password(password: &str, phone: &PhoneNumber) -> Result<(), AccountError> {
    check_new(password, "", phone.as_str()).map_err(AccountError::Password)
}

/// Reads the password: asked twice without echo on a terminal, else one line of standard
/// input. Checked by the password rules.
pub fn read_password(phone: &PhoneNumber) -> Result<String, AccountError> {
    let stdin = std::io::stdin();
    let password = if stdin.is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {}: ", phone.as_str()))?;
        check_password(&first, phone)?;
        let second = rpassword::prompt_password("The same password again: ")?;
        if first != second {
            return Err(AccountError::PasswordsDiffer);
        }
        first
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        password_from_line(&line)?
    };
    check_password(&password, phone)?;
    Ok(password)
}

/// Writes the account, its place on the team's roster (members, leaders) and the audit
/// entries, in one transaction; returns the account's profile.
pub fn create(
    conn: &mut Connection,
    plan: &Plan,
    place: &Place,
    password_hash: &str,
    now: i64,
) -> Result<Profile, AccountError> {
    let tx = conn.transaction()?;
    let by = By::command_line(now);
    let id = users::create(
        &tx,
        &NewAccount {
            phone: plan.phone.as_str(),
            name: &plan.name,
            password_hash,
            role: plan.role,
            unit_id: place.unit,
            must_change_password: false,
        },
        now,
    )
    .map_err(|e| store_error(e, plan))?;
    let team = match &plan.place {
        PlaceAsked::Team { team, affiliation } => Some((*team, *affiliation)),
        PlaceAsked::Unit { .. } => None,
    };
    let mut detail = serde_json::json!({ "role": plan.role, "name": plan.name });
    if let Some((team, _)) = team {
        detail["team"] = serde_json::json!(team);
    }
    audit::record(
        &tx,
        &by,
        "user_created",
        "user",
        &id.to_string(),
        Some(place.unit),
        detail,
    )?;
    if let Some((team, affiliation)) = team {
        let position = if plan.role == Role::Leader {
            Position::Leader
        } else {
            Position::Member
        };
        teams::join_roster(&tx, team, id, position, affiliation, now)?;
        audit::record(
            &tx,
            &by,
            "roster_added",
            "team",
            &team.to_string(),
            Some(place.unit),
            serde_json::json!({ "user": id, "position": position, "affiliation": affiliation }),
        )?;
    }
    let profile = users::account(&tx, id)?
        .map(|a| a.profile)
        .ok_or_else(|| AccountError::Refused("the new account cannot be read back".into()))?;
    tx.commit()?;
    Ok(profile)
}

/// What the shell prints once the account exists: who, where, how to sign in.
pub fn report(profile: &Profile, place: &Place) -> String {
    let mut lines = vec![format!(
        "Created {} {} (phone {}, id {}).",
        role_label(profile.role),
        profile.name,
        profile.phone,
        profile.user_id
    )];
    let area: Vec<&str> = [
        Some(&profile.unit),
        profile.commune.as_ref(),
        profile.province.as_ref(),
    ]
    .into_iter()
    .flatten()
    .fold(Vec::new(), |mut names, unit| {
        if !names.contains(&unit.name.as_str()) {
            names.push(unit.name.as_str());
        }
        names
    });
    match &profile.team {
        Some(team) => {
            lines.push(format!(
                "Works on: {} (team {}) as {}, in {}.",
                team.name,
                team.id,
                team.position.as_str(),
                area.join(", ")
            ));
            let stepped_down = place.team.as_ref().and_then(|t| {
                t.roster
                    .iter()
                    .find(|e| e.position == Position::Leader && team.position == Position::Leader)
            });
            if let Some(previous) = stepped_down {
                lines.push(format!(
                    "{}, the team's leader until now, is a member of it again.",
                    previous.name
                ));
            }
        }
        None => lines.push(format!("Works in: {}.", area.join(", "))),
    }
    lines.push(
        "Sign in with this phone number and the password just given; it need not be changed."
            .into(),
    );
    lines.join("\n")
}

/// `sotay admin create` and `sotay user add`.
pub fn add_user(request: &Request) -> Result<(), AccountError> {
    let plan = plan(request)?;
    let mut conn = open(&request.db)?;
    let place = resolve(&conn, &plan)?;
    let password = read_password(&plan.phone)?;
    let hash = password_auth::generate_hash(&password);
    let profile = create(&mut conn, &plan, &place, &hash, app::domain::time::now_ms())?;
    println!("{}", report(&profile, &place));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first column of every row, as text.
    fn row_text(conn: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn request(role: Role) -> Request {
        Request {
            role,
            phone: "0912 345 678".into(),
            name: "  Nguyễn   Văn An ".into(),
            unit: None,
            team: None,
            affiliation: None,
            db: PathBuf::from("unused.db"),
        }
    }

    fn database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        assert!(prepare(&mut conn).unwrap(), "a new database gets the list");
        assert!(!prepare(&mut conn).unwrap(), "once");
        conn
    }

    fn error_of<T: std::fmt::Debug>(result: Result<T, AccountError>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn an_administrator_needs_a_province_code_and_gets_a_clean_phone_and_name() {
        let mut admin = request(Role::Admin);
        assert!(error_of(plan(&admin)).contains("--unit CODE is needed for administrator"));
        admin.unit = Some(" 52 ".into());
        let plan = plan(&admin).unwrap();
        assert_eq!(plan.phone.as_str(), "0912345678");
        assert_eq!(plan.name, "Nguyễn Văn An");
        assert_eq!(
            plan.place,
            PlaceAsked::Unit {
                level: UnitLevel::Province,
                code: "52".into()
            }
        );
    }

    #[test]
    fn team_people_need_a_team_and_no_unit_and_default_to_other() {
        let mut leader = request(Role::Leader);
        assert!(matches!(plan(&leader), Err(AccountError::MissingTeam(_))));
        leader.unit = Some("21628".into());
        assert!(matches!(
            plan(&leader),
            Err(AccountError::UnitForTeamRole(_))
        ));
        leader.unit = None;
        let team = Uuid::now_v7();
        leader.team = Some(team);
        assert_eq!(
            plan(&leader).unwrap().place,
            PlaceAsked::Team {
                team,
                affiliation: Affiliation::Other
            }
        );
    }

    #[test]
    fn staff_take_neither_a_team_nor_an_affiliation() {
        let mut staff = request(Role::CommuneStaff);
        staff.unit = Some("21628".into());
        staff.affiliation = Some(Affiliation::Police);
        assert!(error_of(plan(&staff)).contains("--affiliation is only for members"));
        staff.affiliation = None;
        staff.team = Some(Uuid::now_v7());
        assert!(error_of(plan(&staff)).contains("--team is only for members"));
    }

    #[test]
    fn a_malformed_phone_or_an_empty_name_is_refused() {
        let mut admin = request(Role::Admin);
        admin.unit = Some("52".into());
        admin.phone = "12345".into();
        assert!(error_of(plan(&admin)).contains("\"12345\" is not a phone number"));
        admin.phone = "0912345678".into();
        admin.name = "   ".into();
        assert!(matches!(plan(&admin), Err(AccountError::BadName)));
    }

    #[test]
    fn a_password_line_loses_its_line_ending_and_nothing_else() {
        assert_eq!(password_from_line("hoa sen nở\n").unwrap(), "hoa sen nở");
        assert_eq!(password_from_line("hoa sen nở\r\n").unwrap(), "hoa sen nở");
        assert_eq!(password_from_line(" x y \n").unwrap(), " x y ");
        assert_eq!(password_from_line("no newline").unwrap(), "no newline");
        assert!(matches!(
            password_from_line(""),
            Err(AccountError::NoPassword)
        ));
    }

    #[test]
    fn a_password_follows_the_rules_of_every_password() {
        let phone = PhoneNumber::parse("0912345678").unwrap();
        assert!(error_of(check_password("short", &phone)).contains("at least 8 characters"));
        assert!(error_of(check_password("0912345678", &phone)).contains("not be the phone"));
        assert!(error_of(check_password(&"x".repeat(129), &phone)).contains("at most 128"));
        assert!(check_password("hoa-sen-nở-2025", &phone).is_ok());
    }

    #[test]
    fn codes_are_found_at_the_level_of_the_role_or_explained() {
        let conn = database();
        let mut admin = request(Role::Admin);
        admin.unit = Some("52".into());
        let place = resolve(&conn, &plan(&admin).unwrap()).unwrap();
        assert!(place.team.is_none());
        admin.unit = Some("21628".into());
        let wrong = error_of(resolve(&conn, &plan(&admin).unwrap()));
        assert!(
            wrong.contains("21628 is the code of the commune Xã An Hòa")
                && wrong.contains("administrator accounts work in a province"),
            "{wrong}"
        );
        admin.unit = Some("99".into());
        assert!(error_of(resolve(&conn, &plan(&admin).unwrap()))
            .contains("no province has the official code \"99\""));
        let mut staff = request(Role::CommuneStaff);
        staff.unit = Some("52".into());
        assert!(error_of(resolve(&conn, &plan(&staff).unwrap()))
            .contains("is the code of the province Gia Lai"));
        let mut member = request(Role::Member);
        let team = Uuid::now_v7();
        member.team = Some(team);
        assert!(matches!(
            resolve(&conn, &plan(&member).unwrap()),
            Err(AccountError::UnknownTeam(t)) if t == team
        ));
    }

    #[test]
    fn an_account_made_at_the_shell_is_audited_without_its_phone_and_needs_no_change() {
        let mut conn = database();
        let mut admin = request(Role::Admin);
        admin.unit = Some("52".into());
        let plan_ = plan(&admin).unwrap();
        let place = resolve(&conn, &plan_).unwrap();
        let profile = create(&mut conn, &plan_, &place, "hash", 7).unwrap();
        assert_eq!(profile.role, Role::Admin);
        assert_eq!(profile.unit.name, "Gia Lai");
        assert!(!profile.must_change_password);
        let rows = row_text(
            &conn,
            "SELECT action || '|' || ifnull(actor_id, '-') || '|' || target_id || '|' \
               || unit_id || '|' || detail FROM audit_log",
        );
        assert_eq!(rows.len(), 1);
        assert!(rows[0].starts_with(&format!("user_created|-|{}|", profile.user_id)));
        assert!(!rows[0].contains("0912345678"), "{}", rows[0]);
        assert!(report(&profile, &place).contains("Works in: Gia Lai."));
        assert!(matches!(
            resolve(&conn, &plan_),
            Err(AccountError::PhoneTaken(_))
        ));
        assert!(matches!(
            create(&mut conn, &plan_, &place, "hash", 8),
            Err(AccountError::PhoneTaken(_))
        ));
    }

    #[test]
    fn a_leader_made_at_the_shell_leads_the_team_and_the_old_leader_steps_down() {
        let mut conn = database();
        let commune = units::commune_id(&conn, "21628").unwrap();
        let village = units::add_village(&conn, commune, "thôn", "Thôn Một", None, 1).unwrap();
        let team = teams::create(&conn, village, commune, "Tổ Thôn Một", (None, None), 1).unwrap();
        let mut first = request(Role::Leader);
        first.team = Some(team);
        first.affiliation = Some(Affiliation::YouthUnion);
        let plan_ = plan(&first).unwrap();
        let place = resolve(&conn, &plan_).unwrap();
        assert_eq!(place.unit, village);
        let profile = create(&mut conn, &plan_, &place, "hash", 2).unwrap();
        assert_eq!(profile.role, Role::Leader);
        let mut second = request(Role::Leader);
        second.phone = "0912345679".into();
        second.name = "Trần Thị Bích".into();
        second.team = Some(team);
        let plan_ = plan(&second).unwrap();
        let place = resolve(&conn, &plan_).unwrap();
        let profile = create(&mut conn, &plan_, &place, "hash", 3).unwrap();
        let text = report(&profile, &place);
        assert!(text.contains("Works on: Tổ Thôn Một"), "{text}");
        assert!(text.contains("in Thôn Một, Xã An Hòa, Gia Lai"), "{text}");
        assert!(
            text.contains("Nguyễn Văn An, the team's leader until now"),
            "{text}"
        );
        let positions = row_text(
            &conn,
            "SELECT position || ':' || affiliation FROM team_members ORDER BY joined_at",
        );
        assert_eq!(positions, ["member:youth_union", "leader:other"]);
        let actions = row_text(&conn, "SELECT action FROM audit_log ORDER BY id");
        assert_eq!(
            actions,
            [
                "user_created",
                "roster_added",
                "user_created",
                "roster_added"
            ]
        );
    }
}
