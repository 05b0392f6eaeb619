//! Shopfloor's testbed: synthetic chapters, and real hubs and chapter nodes started in-process
//! on loopback, driven through their libraries and HTTP interfaces like production drives them.
//!
//! - [`synth`]: deterministic synthetic chapters (20 to 10,000 members), the national list as
//!   CSV in both header styles, and the organizing data loaded through the node's domain.
//! - [`servers`]: a hub ([`servers::HubServer`]) or chapter node ([`servers::NodeServer`]) with
//!   a fresh data directory made by the same `init` as the command lines, served on an
//!   ephemeral port.
//! - [`federation`]: the national hub, a Southern regional hub and chapters, enrolled (with
//!   [`federation::approve_all_danger`]-style automatic approval) and a reporting period run end
//!   to end with offline verification of the national rollup.
//! - [`attack`]: the attacker's test: exact integer bounds on every withheld cell from
//!   published bytes only (report payloads, viewer pages).
//! - [`proxy`]: a recording TCP proxy between nodes and hubs; [`canary`]: searching files and
//!   captured bytes (raw, base64, and opened seals) for planted canaries.
//!
//! The `shopfloor-demo` binary runs the whole federation; `tests/e2e.rs` tests it.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use shopfloor_testbed::federation::{Federation, Parent, last_month};
//! use shopfloor_testbed::synth::ChapterProfile;
//! let fed = Federation::builder()
//!     .chapter(ChapterProfile::new("Durham DSA", "NC", 500, 1), Parent::Regional)
//!     .chapter(ChapterProfile::new("Maine DSA", "ME", 300, 2), Parent::National)
//!     .start()
//!     .await?;
//! let run = fed.run_period(last_month()?).await?;
//! println!("{}", run.summary);
//! # Ok(()) }
//! ```

pub mod attack;
pub mod canary;
pub mod federation;
pub mod national;
pub mod proxy;
pub mod servers;
pub mod synth;
pub mod trustees;
