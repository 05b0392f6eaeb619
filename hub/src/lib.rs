//! Shopfloor's hub: a regional body's or the national commission's server.
//!
//! A hub only ever holds aggregates. It enrolls children (chapters, or regional hubs at
//! national) by signing membership certificates, takes in their sealed, signed reports, checks
//! every one against the protocol, records each accepted envelope in an append-only Merkle log and
//! answers with a signed receipt. For each period it builds a signed rollup that embeds its
//! children's envelopes verbatim; a regional hub forwards that rollup to national, which verifies
//! the whole tree. Guidance (trainings, criteria, goals, the disclosure policy) flows down, and
//! chapters' support requests are relayed to chapters whose reports show matching reserve capacity.
//!
//! - [`config`]: the data directory, `hub.toml`, keys and card.
//! - [`backup`], [`doctor`]: encrypted backups and restore; checks of a data directory.
//! - [`aggregates`]: every verified document's cells, stored once at ingest; pages read them.
//! - [`store`]: SQLite (WAL, one writer, migrations on `user_version`).
//! - [`Hub`]: the hub's identity and store; every operation is a blocking method on it.
//! - [`enroll`], [`ingest`], [`translog`], [`rollups`], [`forward`], [`guidance`], [`support`],
//!   [`campaigns`] (campaign approval),
//!   [`users`]: the operations; [`goals`]: each goal measured in its scope and window.
//! - [`publish`]: what viewers see: signed, immutable publications per period, and the rule
//!   that decides which cells of which views they may show.
//! - [`web`]: the JSON API (axum); the dashboards will live in `web::ui`.
//!
//! ```no_run
//! use shopfloor_hub::{Hub, config::{InitOptions, Level}};
//! let dir = std::path::Path::new("/tmp/hub");
//! let created = shopfloor_hub::config::init(dir, &InitOptions {
//!     level: Level::National, name: "National Labor Commission".into(), state: None,
//!     admin_password: Some("a long passphrase".into()),
//! })?;
//! let hub = Hub::open(dir)?;
//! println!("{}", hub.card().fingerprint());
//! # Ok::<(), shopfloor_hub::Error>(())
//! ```

pub mod agekey;
pub mod aggregates;
pub mod backup;
pub mod campaigns;
pub mod config;
pub mod decryption;
pub mod doctor;
pub mod enroll;
mod error;
pub mod forward;
pub mod goals;
pub mod guidance;
mod hub;
pub mod ingest;
pub use shopfloor_server::logging;
pub mod encrypted;
pub mod publish;
pub mod relay;
pub mod rollups;
pub mod secret;
pub mod store;
pub mod support;
pub mod translog;
pub mod trustee;
pub mod users;
pub mod web;
pub mod witness;

pub use error::{Error, Result};
pub use hub::Hub;
