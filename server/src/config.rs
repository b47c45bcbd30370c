//! The `sotay` command line. Every flag of `serve` can also come from the environment.
//! Accounts are made from the shell with `sotay admin create` and `sotay user add` (see
//! [`crate::cli`]); their password is never a flag.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use uuid::Uuid;

/// Default database file, relative to the working directory.
pub const DEFAULT_DB: &str = "data/sotay.db";

/// `sotay`: the server and tools of Sổ Tay Số, the field notebook of Vietnam's community
/// digital technology teams.
#[derive(Debug, Parser)]
#[command(
    name = "sotay",
    version,
    about,
    long_about = None,
    after_help = "A new deployment, from an empty database:\n  \
        sotay admin create --phone 0912345678 --name \"Nguyễn Văn An\" --province 52\n  \
        sotay serve\n\n\
        The first command creates and migrates the database, loads the national list of \
        provinces and communes, and asks for the administrator's password twice (or reads \
        one line from standard input when it is not a terminal)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (pages, JSON API, service worker). Creates and migrates the database.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DbArgs),
    /// Import provinces and communes from a CSV file (columns: province_code, province_name,
    /// province_type, commune_code, commune_name, commune_type). Without FILE, imports the
    /// embedded 2025 list (34 provinces, 3,321 communes). Existing units are updated by code.
    ImportUnits {
        /// The CSV file; omit it to use the list built into the binary.
        file: Option<PathBuf>,
        /// Database.
        #[command(flatten)]
        db: DbArgs,
    },
    /// Make the first administrator of a deployment, or another (`sotay admin create`).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Make an account of any role from the shell (`sotay user add`).
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the database to FILE, while the server runs (SQLite's
    /// `VACUUM INTO`; the copy is checked before it takes FILE's name).
    Backup {
        /// Where the copy goes (replaced if it exists).
        file: PathBuf,
        /// Database.
        #[command(flatten)]
        db: DbArgs,
    },
    /// Replace the database with the backup FILE. Refused while a server has the database
    /// open: stop it, restore, start it again (it migrates the backup if it is older).
    Restore {
        /// The backup.
        file: PathBuf,
        /// Database.
        #[command(flatten)]
        db: DbArgs,
    },
}

/// What the password of an account made from the shell is, for every `--help`.
const PASSWORD_HELP: &str = "The password is never a flag. When standard input is a terminal, \
    it is asked twice without echo; otherwise one line is read from standard input (the \
    trailing newline is dropped), e.g. `printf '%s\\n' \"$PASSWORD\" | sotay ...`. It has 8 to \
    128 characters and is not the phone number. Its owner typed it, so it need not be \
    changed at the first sign-in.\n\n\
    The database is created and migrated if needed, and the national list of provinces and \
    communes is loaded into a database that has none. The creation is written to the audit \
    log (action user_created, by the command line).";

/// `sotay admin ...`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator of a province (the first account of a new deployment).
    #[command(after_help = PASSWORD_HELP)]
    Create(AdminCreateArgs),
}

/// `sotay admin create` settings.
#[derive(Debug, Clone, Args)]
pub struct AdminCreateArgs {
    /// Phone number, the sign-in: 10 digits starting with 0 (spaces, dots, +84 accepted).
    #[arg(long)]
    pub phone: String,
    /// Full name, e.g. "Nguyễn Văn An".
    #[arg(long)]
    pub name: String,
    /// Official code of the province the administrator works in (e.g. 52 for Gia Lai).
    #[arg(long, value_name = "CODE")]
    pub province: String,
    /// Database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `sotay user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account of any role: staff on a unit (--unit), team people on a team (--team).
    #[command(after_help = PASSWORD_HELP)]
    Add(UserAddArgs),
}

/// `sotay user add` settings.
#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    /// What the account does; commune_staff, province_staff and admin need --unit, member and
    /// leader need --team.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Phone number, the sign-in: 10 digits starting with 0 (spaces, dots, +84 accepted).
    #[arg(long)]
    pub phone: String,
    /// Full name, e.g. "Nguyễn Văn An".
    #[arg(long)]
    pub name: String,
    /// Official code of the unit a staff account works in: a commune's code for
    /// commune_staff, a province's code for province_staff and admin.
    #[arg(long, value_name = "CODE")]
    pub unit: Option<String>,
    /// The team a member or leader works on (its id); the account works in the team's village
    /// or commune. A leader becomes the team's leader (the previous one, if any, a member).
    #[arg(long, value_name = "UUID")]
    pub team: Option<Uuid>,
    /// What a member or leader represents on the team [default: other].
    #[arg(long, value_enum)]
    pub affiliation: Option<AffiliationArg>,
    /// Database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// A role, as `--role` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum RoleArg {
    /// Team member: logs visits (needs --team).
    Member,
    /// Team leader: a member who keeps the team's roster (needs --team).
    Leader,
    /// Commune staff: villages, teams, approvals of a commune (--unit: commune code).
    CommuneStaff,
    /// Province staff: the communes, catalogue and reports of a province (--unit: province code).
    ProvinceStaff,
    /// Administrator: the whole deployment (--unit: province code).
    Admin,
}

impl From<RoleArg> for app::api::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Member => Self::Member,
            RoleArg::Leader => Self::Leader,
            RoleArg::CommuneStaff => Self::CommuneStaff,
            RoleArg::ProvinceStaff => Self::ProvinceStaff,
            RoleArg::Admin => Self::Admin,
        }
    }
}

