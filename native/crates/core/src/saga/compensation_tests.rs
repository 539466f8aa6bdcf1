//! Compensation retry counts and order, checked here rather than only by the
//! JavaScript tests: an off-by-one in the retry bound must fail `cargo test`.

use super::*;
use proptest::prelude::*;

fn step(max_retries: u32, has_compensation: bool) -> StepDefinition {
    StepDefinition {
        name: format!("step-{max_retries}-{has_compensation}"),
        max_retries,
        has_compensation,
        compensate_on_failure: false,
        on_interrupted: InterruptedStepPolicy::Retry,
    }
}

fn saga(steps: Vec<StepDefinition>) -> SagaState {
    SagaState::new(SagaDefinition {
        steps,
        retry_base_ms: 10,
        retry_cap_ms: 100,
        timeout_ms: None,
    })
    .unwrap()
}

fn apply(state: SagaState, event: SagaEvent) -> Transition {
    transition(state, event).unwrap()
}

fn compensation_failed(index: usize) -> SagaEvent {
    SagaEvent::CompensationFailed {
        index,
        error: "refund service down".into(),
        now_ms: 5,
        seed: 3,
    }
}

/// Runs steps `0..completed` to success, then fails step `completed` for good.
fn fail_after(state: SagaState, completed: usize) -> Transition {
    let mut t = apply(state, SagaEvent::Start { now_ms: 0 });
    for index in 0..completed {
        t = apply(t.state, SagaEvent::StepSucceeded { index, now_ms: 1 });
    }
    apply(
        t.state,
        SagaEvent::StepFailed {
            index: completed,
            retryable: false,
            error: "card declined".into(),
            now_ms: 2,
            seed: 1,
        },
    )
}

/// The compensation commands issued while every compensation fails until
/// the machine gives up: (step index, attempt) in order.
fn compensate_until_given_up(mut t: Transition) -> (Vec<(usize, u32)>, Transition) {
    let mut issued = Vec::new();
    while let Some(SagaCommand::Compensate { index, attempt, .. }) = t.commands.first().cloned() {
        issued.push((index, attempt));
        assert!(issued.len() < 100, "the compensation is retried for ever");
        t = apply(t.state, compensation_failed(index));
    }
    (issued, t)
}

#[test]
fn a_failing_compensation_is_tried_max_retries_plus_one_times_then_the_saga_fails() {
    // Given a saga whose first step allows 2 retries and whose second step fails
    let t = fail_after(saga(vec![step(2, true), step(0, true)]), 1);

    // When every compensation of the first step fails
    let (issued, t) = compensate_until_given_up(t);

    // Then it was tried 3 times (attempts 1, 2, 3), and the saga needs an operator
    assert_eq!(issued, vec![(0, 1), (0, 2), (0, 3)]);
    assert_eq!(t.state.steps[0].compensation_attempts, 3);
    assert_eq!(t.state.steps[0].status, StepStatus::CompensationFailed);
    assert_eq!(
        t.commands,
        vec![SagaCommand::Finish {
            status: SagaStatus::CompensationFailed
        }]
    );
}

#[test]
fn a_compensation_without_retries_is_tried_once() {
    let t = fail_after(saga(vec![step(0, true), step(0, false)]), 1);
    let (issued, t) = compensate_until_given_up(t);
    assert_eq!(issued, vec![(0, 1)]);
    assert_eq!(t.state.status, SagaStatus::CompensationFailed);
}

#[test]
fn a_retried_compensation_starts_its_count_again() {
    let t = fail_after(saga(vec![step(1, true), step(0, true)]), 1);
    let (first, t) = compensate_until_given_up(t);
    let t = apply(t.state, SagaEvent::RetryCompensation);
    let (second, _) = compensate_until_given_up(t);
    assert_eq!(first, vec![(0, 1), (0, 2)]);
    assert_eq!(second, vec![(0, 1), (0, 2)]);
}

#[test]
fn completed_steps_are_compensated_latest_first_skipping_those_without_compensation() {
    // Given steps 0..4 completed (step 2 has nothing to undo) and step 4 failing
    let steps = vec![
        step(1, true),
        step(1, true),
        step(1, false),
        step(1, true),
        step(0, true),
    ];
    let mut t = fail_after(saga(steps), 4);

    // When each compensation fails once, then succeeds
    let mut order = Vec::new();
    while let Some(SagaCommand::Compensate { index, attempt, .. }) = t.commands.first().cloned() {
        order.push((index, attempt));
        t = if attempt == 1 {
            apply(t.state, compensation_failed(index))
        } else {
            apply(t.state, SagaEvent::CompensationSucceeded { index })
        };
    }

    // Then 3, 1, 0 were undone in that order, each on its second attempt
    assert_eq!(order, vec![(3, 1), (3, 2), (1, 1), (1, 2), (0, 1), (0, 2)]);
    assert_eq!(t.state.status, SagaStatus::Compensated);
    assert_eq!(t.state.steps[4].status, StepStatus::Failed);
    let attempts: Vec<u32> = t
        .state
        .steps
        .iter()
        .map(|s| s.compensation_attempts)
        .collect();
    assert_eq!(attempts, vec![2, 2, 0, 2, 0]);
}

proptest! {
    /// A compensation failing `failures` times in a row succeeds on the next
    /// attempt if that is within `max_retries + 1` attempts; otherwise the
    /// saga stops after exactly `max_retries + 1` attempts.
    #[test]
    fn compensation_attempts_are_bounded_by_max_retries(max_retries in 0u32..6, failures in 0u32..9) {
        let mut t = fail_after(saga(vec![step(max_retries, true), step(0, true)]), 1);
        let mut attempts = 0u32;
        while let Some(SagaCommand::Compensate { index, attempt, .. }) = t.commands.first().cloned() {
            attempts += 1;
            prop_assert_eq!(attempt, attempts);
            t = if attempts <= failures {
                apply(t.state, compensation_failed(index))
            } else {
                apply(t.state, SagaEvent::CompensationSucceeded { index })
            };
        }
        if failures <= max_retries {
            prop_assert_eq!(attempts, failures + 1);
            prop_assert_eq!(t.state.status, SagaStatus::Compensated);
        } else {
            prop_assert_eq!(attempts, max_retries + 1);
            prop_assert_eq!(t.state.status, SagaStatus::CompensationFailed);
        }
    }
}
