//! The sync engine, in small steps: classify each incoming revision against what is stored
//! ([`plan::plan`], pure and exhaustively tested), then apply the plans of a batch in one
//! transaction ([`crate::db::visits::push`]).

pub mod plan;
