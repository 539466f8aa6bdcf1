//! States read from storage that the machine could not have made: each is
//! an error, never a panic (a panic in the binding used to abort Node).

use super::*;
use proptest::prelude::*;

fn two_steps() -> SagaState {
    let definition = SagaDefinition {
        steps: (0..2)
            .map(|i| StepDefinition {
                name: format!("step-{i}"),
                max_retries: 1,
                has_compensation: true,
                compensate_on_failure: false,
                on_interrupted: InterruptedStepPolicy::Retry,
            })
            .collect(),
        retry_base_ms: 10,
        retry_cap_ms: 100,
        timeout_ms: None,
    };
    transition(
        SagaState::new(definition).unwrap(),
        SagaEvent::Start { now_ms: 0 },
    )
    .unwrap()
    .state
}

fn recover() -> SagaEvent {
    SagaEvent::Recover { now_ms: 1, seed: 1 }
}

fn assert_corrupt(state: SagaState, why: &str) {
    let json = serde_json::to_string(&state).unwrap();
    match state_from_json(&json) {
        Err(SagaJsonError::Machine(SagaError::CorruptState(message))) => {
            assert!(message.contains(why), "{message:?} should say {why:?}")
        }
        other => panic!("expected a corrupt state ({why}), got {other:?}"),
    }
    assert!(matches!(
        transition(state, recover()),
        Err(SagaError::CorruptState(_))
    ));
    assert!(transition_json(&json, r#"{"type":"recover","nowMs":1,"seed":1}"#).is_err());
}

#[test]
fn a_command_in_flight_past_the_last_step_is_refused() {
    let mut state = two_steps();
    state.in_flight = Some(SagaCommand::RunStep {
        index: 7,
        attempt: 1,
        delay_ms: 0,
    });
    assert_corrupt(state, "step #7, out of range");
    let mut state = two_steps();
    state.status = SagaStatus::Compensating;
    state.steps[0].status = StepStatus::Compensating;
    state.in_flight = Some(SagaCommand::Compensate {
        index: 2,
        attempt: 1,
        delay_ms: 0,
    });
    assert_corrupt(state, "step #2, out of range");
}

#[test]
fn progress_for_more_or_fewer_steps_than_defined_is_refused() {
    let mut state = two_steps();
    state.steps.push(state.steps[1].clone());
    assert_corrupt(state, "progress for 3 steps but its definition has 2");
    let mut state = two_steps();
    state.steps.pop();
    assert_corrupt(state, "progress for 1 steps");
}

#[test]
fn a_failed_step_out_of_range_is_refused() {
    let mut state = two_steps();
    state.failed_step = Some(usize::MAX);
    assert_corrupt(state, "failed step");
}

#[test]
fn a_definition_without_steps_is_refused() {
    let mut state = two_steps();
    state.definition.steps.clear();
    state.steps.clear();
    assert_corrupt(state, "no steps");
}

#[test]
fn incoherent_statuses_are_refused() {
    let mut state = two_steps();
    state.steps[1].status = StepStatus::Running;
    assert_corrupt(state, "2 steps are running or compensating");
    let mut state = two_steps();
    state.status = SagaStatus::Completed;
    assert_corrupt(state, "step #0 is Running while the saga is completed");
    let mut state = two_steps();
    state.steps[1].status = StepStatus::Compensated;
    assert_corrupt(state, "step #1 is Compensated while the saga is running");
}

#[test]
fn json_that_is_not_a_state_is_invalid_input() {
    for json in [
        "\"not a state\"",
        "{\"step\":\"nowhere\",\"phase\":42}",
        "",
        "[1,2",
    ] {
        assert!(matches!(
            state_from_json(json),
            Err(SagaJsonError::InvalidInput(_))
        ));
    }
}

#[test]
fn attempt_counters_at_their_maximum_do_not_overflow() {
    let mut state = two_steps();
    state.steps[0].attempts = u32::MAX;
    state.definition.steps[0].max_retries = u32::MAX;
    let t = transition(
        state,
        SagaEvent::StepFailed {
            index: 0,
            retryable: true,
            error: "boom".into(),
            now_ms: 1,
            seed: 1,
        },
    )
    .unwrap();
    assert_eq!(t.state.steps[0].attempts, u32::MAX);
}

fn any_step_status() -> impl Strategy<Value = StepStatus> {
    prop_oneof![
        Just(StepStatus::Pending),
        Just(StepStatus::Running),
        Just(StepStatus::Completed),
        Just(StepStatus::Failed),
        Just(StepStatus::Compensating),
        Just(StepStatus::Compensated),
        Just(StepStatus::CompensationFailed),
    ]
}

fn any_saga_status() -> impl Strategy<Value = SagaStatus> {
    prop_oneof![
        Just(SagaStatus::Running),
        Just(SagaStatus::Compensating),
        Just(SagaStatus::Completed),
        Just(SagaStatus::Compensated),
        Just(SagaStatus::CompensationFailed),
        Just(SagaStatus::TimedOut),
    ]
}

/// Small indexes (mostly in range, sometimes just past) and extreme ones.
fn any_index() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 0usize..6, 1 => Just(usize::MAX)]
}

