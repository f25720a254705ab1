//! The SIP core's random source: tags, Call-IDs, branches (RFC 3261 §19.3: tags and
//! Call-IDs must be globally unique and should be unguessable; §8.1.1.7: branches unique
//! across space and time) and Digest cnonces (RFC 7616 §3.4) come from ChaCha20, a
//! cryptographically secure generator, seeded from the operating system unless the
//! configuration fixes the seed ([`UaConfig::rng_seed`](crate::UaConfig::rng_seed)) so a
//! test sees the same messages on every run.

use std::fmt;
use std::ops::Range;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

const ALPHANUMERIC: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(crate) struct Random(ChaCha20Rng);

impl Random {
    /// Seeded from the operating system (getrandom). Without an entropy source a phone
    /// cannot make unguessable identifiers at all, so that is the one case this panics.
    pub(crate) fn from_os() -> Self {
        Random(ChaCha20Rng::from_os_rng())
    }

    /// The same sequence for the same seed: for tests and reproducible runs.
    pub(crate) fn seeded(seed: u64) -> Self {
        Random(ChaCha20Rng::seed_from_u64(seed))
    }

    pub(crate) fn new(seed: Option<u64>) -> Self {
        seed.map_or_else(Random::from_os, Random::seeded)
    }

    /// A letter or digit, each of the 62 equally likely (bytes from 248 up are drawn
    /// again, so there is no modulo bias).
    pub(crate) fn alphanumeric(&mut self) -> char {
        loop {
            let mut b = [0u8; 1];
            self.0.fill_bytes(&mut b);
            if b[0] < 248 {
                return char::from(ALPHANUMERIC[usize::from(b[0] % 62)]);
            }
        }
    }

    /// A number in `range`, uniformly (rejection sampling); `range.start` when empty.
    pub(crate) fn u32(&mut self, range: Range<u32>) -> u32 {
        let span = range.end.saturating_sub(range.start);
        if span == 0 {
            return range.start;
        }
        // The largest multiple of `span` that fits; draws at or above it are repeated.
        let zone = u32::MAX - (u32::MAX - span + 1) % span;
        loop {
            let v = self.0.next_u32();
            if v <= zone {
                return range.start + v % span;
            }
        }
    }
}

// The generator's state would let anyone predict every tag and cnonce: never print it.
impl fmt::Debug for Random {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Random(ChaCha20)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_repeats_its_sequence_and_different_seeds_differ() {
        let draw = |r: &mut Random| (0..32).map(|_| r.alphanumeric()).collect::<String>();
        assert_eq!(draw(&mut Random::seeded(5)), draw(&mut Random::seeded(5)));
        assert_ne!(draw(&mut Random::seeded(5)), draw(&mut Random::seeded(6)));
        assert_ne!(draw(&mut Random::from_os()), draw(&mut Random::from_os()));
    }

    #[test]
    fn draws_stay_in_range_and_cover_it() {
        let mut r = Random::seeded(1);
        let mut seen = [false; 10];
        for _ in 0..1000 {
            let v = r.u32(10..20);
            assert!((10..20).contains(&v));
            seen[(v - 10) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(r.u32(7..7), 7);
        let chars: std::collections::BTreeSet<char> = (0..5000).map(|_| r.alphanumeric()).collect();
        assert_eq!(chars.len(), 62);
    }

    #[test]
    fn debug_hides_the_state() {
        assert_eq!(format!("{:?}", Random::seeded(1)), "Random(ChaCha20)");
    }
}
