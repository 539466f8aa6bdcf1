//! Errors cross into JavaScript as `Error`s whose message starts with a
//! stable code in brackets; `libs/core` maps the code to a typed error class.
//!
//! No panic may cross: a panic unwinding out of an `extern "C"` function
//! aborts the whole Node process (exit 134), so one bad input would kill every
//! request in flight. Every `#[napi]` body runs inside [`guard`], which turns
//! a panic into a `[native-panic]` error.

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::{Error, Status};

/// An error for JavaScript carrying `code`, e.g. `[frame-corrupt] ...`.
pub fn coded(code: &str, message: impl std::fmt::Display) -> Error {
    Error::new(Status::GenericFailure, format!("[{code}] {message}"))
}

/// Runs `body`, turning a panic into `[native-panic] <what> failed: <panic message>`.
///
/// `AssertUnwindSafe`: a body that panics half-way may leave `&mut self`
/// half-updated; the entry points that mutate either change their state only
/// after every check (the saga handle, the event log's append) or say so.
pub fn guard<T>(what: &str, body: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("a panic without a message");
            Err(coded(
                "native-panic",
                format!("{what} failed inside the native core: {message}"),
            ))
        }
    }
}

/// Panics on purpose inside [`guard`]: lets the JavaScript tests prove that a
/// panic arrives as a coded error and the process lives on.
#[napi_derive::napi]
pub fn native_panic_probe(message: String) -> napi::Result<()> {
    guard("nativePanicProbe", || panic!("{message}"))
}
