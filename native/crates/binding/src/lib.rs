//! The JavaScript face of `cello-core`. Functions here only convert values
//! and errors; the logic lives in the core crate.

mod errors;
mod event_log;
mod frame;
mod router;
mod saga;
mod snapshot;
