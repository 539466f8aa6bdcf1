//! The JavaScript face of `cello-core`. Functions here only convert values
//! and errors; the logic lives in the core crate.

mod errors;
mod frame;
