//! shopfloor-hub
