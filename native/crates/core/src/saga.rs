//! The saga state machine: a pure function from (state, event) to (state, commands).
//!
//! The runner (TypeScript) owns the side effects: it runs steps, waits, persists.
//! This module only decides what happens next, so that the same decision is made
//! before a crash and after recovery. Time and randomness come in with the events
//! (`now_ms`, `seed`), which keeps [`transition`] deterministic and testable.

use serde::{Deserialize, Serialize};

mod backoff;
#[cfg(test)]
mod compensation_tests;
#[cfg(test)]
mod corrupt_state_tests;
mod json;
#[cfg(test)]
mod tests;
mod validate;

pub use backoff::retry_delay_ms;
pub use json::{
    command_to_json, definition_from_json, event_from_json, init_json, state_from_json,
    state_to_json, transition_json, SagaJsonError,
};
pub use validate::check_state;

/// Overall status of a saga instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SagaStatus {
    /// Steps are being run forward.
    Running,
    /// A step failed (or time ran out); completed steps are being undone.
    Compensating,
    /// Every step completed.
    Completed,
    /// A step failed and every completed step was compensated.
    Compensated,
    /// A compensation failed after its retries; needs `retry_compensation`.
    CompensationFailed,
    /// Time ran out and every completed step was compensated.
    TimedOut,
}

impl SagaStatus {
    /// The status as stored and shown (`"compensation_failed"`...).
    pub fn as_str(self) -> &'static str {
        match self {
            SagaStatus::Running => "running",
            SagaStatus::Compensating => "compensating",
            SagaStatus::Completed => "completed",
            SagaStatus::Compensated => "compensated",
            SagaStatus::CompensationFailed => "compensation_failed",
            SagaStatus::TimedOut => "timed_out",
        }
    }

    /// True when the machine will issue no more commands on its own.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            SagaStatus::Completed
                | SagaStatus::Compensated
                | SagaStatus::CompensationFailed
                | SagaStatus::TimedOut
        )
    }
}

/// Where one step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Running,
    Completed,
    Failed,
    Compensating,
    Compensated,
    CompensationFailed,
}

/// Static description of a step, fixed when the saga starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepDefinition {
    pub name: String,
    /// Retries after the first attempt (so `max_retries + 1` attempts in all).
    pub max_retries: u32,
    pub has_compensation: bool,
    /// Compensate the failing step itself (its effect may have partly happened).
    #[serde(default)]
    pub compensate_on_failure: bool,
    /// What recovery does with this step when it was in flight at a crash:
    /// run it again (the default; its idempotency key makes that harmless) or
    /// give up and compensate it and the steps before it.
    #[serde(default)]
    pub on_interrupted: InterruptedStepPolicy,
}

/// Recovery policy for a step that was in flight when its driver vanished.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterruptedStepPolicy {
    /// Run the step again with the same idempotency key.
    #[default]
    Retry,
    /// Fail the saga at this step; compensate it (its effect may have happened) and those before.
    Compensate,
}

/// Static description of a saga.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SagaDefinition {
    pub steps: Vec<StepDefinition>,
    /// First retry delay; doubles on each further retry.
    pub retry_base_ms: u64,
    /// Upper bound of one retry delay.
    pub retry_cap_ms: u64,
    /// Saga-wide time budget from start; `None` for none.
    pub timeout_ms: Option<u64>,
}

/// Progress of one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepState {
    pub status: StepStatus,
    /// Attempts of the action started so far.
    pub attempts: u32,
    /// Attempts of the compensation started so far.
    pub compensation_attempts: u32,
}

/// The whole state of a saga instance; persisted as JSON after each transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SagaState {
    pub definition: SagaDefinition,
    pub status: SagaStatus,
    pub steps: Vec<StepState>,
    pub started_at_ms: u64,
    /// Absolute deadline (`started_at_ms + timeout_ms`).
    pub deadline_ms: Option<u64>,
    /// Index of the step that failed or timed out, if any.
    pub failed_step: Option<usize>,
    pub error: Option<String>,
    /// Time ran out (saga-wide or a step's own timeout).
    pub timed_out: bool,
    /// The command in flight: re-issued by [`SagaEvent::Recover`].
    pub in_flight: Option<SagaCommand>,
}

