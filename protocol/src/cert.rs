//! cert (in progress)
