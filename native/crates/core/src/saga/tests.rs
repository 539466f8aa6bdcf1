use super::*;
use proptest::prelude::*;

fn definition(steps: &[(u32, bool, bool)], timeout_ms: Option<u64>) -> SagaDefinition {
    definition_with(steps, &[], timeout_ms)
}

/// Steps as (max_retries, has_compensation, compensate_on_failure);
/// `compensate_interrupted[i]` sets step i's crash policy to compensate.
fn definition_with(
    steps: &[(u32, bool, bool)],
    compensate_interrupted: &[bool],
    timeout_ms: Option<u64>,
) -> SagaDefinition {
    let step =
        |i: usize, &(max_retries, has_compensation, compensate_on_failure): &(u32, bool, bool)| {
            StepDefinition {
                name: format!("step-{i}"),
                max_retries,
                has_compensation,
                compensate_on_failure,
                on_interrupted: if compensate_interrupted.get(i).copied().unwrap_or(false) {
                    InterruptedStepPolicy::Compensate
                } else {
                    InterruptedStepPolicy::Retry
                },
            }
        };
    SagaDefinition {
        steps: steps.iter().enumerate().map(|(i, s)| step(i, s)).collect(),
        retry_base_ms: 100,
        retry_cap_ms: 1_000,
        timeout_ms,
    }
}

fn start(def: SagaDefinition) -> Transition {
    transition(SagaState::new(def).unwrap(), SagaEvent::Start { now_ms: 0 }).unwrap()
}

fn fail(index: usize, retryable: bool) -> SagaEvent {
    SagaEvent::StepFailed {
        index,
        retryable,
        error: "boom".into(),
        now_ms: 1,
        seed: 7,
    }
}

#[test]
fn runs_every_step_in_order_then_completes() {
    let mut t = start(definition(&[(0, true, false); 3], None));
    for index in 0..3 {
        assert_eq!(
            t.commands,
            vec![SagaCommand::RunStep {
                index,
                attempt: 1,
                delay_ms: 0
            }]
        );
        t = transition(t.state, SagaEvent::StepSucceeded { index, now_ms: 1 }).unwrap();
    }
    assert_eq!(
        t.commands,
        vec![SagaCommand::Finish {
            status: SagaStatus::Completed
        }]
    );
}

#[test]
fn compensates_completed_steps_in_reverse_but_not_the_failed_one() {
    let mut t = start(definition(&[(0, true, false); 3], None));
    t = transition(
        t.state,
        SagaEvent::StepSucceeded {
            index: 0,
            now_ms: 1,
        },
    )
    .unwrap();
    t = transition(
        t.state,
        SagaEvent::StepSucceeded {
            index: 1,
            now_ms: 1,
        },
    )
    .unwrap();
    t = transition(t.state, fail(2, false)).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 1, .. }
    ));
    t = transition(t.state, SagaEvent::CompensationSucceeded { index: 1 }).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 0, .. }
    ));
    t = transition(t.state, SagaEvent::CompensationSucceeded { index: 0 }).unwrap();
    assert_eq!(
        t.commands,
        vec![SagaCommand::Finish {
            status: SagaStatus::Compensated
        }]
    );
    assert_eq!(t.state.failed_step, Some(2));
}

#[test]
fn retries_with_growing_delays_then_gives_up() {
    let mut t = start(definition(&[(2, true, false)], None));
    let mut delays = Vec::new();
    for _ in 0..2 {
        t = transition(t.state, fail(0, true)).unwrap();
        match t.commands[0] {
            SagaCommand::RunStep { delay_ms, .. } => delays.push(delay_ms),
            ref other => panic!("expected a retry, got {other:?}"),
        }
    }
    assert!((50..=100).contains(&delays[0]) && (100..=200).contains(&delays[1]));
    t = transition(t.state, fail(0, true)).unwrap();
    assert_eq!(t.state.status, SagaStatus::Compensated);
}

#[test]
fn a_non_retryable_failure_is_not_retried() {
    let t = start(definition(&[(5, true, false)], None));
    let t = transition(t.state, fail(0, false)).unwrap();
    assert_eq!(t.state.steps[0].attempts, 1);
    assert_eq!(t.state.status, SagaStatus::Compensated);
}

#[test]
fn a_step_declared_so_is_compensated_when_it_fails() {
    let t = start(definition(&[(0, true, true)], None));
    let t = transition(t.state, fail(0, false)).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 0, .. }
    ));
}

#[test]
fn the_deadline_stops_the_next_step_and_ends_timed_out() {
    let t = start(definition(&[(0, true, false); 2], Some(1_000)));
    let t = transition(
        t.state,
        SagaEvent::StepSucceeded {
            index: 0,
            now_ms: 1_000,
        },
    )
    .unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 0, .. }
    ));
    let t = transition(t.state, SagaEvent::CompensationSucceeded { index: 0 }).unwrap();
    assert_eq!(t.state.status, SagaStatus::TimedOut);
}