/// Something that happened, reported by the runner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum SagaEvent {
    /// The saga is starting now.
    Start {
        now_ms: u64,
    },
    StepSucceeded {
        index: usize,
        now_ms: u64,
    },
    StepFailed {
        index: usize,
        retryable: bool,
        error: String,
        now_ms: u64,
        seed: u64,
    },
    /// The step ran past its own timeout.
    StepTimedOut {
        index: usize,
        error: String,
    },
    /// The saga-wide deadline passed while a step or a retry wait was in flight.
    Timeout {
        now_ms: u64,
    },
    CompensationSucceeded {
        index: usize,
    },
    CompensationFailed {
        index: usize,
        error: String,
        now_ms: u64,
        seed: u64,
    },
    /// The process that drove the saga is gone; re-issue what was in flight.
    Recover {
        now_ms: u64,
        seed: u64,
    },
    /// Operator asks to try a failed compensation again.
    RetryCompensation,
}

/// What the runner must do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum SagaCommand {
    RunStep {
        index: usize,
        attempt: u32,
        delay_ms: u64,
    },
    Compensate {
        index: usize,
        attempt: u32,
        delay_ms: u64,
    },
    Finish {
        status: SagaStatus,
    },
}

/// A transition refused because the event does not fit the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SagaError {
    /// The definition cannot run (no steps, zero delays...).
    InvalidDefinition(String),
    /// The event does not apply to the current state.
    UnexpectedEvent(String),
    /// The state is not one the machine could have made (a corrupt stored row).
    CorruptState(String),
}

impl std::fmt::Display for SagaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SagaError::InvalidDefinition(m) => write!(f, "invalid saga definition: {m}"),
            SagaError::UnexpectedEvent(m) => write!(f, "unexpected saga event: {m}"),
            SagaError::CorruptState(m) => write!(f, "corrupt saga state: {m}"),
        }
    }
}

impl std::error::Error for SagaError {}

/// Result of a transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub state: SagaState,
    pub commands: Vec<SagaCommand>,
}

impl SagaState {
    /// A fresh saga, not yet started (feed it [`SagaEvent::Start`]).
    pub fn new(definition: SagaDefinition) -> Result<Self, SagaError> {
        if definition.steps.is_empty() {
            return Err(SagaError::InvalidDefinition(
                "a saga needs at least one step".into(),
            ));
        }
        let steps = definition
            .steps
            .iter()
            .map(|_| StepState {
                status: StepStatus::Pending,
                attempts: 0,
                compensation_attempts: 0,
            })
            .collect();
        Ok(SagaState {
            definition,
            status: SagaStatus::Running,
            steps,
            started_at_ms: 0,
            deadline_ms: None,
            failed_step: None,
            error: None,
            timed_out: false,
            in_flight: None,
        })
    }

    fn past_deadline(&self, now_ms: u64) -> bool {
        self.deadline_ms.is_some_and(|d| now_ms >= d)
    }
}

fn unexpected(state: &SagaState, event: &SagaEvent) -> SagaError {
    SagaError::UnexpectedEvent(format!("{event:?} while the saga is {:?}", state.status))
}

