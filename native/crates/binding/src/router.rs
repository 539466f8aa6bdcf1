//! JavaScript face of cello_core::router.
