//! Retry delays: doubling from a base, capped, with "equal jitter" (half fixed,
//! half random) so that sagas failing together do not retry in lockstep.

use super::SagaDefinition;

/// SplitMix64: a tiny, good-enough mixer turning a seed into a random word.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Delay before the retry that follows attempt number `attempts` (1-based):
/// `min(cap, base * 2^(attempts-1))`, of which a random half is taken off.
pub fn retry_delay_ms(definition: &SagaDefinition, attempts: u32, seed: u64) -> u64 {
    let exponent = attempts.saturating_sub(1).min(32);
    let full = definition
        .retry_base_ms
        .saturating_mul(1u64 << exponent)
        .min(definition.retry_cap_ms);
    let half = full / 2;
    let jitter = if half == 0 {
        0
    } else {
        mix(seed ^ u64::from(attempts)) % (half + 1)
    };
    full - half + jitter
}