#[test]
fn a_failed_compensation_can_be_retried() {
    let t = start(definition(&[(0, true, false); 2], None));
    let t = transition(
        t.state,
        SagaEvent::StepSucceeded {
            index: 0,
            now_ms: 1,
        },
    )
    .unwrap();
    let t = transition(t.state, fail(1, false)).unwrap();
    let failed = SagaEvent::CompensationFailed {
        index: 0,
        error: "down".into(),
        now_ms: 2,
        seed: 1,
    };
    let t = transition(t.state, failed).unwrap();
    assert_eq!(t.state.status, SagaStatus::CompensationFailed);
    let t = transition(t.state, SagaEvent::RetryCompensation).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate {
            index: 0,
            attempt: 1,
            ..
        }
    ));
    let t = transition(t.state, SagaEvent::CompensationSucceeded { index: 0 }).unwrap();
    assert_eq!(t.state.status, SagaStatus::Compensated);
}

#[test]
fn recovery_reissues_the_step_in_flight() {
    let t = start(definition(&[(3, true, false); 2], None));
    let t = transition(t.state, SagaEvent::Recover { now_ms: 5, seed: 3 }).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::RunStep {
            index: 0,
            attempt: 2,
            ..
        }
    ));
}

#[test]
fn recovery_compensates_an_interrupted_step_when_its_policy_says_so() {
    let def = definition_with(&[(3, true, false); 2], &[false, true], None);
    let t = start(def);
    let t = transition(
        t.state,
        SagaEvent::StepSucceeded {
            index: 0,
            now_ms: 1,
        },
    )
    .unwrap();
    let t = transition(t.state, SagaEvent::Recover { now_ms: 5, seed: 3 }).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 1, .. }
    ));
    let t = transition(t.state, SagaEvent::CompensationSucceeded { index: 1 }).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 0, .. }
    ));
    assert_eq!(t.state.failed_step, Some(1));
}

#[test]
fn recovery_compensates_a_step_interrupted_on_every_attempt() {
    // One retry allowed: the step's two attempts are both lost to crashes.
    let t = start(definition(&[(1, true, false); 2], None));
    let t = transition(
        t.state,
        SagaEvent::StepSucceeded {
            index: 0,
            now_ms: 1,
        },
    )
    .unwrap();
    let t = transition(t.state, SagaEvent::Recover { now_ms: 5, seed: 3 }).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::RunStep {
            index: 1,
            attempt: 2,
            ..
        }
    ));
    let t = transition(t.state, SagaEvent::Recover { now_ms: 6, seed: 3 }).unwrap();
    // Either lost attempt may have charged: the step is undone, then the one before.
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 1, .. }
    ));
    assert_eq!(t.state.failed_step, Some(1));
    let t = transition(t.state, SagaEvent::CompensationSucceeded { index: 1 }).unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 0, .. }
    ));
}

#[test]
fn recovery_past_the_deadline_compensates_the_interrupted_step() {
    let t = start(definition(&[(3, true, false); 2], Some(10)));
    let t = transition(
        t.state,
        SagaEvent::Recover {
            now_ms: 50,
            seed: 3,
        },
    )
    .unwrap();
    assert!(matches!(
        t.commands[0],
        SagaCommand::Compensate { index: 0, .. }
    ));
    let t = transition(t.state, SagaEvent::CompensationSucceeded { index: 0 }).unwrap();
    assert_eq!(t.state.status, SagaStatus::TimedOut);
}

#[test]
fn refuses_events_that_do_not_fit() {
    let t = start(definition(&[(0, true, false)], None));
    let err = transition(t.state, SagaEvent::CompensationSucceeded { index: 0 }).unwrap_err();
    assert!(matches!(err, SagaError::UnexpectedEvent(_)));
    assert!(SagaState::new(definition(&[], None)).is_err());
}

#[test]
fn state_round_trips_through_json() {
    let t = start(definition(&[(1, true, false); 2], Some(10)));
    let json = serde_json::to_string(&t.state).unwrap();
    let back: SagaState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t.state);
}

