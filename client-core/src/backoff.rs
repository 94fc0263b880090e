//! The reconnection delay schedule of socket.io-client (`contrib/backo2.ts`), made total.
//!
//! `delay = min * 2^attempt`, then a jitter of up to `± randomization * delay` where one random
//! draw picks both the size and the sign, then capped at `max`. Unlike the JavaScript original,
//! the exponential saturates instead of overflowing to `Infinity` (which turns about half of the
//! delays into 0 ms after ~1000 attempts, docs/protocol.md §2.1). Randomness comes from a seeded
//! generator so schedules are reproducible in tests.

use std::time::Duration;

/// A small deterministic pseudo-random generator (SplitMix64), seeded by the configuration.
///
/// The core never draws entropy itself: drivers pass a seed (random in production, fixed in tests).
#[derive(Debug, Clone)]
pub struct SeededRng {
    state: u64,
}

impl SeededRng {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in `[0, 1)`, like `Math.random()`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Exponential backoff with jitter, as used between reconnection attempts.
#[derive(Debug, Clone)]
pub struct Backoff {
    min_ms: u64,
    max_ms: u64,
    jitter: f64,
    attempts: u32,
    rng: SeededRng,
}

impl Backoff {
    /// A schedule starting at `min`, capped at `max`, with `randomization` in `(0, 1]` (anything
    /// else means no jitter, like backo2), drawing jitter from `seed`.
    pub fn new(min: Duration, max: Duration, randomization: f64, seed: u64) -> Self {
        let jitter = if randomization > 0.0 && randomization <= 1.0 {
            randomization
        } else {
            0.0
        };
        Self {
            min_ms: duration_ms(min),
            max_ms: duration_ms(max),
            jitter,
            attempts: 0,
            rng: SeededRng::new(seed),
        }
    }

    /// How many delays were handed out since the last [`reset`](Self::reset).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Starts the schedule over (after a successful connection, or when the user asks to
    /// reconnect now).
    pub fn reset(&mut self) {
        self.attempts = 0;
    }

    /// The next delay; advances the attempt counter (saturating).
    pub fn next_delay(&mut self) -> Duration {
        let shift = self.attempts.min(63);
        let base = self.min_ms.saturating_mul(1u64 << shift);
        self.attempts = self.attempts.saturating_add(1);
        let mut ms = base;
        if self.jitter > 0.0 {
            let rand = self.rng.next_f64();
            // `base as f64` is exact enough: the result is capped at `max_ms` below.
            let deviation = (rand * self.jitter * base as f64).floor() as u64;
            let up = ((rand * 10.0).floor() as u64) & 1 == 1;
            ms = if up {
                base.saturating_add(deviation)
            } else {
                base.saturating_sub(deviation)
            };
        }
        Duration::from_millis(ms.min(self.max_ms))
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults(seed: u64) -> Backoff {
        Backoff::new(
            Duration::from_millis(1000),
            Duration::from_millis(5000),
            0.5,
            seed,
        )
    }

    #[test]
    fn ranges_match_the_reference_formula() {
        for seed in 0..2_000 {
            let mut b = defaults(seed);
            let d: Vec<u64> = (0..6).map(|_| b.next_delay().as_millis() as u64).collect();
            assert!((501..=1500).contains(&d[0]), "{d:?}");
            assert!((1001..=3000).contains(&d[1]), "{d:?}");
            assert!((2001..=5000).contains(&d[2]), "{d:?}");
            assert!((4001..=5000).contains(&d[3]), "{d:?}");
            assert_eq!(d[4], 5000);
            assert_eq!(d[5], 5000);
        }
    }

    #[test]
    fn without_jitter_the_schedule_is_exact() {
        let mut b = Backoff::new(
            Duration::from_millis(100),
            Duration::from_millis(1000),
            0.0,
            7,
        );
        let d: Vec<u128> = (0..6).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(d, [100, 200, 400, 800, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
    }

    #[test]
    fn two_thousand_attempts_saturate_at_max() {
        let mut b = defaults(42);
        for attempt in 0..2_000u32 {
            let d = b.next_delay();
            assert!(d <= Duration::from_millis(5000));
            if attempt >= 4 {
                assert_eq!(d, Duration::from_millis(5000), "attempt {attempt}");
            }
        }
        assert_eq!(b.attempts(), 2_000);
    }

    #[test]
    fn huge_minimum_does_not_overflow() {
        let mut b = Backoff::new(Duration::MAX, Duration::MAX, 1.0, 1);
        for _ in 0..100 {
            let _ = b.next_delay();
        }
    }

    #[test]
    fn same_seed_same_schedule() {
        let a: Vec<_> = {
            let mut b = defaults(9);
            (0..10).map(|_| b.next_delay()).collect()
        };
        let c: Vec<_> = {
            let mut b = defaults(9);
            (0..10).map(|_| b.next_delay()).collect()
        };
        assert_eq!(a, c);
    }
}
