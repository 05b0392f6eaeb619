//! shopfloor-node