/// An affiliation, as `--affiliation` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum AffiliationArg {
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

impl From<AffiliationArg> for app::domain::team::Affiliation {
    fn from(affiliation: AffiliationArg) -> Self {
        match affiliation {
            AffiliationArg::YouthUnion => Self::YouthUnion,
            AffiliationArg::WomensUnion => Self::WomensUnion,
            AffiliationArg::VillageCadre => Self::VillageCadre,
            AffiliationArg::Police => Self::Police,
            AffiliationArg::Other => Self::Other,
        }
    }
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// SQLite database file (created if missing).
    #[arg(long, env = "SOTAY_DB", default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

/// `sotay serve` settings.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Port 0 picks a free port.
    #[arg(long, env = "SOTAY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// SQLite database file (created and migrated at start).
    #[arg(long, env = "SOTAY_DB", default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Seed demo data (Gia Lai, one commune, three villages, teams, users) into an empty
    /// database. A database that already has users is left as it is.
    #[arg(long, env = "SOTAY_DEMO")]
    pub demo: bool,
    /// With `--demo`: also four months of the demo teams' visits, reviewed, with this
    /// quarter's targets, so the figures pages have something to show. Only into a demo
    /// database that has no visits.
    #[arg(long, env = "SOTAY_DEMO_HISTORY", requires = "demo")]
    pub demo_history: bool,
    /// Folder with the built site (`pkg/`, icons, manifest, `sw.js`). Default: `target/site`
    /// under the working directory, else `../site` next to the binary.
    #[arg(long, env = "SOTAY_SITE_ROOT")]
    pub site_root: Option<PathBuf>,
    /// The server is reached over HTTPS only (a TLS proxy in front that does not say so in
    /// `X-Forwarded-Proto`): cookies `Secure` and HSTS on every answer. A trusted proxy that
    /// sends `X-Forwarded-Proto: https` gets both without it.
    #[arg(long, env = "SOTAY_BEHIND_TLS", alias = "secure-cookies")]
    pub behind_tls: bool,
    /// Sign-in attempts allowed per phone number in 15 minutes (0: no limit).
    #[arg(long, env = "SOTAY_SIGN_IN_LIMIT_PHONE", default_value_t = 10)]
    pub sign_in_limit_phone: u32,
    /// Sign-in attempts allowed per client address in 15 minutes (0: no limit).
    #[arg(long, env = "SOTAY_SIGN_IN_LIMIT_ADDRESS", default_value_t = 100)]
    pub sign_in_limit_address: u32,
    /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For
    /// header gives the client's address. Without it, the peer's address is the client's.
    #[arg(long, env = "SOTAY_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxy: Vec<ipnet::IpNet>,
    /// Password hashes computed at once (each takes 19 MiB while it runs).
    #[arg(long, env = "SOTAY_HASH_WORKERS", default_value_t = 2)]
    pub hash_workers: usize,
    /// Connections served at once; past it new clients wait until one closes. Keep it under
    /// the process's open-file limit (`ulimit -n`).
    #[arg(long, env = "SOTAY_MAX_CONNECTIONS", default_value_t = 1000)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers (and an idle connection is kept).
    #[arg(long, env = "SOTAY_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_timeout: u64,
    /// Seconds a request may take, its body and the answer included (then `408`).
    #[arg(long, env = "SOTAY_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,
    /// Revisions one visit may hold; past it a new one is answered `rejected`
    /// (`revisions_per_visit`) and the device keeps it.
    #[arg(long, env = "SOTAY_MAX_REVISIONS_PER_VISIT", default_value_t = crate::sync::plan::RevisionBounds::DEFAULT.per_visit)]
    pub max_revisions_per_visit: u32,
    /// Revisions one member may send in a day (Vietnam time); past it `rejected`
    /// (`revisions_per_day`) until the next day.
    #[arg(long, env = "SOTAY_MAX_REVISIONS_PER_DAY", default_value_t = crate::sync::plan::RevisionBounds::DEFAULT.per_member_day)]
    pub max_revisions_per_day: u32,
}

/// An address (`10.0.0.1`) or a range (`10.0.0.0/8`).
fn parse_proxy(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw:?} is not an address or a CIDR range"))
}

impl ServeArgs {
    /// Settings for tests and embedding: the given database, a free port, no demo data.
    pub fn for_db(db: PathBuf) -> Self {
        Self {
            addr: "127.0.0.1:0".parse().expect("a valid address"),
            db,
            demo: false,
            demo_history: false,
            site_root: None,
            behind_tls: false,
            sign_in_limit_phone: 10,
            sign_in_limit_address: 100,
            trusted_proxy: Vec::new(),
            hash_workers: 2,
            max_connections: 1000,
            header_timeout: 10,
            request_timeout: 30,
            max_revisions_per_visit: crate::sync::plan::RevisionBounds::DEFAULT.per_visit,
            max_revisions_per_day: crate::sync::plan::RevisionBounds::DEFAULT.per_member_day,
        }
    }

    /// The site folder actually used (see `--site-root`).
    pub fn resolved_site_root(&self) -> PathBuf {
        if let Some(root) = &self.site_root {
            return root.clone();
        }
        if let Ok(root) = std::env::var("LEPTOS_SITE_ROOT") {
            return PathBuf::from(root);
        }
        let local = PathBuf::from("target/site");
        if local.is_dir() {
            return local;
        }
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("../site")))
            .filter(|p| p.is_dir())
            .unwrap_or(local)
    }
}
