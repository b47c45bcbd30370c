//! Pieces shared by the pages.

pub mod boot;
pub mod header;
pub mod status_line;
