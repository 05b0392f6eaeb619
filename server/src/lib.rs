//! What the chapter node's and the hub's servers share, and nothing else: how `serve` logs, and
//! the steps of `setup` that do not depend on which server is being set up (prompts, the admin's
//! password, the public address, starting the packaged unit, handing the data directory to the
//! service user).
//!
//! The hub never depends on the node (it must not link member-level code), so code both need
//! lives here rather than in either. Nothing here knows about members, reports or hubs.

pub mod locale;
pub mod logging;
pub mod setup;
