//! JavaScript face of cello_core::event_log.
