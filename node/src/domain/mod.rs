//! The node's domain: members, workplaces and the organizing work around them.
//!
//! Every function takes a `&rusqlite::Connection`; pass a `&Transaction` (it derefs to one) to
//! group several calls atomically, e.g. inside [`crate::store::Store::write`].

pub mod audit;
pub mod campaigns;
pub mod enrollment;
pub mod facts;
pub mod members;
pub mod mentorships;
pub mod pods;
pub mod recruitments;
pub mod reserve;
pub mod selfreport;
pub mod text;
pub mod trainings;
pub mod users;
pub mod vocab;
pub mod workplaces;
