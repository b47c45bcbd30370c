//! The `sotay` command line. Every flag of `serve` can also come from the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Default database file, relative to the working directory.
pub const DEFAULT_DB: &str = "data/sotay.db";

/// `sotay`: the server and tools of Sổ Tay Số, the field notebook of Vietnam's community
/// digital technology teams.
#[derive(Debug, Parser)]
#[command(name = "sotay", version, about, long_about = None)]
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
    /// Folder with the built site (`pkg/`, icons, manifest, `sw.js`). Default: `target/site`
    /// under the working directory, else `../site` next to the binary.
    #[arg(long, env = "SOTAY_SITE_ROOT")]
    pub site_root: Option<PathBuf>,
    /// Mark the session cookie `Secure` (set this behind HTTPS).
    #[arg(long, env = "SOTAY_SECURE_COOKIES")]
    pub secure_cookies: bool,
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
            site_root: None,
            secure_cookies: false,
            sign_in_limit_phone: 10,
            sign_in_limit_address: 100,
            trusted_proxy: Vec::new(),
            hash_workers: 2,
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
