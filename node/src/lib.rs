//! shopfloor-node: a chapter's node. Member-level data lives here, in SQLite, and leaves only as
//! the suppressed aggregate report (and in encrypted backups).
//!
//! - [`store`]: the database handle ([`store::Store`]): one writer, pooled readers, migrations,
//!   async helpers for the web interface.
//! - [`domain`]: members, workplaces, pods, trainings, mentorships, reserve, campaigns,
//!   recruitment counts, chapter facts, users, audit log, enrollment state.
//! - [`import`]: national's membership list and generic member CSVs.
//! - [`report`]: the period's report from SQL aggregates through disclosure control.
//! - [`backup`], [`doctor`], [`export`], [`datadir`]: operating the node.
//! - [`federation`]: enrollment with the hub, guidance, the outbox of sealed reports, receipts
//!   and checks of the hub's log.
//! - [`memory`]: the allocator's settings, and memory given back once the node is idle.
//! - [`web`]: `serve`: the JSON API, sessions and roles, and the HTML pages.

#![deny(missing_docs)]

pub use datadir::agekey;
pub mod backup;
pub mod datadir;
pub mod doctor;
pub mod domain;
mod error;
pub mod export;
pub mod federation;
pub mod import;
pub mod limits;
pub mod memory;
pub use shopfloor_server::logging;
pub mod report;
pub mod store;
pub mod web;

pub use error::{Error, Result};
