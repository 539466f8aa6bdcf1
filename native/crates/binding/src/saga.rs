//! JavaScript face of cello_core::saga. State, events and commands cross as
//! JSON strings: one crossing per transition, and the runner persists the
//! state string as it is.

use cello_core::saga::{self, SagaError, SagaJsonError};
use napi_derive::napi;

use crate::errors::coded;

fn saga_error(err: SagaJsonError) -> napi::Error {
    let code = match &err {
        SagaJsonError::InvalidInput(_) => "saga-invalid-input",
        SagaJsonError::Machine(SagaError::InvalidDefinition(_)) => "saga-invalid-definition",
        SagaJsonError::Machine(SagaError::UnexpectedEvent(_)) => "saga-unexpected-event",
    };
    coded(code, err)
}

/// Makes the initial state (JSON) of a saga from its definition (JSON).
#[napi]
pub fn saga_init(definition_json: String) -> napi::Result<String> {
    saga::init_json(&definition_json).map_err(saga_error)
}

/// Applies one event (JSON) to a state (JSON); returns `{"state":…,"commands":[…]}`.
/// Fails with `[saga-unexpected-event]` when the event does not fit the state.
#[napi]
pub fn saga_transition(state_json: String, event_json: String) -> napi::Result<String> {
    saga::transition_json(&state_json, &event_json).map_err(saga_error)
}
