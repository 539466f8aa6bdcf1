//! The JSON face of the machine, for callers (the napi binding) that keep the
//! state as a string: parse, transition, serialise, in one call.

use super::{check_state, transition, SagaDefinition, SagaError, SagaEvent, SagaState};

/// Why a JSON call failed; the binding turns each kind into an error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SagaJsonError {
    /// The input was not the expected JSON shape.
    InvalidInput(String),
    /// The machine refused it.
    Machine(SagaError),
}

impl std::fmt::Display for SagaJsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SagaJsonError::InvalidInput(m) => f.write_str(m),
            SagaJsonError::Machine(e) => e.fmt(f),
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T, SagaJsonError> {
    serde_json::from_str(json)
        .map_err(|e| SagaJsonError::InvalidInput(format!("{what} is not valid: {e}")))
}

fn write<T: serde::Serialize>(value: &T) -> Result<String, SagaJsonError> {
    serde_json::to_string(value).map_err(|e| SagaJsonError::InvalidInput(e.to_string()))
}

/// Initial state (JSON) of a saga from its definition (JSON).
pub fn init_json(definition: &str) -> Result<String, SagaJsonError> {
    let definition: SagaDefinition = parse("the saga definition", definition)?;
    write(&SagaState::new(definition).map_err(SagaJsonError::Machine)?)
}

/// `{"state":…,"commands":[…]}` after applying `event` (JSON) to `state` (JSON).
pub fn transition_json(state: &str, event: &str) -> Result<String, SagaJsonError> {
    let state: SagaState = parse("the saga state", state)?;
    let event: SagaEvent = parse("the saga event", event)?;
    write(&transition(state, event).map_err(SagaJsonError::Machine)?)
}

/// Parses a saga definition (JSON).
pub fn definition_from_json(json: &str) -> Result<SagaDefinition, SagaJsonError> {
    parse("the saga definition", json)
}

/// Parses a persisted saga state (JSON) and checks that it is consistent
/// ([`check_state`]): a corrupt row is an error here, never a panic later.
pub fn state_from_json(json: &str) -> Result<SagaState, SagaJsonError> {
    let state: SagaState = parse("the saga state", json)?;
    check_state(&state).map_err(SagaJsonError::Machine)?;
    Ok(state)
}

/// Parses one event (JSON).
pub fn event_from_json(json: &str) -> Result<SagaEvent, SagaJsonError> {
    parse("the saga event", json)
}

/// Serialises a state, as persisted.
pub fn state_to_json(state: &SagaState) -> Result<String, SagaJsonError> {
    write(state)
}

/// Serialises a command.
pub fn command_to_json(command: &super::SagaCommand) -> Result<String, SagaJsonError> {
    write(command)
}
