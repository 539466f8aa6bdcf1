//! Bus routing: the route table from message type to handler and its
//! middleware chain, built once at start-up.
//!
//! Message types are numbered densely at start-up (0, 1, 2, ...), so a lookup
//! is one bounds-checked index into a vector: no hashing on the hot path.

use std::fmt;

/// One route as declared at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// Dense id of the message type (assigned by the caller at start-up).
    pub type_id: u32,
    /// Message class name, for error messages only.
    pub message: String,
    /// Handler class name, for error messages only.
    pub handler: String,
    /// Indexes of the middleware instances to run, outermost first.
    pub middleware: Vec<u32>,
    /// Time limit in milliseconds; 0 means none.
    pub timeout_ms: u32,
    /// Whether the message is validated before it runs.
    pub validate: bool,
}

/// Why a route table could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// Two routes for one message type: names the message and both handlers.
    Duplicate {
        message: String,
        first: String,
        second: String,
    },
    /// A type id past [`MAX_TYPE_ID`]: ids are dense (0, 1, 2...), and the
    /// table holds a slot for every id up to the largest.
    TypeIdTooLarge { message: String, type_id: u32 },
}

/// Largest type id a table accepts (a slot array of 8 MiB at most).
pub const MAX_TYPE_ID: u32 = 1 << 20;

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::Duplicate {
                message,
                first,
                second,
            } => write!(
                f,
                "\"{message}\" has two handlers: {first} and {second}. \
                 A command or query has exactly one handler: remove the decorator from one of them."
            ),
            RouteError::TypeIdTooLarge { message, type_id } => write!(
                f,
                "\"{message}\" has type id {type_id}, above {MAX_TYPE_ID}: type ids are dense, from 0"
            ),
        }
    }
}

impl std::error::Error for RouteError {}

/// The immutable route table of one bus.
#[derive(Debug, Default)]
pub struct RouteTable {
    /// `slots[type_id]` is the index of the route in `routes`, if any.
    slots: Vec<Option<u32>>,
    routes: Vec<RouteSpec>,
}

impl RouteTable {
    /// Builds the table; fails on a second route for the same message type.
    pub fn build(specs: Vec<RouteSpec>) -> Result<Self, RouteError> {
        if let Some(spec) = specs.iter().find(|s| s.type_id > MAX_TYPE_ID) {
            return Err(RouteError::TypeIdTooLarge {
                message: spec.message.clone(),
                type_id: spec.type_id,
            });
        }
        let size = specs
            .iter()
            .map(|s| s.type_id as usize + 1)
            .max()
            .unwrap_or(0);
        let mut slots: Vec<Option<u32>> = vec![None; size];
        for (index, spec) in specs.iter().enumerate() {
            let Some(slot) = slots.get_mut(spec.type_id as usize) else {
                continue; // unreachable: `size` covers every type id
            };
            if let Some(existing) = *slot {
                return Err(RouteError::Duplicate {
                    message: spec.message.clone(),
                    first: specs
                        .get(existing as usize)
                        .map_or_else(String::new, |s| s.handler.clone()),
                    second: spec.handler.clone(),
                });
            }
            *slot = Some(index as u32);
        }
        Ok(RouteTable {
            slots,
            routes: specs,
        })
    }

    /// Index of the route for `type_id`, or `None` when no handler handles it.
    #[inline]
    pub fn lookup(&self, type_id: u32) -> Option<u32> {
        self.slots.get(type_id as usize).copied().flatten()
    }

    /// Route indexes for many type ids at once (one crossing for a batch);
    /// `u32::MAX` marks a type without a route.
    pub fn lookup_many(&self, type_ids: &[u32]) -> Vec<u32> {
        type_ids
            .iter()
            .map(|&id| self.lookup(id).unwrap_or(u32::MAX))
            .collect()
    }

    /// The route at `index`.
    pub fn route(&self, index: u32) -> Option<&RouteSpec> {
        self.routes.get(index as usize)
    }

    /// Number of routes.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// True when the table has no routes.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spec(type_id: u32, handler: &str) -> RouteSpec {
        RouteSpec {
            type_id,
            message: format!("Message{type_id}"),
            handler: handler.to_string(),
            middleware: vec![],
            timeout_ms: 0,
            validate: false,
        }
    }

    #[test]
    fn looks_up_each_route_by_type_id() {
        let table = RouteTable::build(vec![spec(2, "B"), spec(0, "A")]).unwrap();
        assert_eq!(table.lookup(0), Some(1));
        assert_eq!(table.lookup(2), Some(0));
        assert_eq!(table.route(1).unwrap().handler, "A");
    }

    #[test]
    fn reports_missing_routes() {
        let table = RouteTable::build(vec![spec(1, "A")]).unwrap();
        assert_eq!(table.lookup(0), None);
        assert_eq!(table.lookup(99), None);
        assert_eq!(table.lookup_many(&[1, 0, 7]), vec![0, u32::MAX, u32::MAX]);
    }

    #[test]
    fn rejects_two_handlers_for_one_message_naming_both() {
        let err = RouteTable::build(vec![spec(3, "First"), spec(3, "Second")]).unwrap_err();
        assert_eq!(
            err,
            RouteError::Duplicate {
                message: "Message3".into(),
                first: "First".into(),
                second: "Second".into()
            }
        );
        assert!(err.to_string().contains("First and Second"));
    }

    #[test]
    fn empty_table_has_no_routes() {
        let table = RouteTable::build(vec![]).unwrap();
        assert!(table.is_empty());
        assert_eq!(table.lookup(0), None);
    }

    #[test]
    fn a_type_id_past_the_limit_is_refused_not_allocated() {
        let err = RouteTable::build(vec![spec(u32::MAX, "Huge")]).unwrap_err();
        assert!(matches!(
            err,
            RouteError::TypeIdTooLarge {
                type_id: u32::MAX,
                ..
            }
        ));
        assert!(RouteTable::build(vec![spec(MAX_TYPE_ID, "Last")]).is_ok());
    }

    proptest! {
        #[test]
        fn every_distinct_type_routes_to_its_own_spec(ids in proptest::collection::hash_set(0u32..500, 0..60)) {
            let specs: Vec<RouteSpec> = ids.iter().map(|&id| spec(id, &format!("H{id}"))).collect();
            let table = RouteTable::build(specs).unwrap();
            prop_assert_eq!(table.len(), ids.len());
            for id in 0u32..520 {
                match table.lookup(id) {
                    Some(index) => {
                        prop_assert!(ids.contains(&id));
                        prop_assert_eq!(table.route(index).unwrap().type_id, id);
                    }
                    None => prop_assert!(!ids.contains(&id)),
                }
            }
        }
    }
}
