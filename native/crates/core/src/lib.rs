//! Cello's native core: the hot paths of event sourcing, CQRS and sagas,
//! written as plain Rust so that `cargo test` covers them without Node.
//! The `cello-native` crate wraps these modules for JavaScript.

pub mod event_log;
pub mod frame;
pub mod router;
pub mod saga;
pub mod snapshot;