fn any_count() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..4, 1 => Just(u32::MAX)]
}

fn any_time() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 0u64..10_000, 1 => Just(u64::MAX)]
}

fn any_command() -> impl Strategy<Value = SagaCommand> {
    prop_oneof![
        (any_index(), any_count(), any_time()).prop_map(|(index, attempt, delay_ms)| {
            SagaCommand::RunStep {
                index,
                attempt,
                delay_ms,
            }
        }),
        (any_index(), any_count(), any_time()).prop_map(|(index, attempt, delay_ms)| {
            SagaCommand::Compensate {
                index,
                attempt,
                delay_ms,
            }
        }),
        any_saga_status().prop_map(|status| SagaCommand::Finish { status }),
    ]
}

prop_compose! {
    fn any_state()(
        definition in prop::collection::vec((any_count(), any::<bool>(), any::<bool>(), any::<bool>()), 0..5),
        status in any_saga_status(),
        steps in prop::collection::vec((any_step_status(), any_count(), any_count()), 0..6),
        started_at_ms in any_time(),
        deadline_ms in prop::option::of(any_time()),
        failed_step in prop::option::of(any_index()),
        timed_out in any::<bool>(),
        in_flight in prop::option::of(any_command()),
        retry in (any_time(), any_time(), prop::option::of(any_time())),
    ) -> SagaState {
        SagaState {
            definition: SagaDefinition {
                steps: definition
                    .into_iter()
                    .enumerate()
                    .map(|(i, (max_retries, has_compensation, compensate_on_failure, compensate))| StepDefinition {
                        name: format!("step-{i}"),
                        max_retries,
                        has_compensation,
                        compensate_on_failure,
                        on_interrupted: if compensate {
                            InterruptedStepPolicy::Compensate
                        } else {
                            InterruptedStepPolicy::Retry
                        },
                    })
                    .collect(),
                retry_base_ms: retry.0,
                retry_cap_ms: retry.1,
                timeout_ms: retry.2,
            },
            status,
            steps: steps
                .into_iter()
                .map(|(status, attempts, compensation_attempts)| StepState {
                    status,
                    attempts,
                    compensation_attempts,
                })
                .collect(),
            started_at_ms,
            deadline_ms,
            failed_step,
            error: None,
            timed_out,
            in_flight,
        }
    }
}

fn any_event() -> impl Strategy<Value = SagaEvent> {
    prop_oneof![
        any_time().prop_map(|now_ms| SagaEvent::Start { now_ms }),
        (any_index(), any_time())
            .prop_map(|(index, now_ms)| SagaEvent::StepSucceeded { index, now_ms }),
        (any_index(), any::<bool>(), any_time(), any::<u64>()).prop_map(
            |(index, retryable, now_ms, seed)| SagaEvent::StepFailed {
                index,
                retryable,
                error: "boom".into(),
                now_ms,
                seed,
            }
        ),
        any_index().prop_map(|index| SagaEvent::StepTimedOut {
            index,
            error: "slow".into()
        }),
        any_time().prop_map(|now_ms| SagaEvent::Timeout { now_ms }),
        any_index().prop_map(|index| SagaEvent::CompensationSucceeded { index }),
        (any_index(), any_time(), any::<u64>()).prop_map(|(index, now_ms, seed)| {
            SagaEvent::CompensationFailed {
                index,
                error: "down".into(),
                now_ms,
                seed,
            }
        }),
        (any_time(), any::<u64>()).prop_map(|(now_ms, seed)| SagaEvent::Recover { now_ms, seed }),
        Just(SagaEvent::RetryCompensation),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    /// Whatever state is stored and whatever event arrives, the machine
    /// answers (a transition or an error); it never panics.
    #[test]
    fn any_stored_state_and_event_give_an_answer_not_a_panic(state in any_state(), event in any_event()) {
        let json = serde_json::to_string(&state).unwrap();
        let event_json = serde_json::to_string(&event).unwrap();
        let valid = check_state(&state).is_ok();
        prop_assert_eq!(state_from_json(&json).is_ok(), valid);
        let _ = transition_json(&json, &event_json);
        if let Ok(next) = transition(state, event) {
            prop_assert!(valid, "a transition from a state that fails its check");
            // What the machine makes can be stored and read back.
            let _ = state_from_json(&serde_json::to_string(&next.state).unwrap());
        }
    }

    /// Arbitrary text never panics the parser.
    #[test]
    fn any_text_is_read_or_refused(text in ".{0,200}") {
        let _ = state_from_json(&text);
        let _ = event_from_json(&text);
        let _ = definition_from_json(&text);
    }
}
