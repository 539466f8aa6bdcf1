//! JavaScript face of cello_core::saga. State, events and commands cross as
//! JSON strings: one crossing per transition, and the runner persists the
//! state string as it is.

use cello_core::saga::{self, SagaError, SagaJsonError};
use napi_derive::napi;

use crate::errors::{coded, guard};

fn saga_error(err: SagaJsonError) -> napi::Error {
    let code = match &err {
        SagaJsonError::InvalidInput(_) => "saga-invalid-input",
        SagaJsonError::Machine(SagaError::InvalidDefinition(_)) => "saga-invalid-definition",
        SagaJsonError::Machine(SagaError::UnexpectedEvent(_)) => "saga-unexpected-event",
        SagaJsonError::Machine(SagaError::CorruptState(_)) => "saga-corrupt-state",
    };
    coded(code, err)
}

/// Makes the initial state (JSON) of a saga from its definition (JSON).
#[napi]
pub fn saga_init(definition_json: String) -> napi::Result<String> {
    guard("sagaInit", || {
        saga::init_json(&definition_json).map_err(saga_error)
    })
}

/// Applies one event (JSON) to a state (JSON); returns `{"state":…,"commands":[…]}`.
/// Fails with `[saga-unexpected-event]` when the event does not fit the state,
/// `[saga-corrupt-state]` when the state is not one the machine could have made.
#[napi]
pub fn saga_transition(state_json: String, event_json: String) -> napi::Result<String> {
    guard("sagaTransition", || {
        saga::transition_json(&state_json, &event_json).map_err(saga_error)
    })
}

/// Checks a persisted state (JSON) without resuming it: fails as
/// `SagaMachineHandle.fromStateJson` would (`[saga-invalid-input]`,
/// `[saga-corrupt-state]`), so a dashboard can say why a row is unreadable.
#[napi]
pub fn saga_check_state(state_json: String) -> napi::Result<()> {
    guard("sagaCheckState", || {
        saga::state_from_json(&state_json)
            .map(drop)
            .map_err(saga_error)
    })
}

/// What one transition of a [`SagaMachineHandle`] returns: everything the
/// runner needs for the write and the next action, in one crossing.
#[napi(object)]
pub struct SagaHandleTransition {
    /// The new state as JSON, ready to persist as it is.
    pub state_json: String,
    /// The new status (`running`, `compensating`, `completed`...).
    pub status: String,
    /// The next command as JSON, or null when there is none.
    pub command_json: Option<String>,
}

/// A saga's state held on the Rust side: the runner sends events and gets the
/// state back as JSON only for persisting, so no state is parsed in TypeScript.
#[napi]
pub struct SagaMachineHandle {
    state: saga::SagaState,
}

#[napi]
impl SagaMachineHandle {
    /// A fresh (not yet started) saga from its definition (JSON).
    #[napi(factory)]
    pub fn create(definition_json: String) -> napi::Result<Self> {
        guard("SagaMachineHandle.create", || {
            let definition = saga::definition_from_json(&definition_json).map_err(saga_error)?;
            let state = saga::SagaState::new(definition)
                .map_err(|e| saga_error(SagaJsonError::Machine(e)))?;
            Ok(SagaMachineHandle { state })
        })
    }

    /// A saga resumed from its persisted state (JSON). Fails with
    /// `[saga-corrupt-state]` when the state is inconsistent (a corrupt row).
    #[napi(factory)]
    pub fn from_state_json(state_json: String) -> napi::Result<Self> {
        guard("SagaMachineHandle.fromStateJson", || {
            let state = saga::state_from_json(&state_json).map_err(saga_error)?;
            Ok(SagaMachineHandle { state })
        })
    }

    /// Applies one event (JSON); the state changes only when the event fits.
    #[napi]
    pub fn transition(&mut self, event_json: String) -> napi::Result<SagaHandleTransition> {
        // The held state is replaced only at the end, so a panic leaves it as it was.
        guard("SagaMachineHandle.transition", || self.apply(&event_json))
    }

    /// The saga-wide deadline (ms since the epoch), if any.
    #[napi(getter)]
    pub fn deadline_ms(&self) -> Option<f64> {
        self.state.deadline_ms.map(|d| d as f64)
    }

    /// The current state as JSON.
    #[napi]
    pub fn state_json(&self) -> napi::Result<String> {
        guard("SagaMachineHandle.stateJson", || {
            saga::state_to_json(&self.state).map_err(saga_error)
        })
    }
}

impl SagaMachineHandle {
    fn apply(&mut self, event_json: &str) -> napi::Result<SagaHandleTransition> {
        let event = saga::event_from_json(event_json).map_err(saga_error)?;
        let next = saga::transition(self.state.clone(), event)
            .map_err(|e| saga_error(SagaJsonError::Machine(e)))?;
        self.state = next.state;
        let command_json = match next.commands.first() {
            Some(command) => Some(saga::command_to_json(command).map_err(saga_error)?),
            None => None,
        };
        Ok(SagaHandleTransition {
            state_json: saga::state_to_json(&self.state).map_err(saga_error)?,
            status: self.state.status.as_str().to_string(),
            command_json,
        })
    }
}
