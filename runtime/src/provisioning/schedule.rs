//! When polling fetches the settings next (P4): pure, time in, time out.

use std::time::Duration;

/// The shortest polling period: polling more often would be load on the server, not
/// provisioning.
pub const MIN_PERIOD_S: u64 = 10;

/// How the provisioning server is polled (`prov_polling_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Polling {
    Off,
    /// `prov_polling_mode` = `rel`: every `period` after the last run.
    Every(Duration),
    /// `prov_polling_mode` = `abs`: daily at `hour:minute` in the phone's time zone.
    DailyAt {
        hour: i8,
        minute: i8,
        zone: String,
    },
}

impl Polling {
    /// Reads the settings' values: enabled, mode, period in seconds, `HH:MM`, time zone.
    pub fn from_settings(
        enabled: bool,
        mode: &str,
        period_s: u64,
        time: &str,
        zone: &str,
    ) -> Polling {
        if !enabled {
            return Polling::Off;
        }
        if mode == "abs" {
            let parsed = time.split_once(':').and_then(|(h, m)| {
                let (h, m) = (h.trim().parse::<i8>().ok()?, m.trim().parse::<i8>().ok()?);
                ((0..24).contains(&h) && (0..60).contains(&m)).then_some((h, m))
            });
            if let Some((hour, minute)) = parsed {
                return Polling::DailyAt {
                    hour,
                    minute,
                    zone: zone.to_owned(),
                };
            }
        }
        Polling::Every(Duration::from_secs(period_s.max(MIN_PERIOD_S)))
    }

    /// The next poll after `now_ms` (milliseconds since the Unix epoch), given the last
    /// run's end; `None` when polling is off.
    pub fn next_after(&self, now_ms: u64, last_run_ms: u64) -> Option<u64> {
        match self {
            Polling::Off => None,
            Polling::Every(period) => {
                let next = last_run_ms.saturating_add(period.as_millis() as u64);
                Some(next.max(now_ms))
            }
            Polling::DailyAt { hour, minute, zone } => {
                let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
                let now = jiff::Timestamp::from_millisecond(now_ms as i64).ok()?;
                let local = now.to_zoned(tz.clone());
                let today = local
                    .date()
                    .at(*hour, *minute, 0, 0)
                    .to_zoned(tz.clone())
                    .ok()?;
                let next = if today.timestamp() > now {
                    today
                } else {
                    local
                        .date()
                        .tomorrow()
                        .ok()?
                        .at(*hour, *minute, 0, 0)
                        .to_zoned(tz)
                        .ok()?
                };
                u64::try_from(next.timestamp().as_millisecond()).ok()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3_600_000;

    #[test]
    fn relative_polling_counts_from_the_last_run() {
        let p = Polling::from_settings(true, "rel", 3600, "", "UTC");
        assert_eq!(p.next_after(10, 0), Some(HOUR));
        assert_eq!(p.next_after(2 * HOUR, HOUR / 2), Some(2 * HOUR));
        assert_eq!(
            Polling::from_settings(true, "rel", 1, "", "UTC"),
            Polling::Every(Duration::from_secs(MIN_PERIOD_S))
        );
        assert_eq!(
            Polling::from_settings(false, "rel", 3600, "", "UTC").next_after(0, 0),
            None
        );
    }

    #[test]
    fn absolute_polling_is_daily_in_the_phone_time_zone() {
        // 2026-12-02 10:00 UTC is 11:00 in Berlin (CET, +1).
        let now: u64 = 1_796_205_600_000;
        let p = Polling::from_settings(true, "abs", 0, "12:30", "Europe/Berlin");
        assert_eq!(p.next_after(now, 0), Some(now + 2 * HOUR + HOUR / 2 - HOUR));
        // Past today's time: tomorrow.
        let p = Polling::from_settings(true, "abs", 0, "03:00", "Europe/Berlin");
        assert_eq!(p.next_after(now, 0), Some(now + 16 * HOUR));
        // A broken time falls back to the period.
        assert_eq!(
            Polling::from_settings(true, "abs", 600, "25:00", "UTC"),
            Polling::Every(Duration::from_secs(600))
        );
    }
}
