//! JavaScript face of cello_core::router.

use cello_core::router::{RouteError, RouteSpec, RouteTable};
use napi::bindgen_prelude::Uint32Array;
use napi_derive::napi;

use crate::errors::{coded, guard};

/// One route of a bus, as declared at start-up.
#[napi(object)]
pub struct NativeRouteSpec {
    /// Dense id of the message type, assigned at start-up (0, 1, 2, ...).
    pub type_id: u32,
    /// Message class name (for error messages).
    pub message: String,
    /// Handler class name (for error messages).
    pub handler: String,
    /// Indexes of the middleware to run, outermost first.
    pub middleware: Vec<u32>,
    /// Time limit in milliseconds; 0 for none.
    pub timeout_ms: u32,
    /// Validate before running.
    pub validate: bool,
}

/// A bus's route table, built once; lookups return route indexes.
#[napi]
pub struct NativeRouteTable {
    table: RouteTable,
}

#[napi]
impl NativeRouteTable {
    /// Builds the table. Fails with `[duplicate-handler]` naming both handlers.
    #[napi(constructor)]
    pub fn new(routes: Vec<NativeRouteSpec>) -> napi::Result<Self> {
        guard("NativeRouteTable", || Self::build(routes))
    }

    /// Route index for `typeId`, or -1 when no handler handles it.
    #[napi]
    pub fn lookup(&self, type_id: u32) -> napi::Result<i32> {
        guard("NativeRouteTable.lookup", || {
            Ok(self.table.lookup(type_id).map_or(-1, |i| i as i32))
        })
    }

    /// Route indexes for a batch of type ids in one crossing; 0xFFFFFFFF marks a miss.
    #[napi]
    pub fn lookup_many(&self, type_ids: Uint32Array) -> napi::Result<Uint32Array> {
        guard("NativeRouteTable.lookupMany", || {
            Ok(Uint32Array::new(self.table.lookup_many(&type_ids)))
        })
    }

    /// Number of routes.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.table.len() as u32
    }
}

impl NativeRouteTable {
    fn build(routes: Vec<NativeRouteSpec>) -> napi::Result<Self> {
        let specs = routes
            .into_iter()
            .map(|r| RouteSpec {
                type_id: r.type_id,
                message: r.message,
                handler: r.handler,
                middleware: r.middleware,
                timeout_ms: r.timeout_ms,
                validate: r.validate,
            })
            .collect();
        let table = RouteTable::build(specs).map_err(|err| match err {
            RouteError::Duplicate { .. } => coded("duplicate-handler", err),
            RouteError::TypeIdTooLarge { .. } => coded("invalid-route", err),
        })?;
        Ok(NativeRouteTable { table })
    }
}