/// Applies `event` to `state`: the one place where saga decisions are made.
///
/// A state that fails [`check_state`] is refused before anything is indexed.
pub fn transition(mut state: SagaState, event: SagaEvent) -> Result<Transition, SagaError> {
    check_state(&state)?;
    let commands = match (&state.status, &event) {
        (_, SagaEvent::Start { now_ms }) => {
            if state.steps.iter().any(|s| s.attempts > 0) {
                return Err(unexpected(&state, &event));
            }
            state.started_at_ms = *now_ms;
            state.deadline_ms = state
                .definition
                .timeout_ms
                .map(|t| now_ms.saturating_add(t));
            run_step(&mut state, 0, 0)
        }
        (SagaStatus::Running, SagaEvent::StepSucceeded { index, now_ms }) => {
            expect_step(&state, *index, StepStatus::Running, &event)?;
            state.steps[*index].status = StepStatus::Completed;
            let next = index.saturating_add(1);
            if next == state.steps.len() {
                finish(&mut state, SagaStatus::Completed)
            } else if state.past_deadline(*now_ms) {
                state.timed_out = true;
                state.error = Some("the saga timed out before its next step".into());
                begin_compensation(&mut state, None)
            } else {
                run_step(&mut state, next, 0)
            }
        }
        (
            SagaStatus::Running,
            SagaEvent::StepFailed {
                index,
                retryable,
                error,
                now_ms,
                seed,
            },
        ) => {
            expect_step(&state, *index, StepStatus::Running, &event)?;
            let attempts = state.steps[*index].attempts;
            let max = state.definition.steps[*index].max_retries;
            if *retryable && attempts <= max {
                let delay = retry_delay_ms(&state.definition, attempts, *seed);
                if state.past_deadline(now_ms.saturating_add(delay)) {
                    state.timed_out = true;
                    fail_step(
                        &mut state,
                        *index,
                        format!("{error} (no time left to retry)"),
                    )
                } else {
                    run_step(&mut state, *index, delay)
                }
            } else {
                fail_step(&mut state, *index, error.clone())
            }
        }
        (SagaStatus::Running, SagaEvent::StepTimedOut { index, error }) => {
            expect_step(&state, *index, StepStatus::Running, &event)?;
            state.timed_out = true;
            fail_step(&mut state, *index, error.clone())
        }
        (SagaStatus::Running, SagaEvent::Timeout { now_ms }) => {
            if !state.past_deadline(*now_ms) {
                return Err(unexpected(&state, &event));
            }
            state.timed_out = true;
            let running = state
                .steps
                .iter()
                .position(|s| s.status == StepStatus::Running);
            match running {
                Some(index) => fail_step(&mut state, index, "the saga timed out".into()),
                None => {
                    state.error = Some("the saga timed out".into());
                    begin_compensation(&mut state, None)
                }
            }
        }
        (SagaStatus::Compensating, SagaEvent::Timeout { .. }) => Vec::new(),
        (SagaStatus::Compensating, SagaEvent::CompensationSucceeded { index }) => {
            expect_step(&state, *index, StepStatus::Compensating, &event)?;
            state.steps[*index].status = StepStatus::Compensated;
            compensate_next(&mut state)
        }
        (
            SagaStatus::Compensating,
            SagaEvent::CompensationFailed {
                index, error, seed, ..
            },
        ) => {
            expect_step(&state, *index, StepStatus::Compensating, &event)?;
            let attempts = state.steps[*index].compensation_attempts;
            if attempts <= state.definition.steps[*index].max_retries {
                let delay = retry_delay_ms(&state.definition, attempts, *seed);
                compensate(&mut state, *index, delay)
            } else {
                state.steps[*index].status = StepStatus::CompensationFailed;
                state.error = Some(error.clone());
                state.failed_step.get_or_insert(*index);
                finish(&mut state, SagaStatus::CompensationFailed)
            }
        }
        (SagaStatus::CompensationFailed, SagaEvent::RetryCompensation) => {
            let index = state
                .steps
                .iter()
                .position(|s| s.status == StepStatus::CompensationFailed)
                .ok_or_else(|| unexpected(&state, &event))?;
            state.status = SagaStatus::Compensating;
            state.steps[index].status = StepStatus::Completed;
            state.steps[index].compensation_attempts = 0;
            compensate_next(&mut state)
        }
        (SagaStatus::Running | SagaStatus::Compensating, SagaEvent::Recover { now_ms, seed }) => {
            recover(&mut state, *now_ms, *seed)
        }
        (status, SagaEvent::Recover { .. }) if status.is_terminal() => {
            vec![SagaCommand::Finish { status: *status }]
        }
        _ => return Err(unexpected(&state, &event)),
    };
    Ok(Transition { state, commands })
}

fn expect_step(
    state: &SagaState,
    index: usize,
    status: StepStatus,
    event: &SagaEvent,
) -> Result<(), SagaError> {
    match state.steps.get(index) {
        Some(step) if step.status == status => Ok(()),
        _ => Err(unexpected(state, event)),
    }
}

