//! Snapshot compression.
