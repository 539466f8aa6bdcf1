//! JavaScript face of cello_core::snapshot.