/// One outcome the fuzzer may pick for whatever command is pending.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    Succeed,
    FailRetryable,
    FailFatal,
    StepTimeout,
    SagaTimeout,
    Crash,
    RetryCompensation,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        4 => Just(Outcome::Succeed),
        2 => Just(Outcome::FailRetryable),
        1 => Just(Outcome::FailFatal),
        1 => Just(Outcome::StepTimeout),
        1 => Just(Outcome::SagaTimeout),
        1 => Just(Outcome::Crash),
        1 => Just(Outcome::RetryCompensation),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Whatever the steps do, the machine never undoes a step that did not
    /// complete, never undoes one twice, and always reaches a terminal state.
    #[test]
    fn compensation_is_sound_and_every_saga_terminates(
        steps in prop::collection::vec((0u32..3, any::<bool>(), any::<bool>()), 1..6),
        compensate_interrupted in prop::collection::vec(any::<bool>(), 6),
        timeout in prop::option::of(50u64..5_000),
        outcomes in prop::collection::vec(outcome(), 0..200),
        seed in any::<u64>(),
    ) {
        let def = definition_with(&steps, &compensate_interrupted, timeout);
        let n = steps.len();
        let mut t = start(def);
        let mut now = 0u64;
        let mut completed = vec![false; n];
        let mut may_compensate = vec![false; n];
        let mut compensated = vec![0u32; n];
        let mut script = outcomes.into_iter().chain(std::iter::repeat(Outcome::Succeed));
        let mut retried_compensation = 0;

        for _ in 0..10_000 {
            if t.state.status.is_terminal() {
                if t.state.status == SagaStatus::CompensationFailed && retried_compensation < 3 {
                    if let Some(Outcome::RetryCompensation) = script.next() {
                        retried_compensation += 1;
                        t = transition(t.state, SagaEvent::RetryCompensation).unwrap();
                        prop_assert_eq!(check_state(&t.state), Ok(()));
                        continue;
                    }
                }
                break;
            }
            prop_assert_eq!(t.commands.len(), 1);
            now += 10;
            let command = t.commands[0].clone();
            let pick = script.next().unwrap();
            let event = match (command, pick) {
                (command, Outcome::Crash) => {
                    // The lost attempt may have had its effect: when recovery gives
                    // up on the step, it is undone.
                    if let SagaCommand::RunStep { index, .. } = command {
                        may_compensate[index] = true;
                    }
                    SagaEvent::Recover { now_ms: now, seed }
                }
                (SagaCommand::RunStep { index, .. }, Outcome::Succeed | Outcome::RetryCompensation) => {
                    completed[index] = true;
                    may_compensate[index] = true;
                    SagaEvent::StepSucceeded { index, now_ms: now }
                }
                (SagaCommand::RunStep { index, .. }, Outcome::FailRetryable | Outcome::FailFatal) => {
                    may_compensate[index] = steps[index].2;
                    SagaEvent::StepFailed {
                        index,
                        retryable: matches!(pick, Outcome::FailRetryable),
                        error: "boom".into(),
                        now_ms: now,
                        seed,
                    }
                }
                (SagaCommand::RunStep { index, .. }, Outcome::StepTimeout) => {
                    may_compensate[index] = steps[index].2;
                    SagaEvent::StepTimedOut { index, error: "slow".into() }
                }
                (SagaCommand::RunStep { index, .. }, Outcome::SagaTimeout) => match t.state.deadline_ms {
                    Some(deadline) => {
                        may_compensate[index] = steps[index].2;
                        now = now.max(deadline);
                        SagaEvent::Timeout { now_ms: now }
                    }
                    None => {
                        completed[index] = true;
                        may_compensate[index] = true;
                        SagaEvent::StepSucceeded { index, now_ms: now }
                    }
                },
                (SagaCommand::Compensate { index, .. }, Outcome::Succeed | Outcome::SagaTimeout) => {
                    compensated[index] += 1;
                    SagaEvent::CompensationSucceeded { index }
                }
                (SagaCommand::Compensate { index, .. }, _) => SagaEvent::CompensationFailed {
                    index,
                    error: "down".into(),
                    now_ms: now,
                    seed,
                },
                (SagaCommand::Finish { .. }, _) => break,
            };
            // Recovery may re-issue a compensation: check before applying.
            if let SagaEvent::CompensationSucceeded { index } = event {
                prop_assert!(may_compensate[index], "compensated step {} that never completed", index);
                prop_assert!(compensated[index] <= 1, "compensated step {} twice", index);
            }
            t = transition(t.state, event).unwrap();
            // Every state the machine makes passes the check applied to stored ones.
            prop_assert_eq!(check_state(&t.state), Ok(()));
            for command in &t.commands {
                if let SagaCommand::Compensate { index, .. } = command {
                    prop_assert!(may_compensate[*index], "asked to compensate step {} that never completed", index);
                    prop_assert!(steps[*index].1, "asked to compensate step {} that has no compensation", index);
                    prop_assert_eq!(compensated[*index], 0, "asked to compensate step {} again", index);
                }
            }
        }

        prop_assert!(t.state.status.is_terminal(), "saga left in {:?}", t.state.status);
        match t.state.status {
            SagaStatus::Completed => {
                prop_assert!(completed.iter().all(|c| *c));
                prop_assert!(compensated.iter().all(|c| *c == 0));
            }
            SagaStatus::Compensated | SagaStatus::TimedOut => {
                for i in 0..n {
                    let expected = u32::from(may_compensate[i] && steps[i].1);
                    prop_assert_eq!(compensated[i], expected, "step {} compensations", i);
                }
            }
            _ => {}
        }
    }
}
