//! Shopfloor testbed: starts real nodes and hubs on loopback for end-to-end tests.
