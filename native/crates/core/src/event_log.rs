//! The in-memory event log: streams, the global log, encoded events off the V8 heap.
