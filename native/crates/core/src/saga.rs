//! The saga state machine: a pure function from (state, event) to (state, commands).
