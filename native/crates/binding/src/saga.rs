//! JavaScript face of cello_core::saga.
