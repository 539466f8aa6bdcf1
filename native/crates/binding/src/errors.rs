//! Errors cross into JavaScript as `Error`s whose message starts with a
//! stable code in brackets; `libs/core` maps the code to a typed error class.

use napi::{Error, Status};

/// An error for JavaScript carrying `code`, e.g. `[frame-corrupt] ...`.
pub fn coded(code: &str, message: impl std::fmt::Display) -> Error {
    Error::new(Status::GenericFailure, format!("[{code}] {message}"))
}
