//! Pieces shared by the pages.

pub mod boot;
pub mod common;
pub mod header;
pub mod status_line;