fn run_step(state: &mut SagaState, index: usize, delay_ms: u64) -> Vec<SagaCommand> {
    let step = &mut state.steps[index];
    step.status = StepStatus::Running;
    step.attempts = step.attempts.saturating_add(1);
    let command = SagaCommand::RunStep {
        index,
        attempt: step.attempts,
        delay_ms,
    };
    state.in_flight = Some(command.clone());
    vec![command]
}

fn compensate(state: &mut SagaState, index: usize, delay_ms: u64) -> Vec<SagaCommand> {
    let step = &mut state.steps[index];
    step.status = StepStatus::Compensating;
    step.compensation_attempts = step.compensation_attempts.saturating_add(1);
    let command = SagaCommand::Compensate {
        index,
        attempt: step.compensation_attempts,
        delay_ms,
    };
    state.in_flight = Some(command.clone());
    vec![command]
}

fn finish(state: &mut SagaState, status: SagaStatus) -> Vec<SagaCommand> {
    state.status = status;
    state.in_flight = None;
    vec![SagaCommand::Finish { status }]
}

/// Marks `index` failed and starts undoing what completed before it.
fn fail_step(state: &mut SagaState, index: usize, error: String) -> Vec<SagaCommand> {
    state.steps[index].status = StepStatus::Failed;
    state.failed_step = Some(index);
    state.error = Some(error);
    let also = state.definition.steps[index].compensate_on_failure;
    begin_compensation(state, also.then_some(index))
}

fn begin_compensation(state: &mut SagaState, failed: Option<usize>) -> Vec<SagaCommand> {
    state.status = SagaStatus::Compensating;
    if let Some(index) = failed {
        // Treated as completed so that it joins the reverse walk at its place.
        state.steps[index].status = StepStatus::Completed;
    }
    compensate_next(state)
}

/// Compensates the latest completed step that has a compensation, or finishes.
fn compensate_next(state: &mut SagaState) -> Vec<SagaCommand> {
    loop {
        let next = state
            .steps
            .iter()
            .rposition(|s| s.status == StepStatus::Completed);
        match next {
            Some(index) if state.definition.steps[index].has_compensation => {
                return compensate(state, index, 0);
            }
            // Nothing to undo for a step without compensation.
            Some(index) => state.steps[index].status = StepStatus::Compensated,
            None => {
                let status = if state.timed_out {
                    SagaStatus::TimedOut
                } else {
                    SagaStatus::Compensated
                };
                return finish(state, status);
            }
        }
    }
}

/// Fails the saga at an interrupted step and compensates that step (its lost
/// attempt may have had its effect) and the completed ones before it.
fn give_up_interrupted(state: &mut SagaState, index: usize, error: &str) -> Vec<SagaCommand> {
    state.steps[index].status = StepStatus::Failed;
    state.failed_step = Some(index);
    state.error = Some(error.into());
    begin_compensation(state, Some(index))
}

/// Re-issues the command that was in flight when its driver vanished. The lost
/// attempt counts, so a step that kills its process every time ends in failure
/// (and is compensated).
fn recover(state: &mut SagaState, now_ms: u64, seed: u64) -> Vec<SagaCommand> {
    match state.in_flight.clone() {
        Some(SagaCommand::RunStep { index, .. }) => {
            // Whenever recovery gives up on the interrupted step, its effect may
            // have happened: undo it too, then the steps before.
            if state.past_deadline(now_ms) {
                state.timed_out = true;
                return give_up_interrupted(state, index, "the saga timed out");
            }
            if state.definition.steps[index].on_interrupted == InterruptedStepPolicy::Compensate {
                return give_up_interrupted(state, index, "the step was interrupted by a crash");
            }
            let attempts = state.steps[index].attempts;
            if attempts > state.definition.steps[index].max_retries {
                return give_up_interrupted(
                    state,
                    index,
                    "the step was interrupted on every attempt",
                );
            }
            let delay = retry_delay_ms(&state.definition, attempts, seed).min(1000);
            run_step(state, index, delay)
        }
        // A compensation must eventually happen: retry it regardless of count.
        Some(SagaCommand::Compensate { index, .. }) => compensate(state, index, 0),
        Some(SagaCommand::Finish { status }) => finish(state, status),
        None => match state.status {
            SagaStatus::Compensating => compensate_next(state),
            _ => run_step(state, 0, 0),
        },
    }
}
