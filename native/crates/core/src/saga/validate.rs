//! Checks that a state read from storage is one the machine could have made.
//!
//! A stored state is input like any other: written by hand, by an older
//! version or by a bad migration. Every index the machine follows (steps,
//! the failed step, the command in flight) is checked here, once, so that
//! [`super::transition`] never indexes out of range on such a state.

use super::{SagaCommand, SagaError, SagaState, SagaStatus, StepStatus};

fn corrupt(message: String) -> SagaError {
    SagaError::CorruptState(message)
}

/// `Ok` when `state` is consistent; otherwise what is wrong with it.
pub fn check_state(state: &SagaState) -> Result<(), SagaError> {
    let count = state.definition.steps.len();
    if count == 0 {
        return Err(corrupt("its definition has no steps".into()));
    }
    if state.steps.len() != count {
        return Err(corrupt(format!(
            "it has progress for {} steps but its definition has {count}",
            state.steps.len()
        )));
    }
    if let Some(index) = state.failed_step {
        if index >= count {
            return Err(corrupt(format!(
                "its failed step #{index} is out of range (0..{count})"
            )));
        }
    }
    if let Some(command) = &state.in_flight {
        let index = match command {
            SagaCommand::RunStep { index, .. } | SagaCommand::Compensate { index, .. } => {
                Some(*index)
            }
            SagaCommand::Finish { .. } => None,
        };
        if let Some(index) = index.filter(|i| *i >= count) {
            return Err(corrupt(format!(
                "its command in flight names step #{index}, out of range (0..{count})"
            )));
        }
    }
    let busy = state
        .steps
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Running | StepStatus::Compensating))
        .count();
    if busy > 1 {
        return Err(corrupt(format!(
            "{busy} steps are running or compensating at once"
        )));
    }
    // Which step statuses each saga status allows (what `transition` can make).
    let allowed = |status: StepStatus| match state.status {
        SagaStatus::Running => matches!(
            status,
            StepStatus::Pending | StepStatus::Running | StepStatus::Completed
        ),
        SagaStatus::Completed => status == StepStatus::Completed,
        SagaStatus::Compensating => status != StepStatus::Running,
        SagaStatus::Compensated | SagaStatus::TimedOut | SagaStatus::CompensationFailed => {
            !matches!(status, StepStatus::Running | StepStatus::Compensating)
        }
    };
    if let Some((index, step)) = state
        .steps
        .iter()
        .enumerate()
        .find(|(_, s)| !allowed(s.status))
    {
        return Err(corrupt(format!(
            "step #{index} is {:?} while the saga is {}",
            step.status,
            state.status.as_str()
        )));
    }
    Ok(())
}
