//! `sotay`: serve, migrate, import units, make accounts. See `sotay --help`; the work is done
//! in [`server::cli`].

use std::process::ExitCode;

use clap::Parser;
use server::config::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    match server::cli::run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sotay: {message}");
            ExitCode::FAILURE
        }
    }
}
