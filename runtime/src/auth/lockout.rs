//! Brute-force protection: ten wrong passwords in a row from one address lock that
//! address out for a time that doubles with every further lock (30 s, 60 s, … capped at
//! 15 min). A correct password ends the streak. While locked, even the right password is
//! refused, so guessing gets nothing from the answer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords in a row that lock an address.
pub const MAX_FAILURES: u32 = 10;
/// The first lock; each further one doubles it.
pub const FIRST_LOCK: Duration = Duration::from_secs(30);
pub const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Addresses remembered at most; beyond it, those not locked are forgotten first.
const MAX_ENTRIES: usize = 4096;

#[derive(Debug, Default, Clone, Copy)]
struct Entry {
    failures: u32,
    /// How many times this address was locked since its last success.
    locks: u32,
    locked_until: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct Lockout {
    entries: Mutex<HashMap<IpAddr, Entry>>,
}

impl Lockout {
    /// `Err(wait)` while `ip` is locked out.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(&ip).and_then(|e| e.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Counts a wrong password; returns the lock's length when this one locked `ip`.
    pub fn failure(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&ip) {
            entries.retain(|_, e| e.locked_until.is_some_and(|u| u > now));
        }
        let entry = entries.entry(ip).or_default();
        entry.failures += 1;
        if entry.failures < MAX_FAILURES {
            return None;
        }
        entry.failures = 0;
        entry.locks += 1;
        let length = FIRST_LOCK
            .saturating_mul(1 << (entry.locks - 1).min(10))
            .min(MAX_LOCK);
        entry.locked_until = Some(now + length);
        Some(length)
    }

    /// A correct password: the streak and the lock history of `ip` end.
    pub fn success(&self, ip: IpAddr) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_lock_for_a_doubling_time_and_success_resets() {
        let lockout = Lockout::default();
        let ip: IpAddr = [192, 0, 2, 1].into();
        let other: IpAddr = [192, 0, 2, 2].into();
        let t0 = Instant::now();
        for _ in 0..9 {
            assert_eq!(lockout.failure(ip, t0), None);
        }
        assert!(lockout.check(ip, t0).is_ok());
        assert_eq!(lockout.failure(ip, t0), Some(FIRST_LOCK));
        assert_eq!(lockout.check(ip, t0), Err(FIRST_LOCK));
        assert!(lockout.check(other, t0).is_ok());
        let t1 = t0 + FIRST_LOCK;
        assert!(lockout.check(ip, t1).is_ok());
        for _ in 0..9 {
            lockout.failure(ip, t1);
        }
        assert_eq!(lockout.failure(ip, t1), Some(FIRST_LOCK * 2));
        lockout.success(ip);
        assert!(lockout.check(ip, t1).is_ok());
        for _ in 0..9 {
            lockout.failure(ip, t1);
        }
        assert_eq!(lockout.failure(ip, t1), Some(FIRST_LOCK));
    }

    #[test]
    fn the_lock_is_capped() {
        let lockout = Lockout::default();
        let ip: IpAddr = [192, 0, 2, 1].into();
        let mut now = Instant::now();
        let mut last = Duration::ZERO;
        for _ in 0..20 {
            for _ in 0..MAX_FAILURES {
                if let Some(l) = lockout.failure(ip, now) {
                    last = l;
                }
            }
            now += last;
        }
        assert_eq!(last, MAX_LOCK);
    }
}
