//! The Sổ Tay Số server: the JSON API under `/api/`, the server-rendered pages, the service
//! worker, and SQLite storage behind a narrow interface ([`db::Db`]).

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod report;
pub mod routes;
pub mod security;
pub mod serve;
pub mod startup;
pub mod state;
pub mod sw;
pub mod sync;
