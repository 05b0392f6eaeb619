//! Integration tests of shopfloor-node: the library and the real binary.

// Test helpers outside #[test] functions panic on failure too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod backup;
mod campaigns;
mod cli;
mod domain;
mod encrypted;
mod federation;
mod handlers;
mod import;
mod import_map;
mod import_web;
mod joint_key;
mod keyset;
mod ladder;
mod member_search;
mod modules;
mod ops;
mod outbox_page;
mod periods;
mod report;
mod report_aggregation;
mod selfreport;
mod serve;
mod speed;
mod store;
mod ui;
mod util;
mod web;
mod web_roles;
