//! disclosure (in progress)
