//! `sotay`: serve, migrate, import units. See `sotay --help`.

use std::process::ExitCode;

use clap::Parser;
use server::config::{Cli, Command};
use server::db;
use server::startup::Application;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sotay: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
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
        Command::ImportUnits { file, db: args } => {
            let data = match &file {
                Some(path) => {
                    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?
                }
                None => db::units::EMBEDDED_CSV.to_string(),
            };
            let rows = db::units::parse_csv(&data).map_err(|e| e.to_string())?;
            let mut conn = db::connect(&args.db).map_err(|e| e.to_string())?;
            db::migrate(&mut conn).map_err(|e| e.to_string())?;
            let report = db::units::import(&mut conn, &rows, app::domain::time::now_ms())
                .map_err(|e| e.to_string())?;
            println!(
                "Imported {} rows: {} provinces or communes added or changed.",
                report.rows, report.changed
            );
            Ok(())
        }
    }
}
