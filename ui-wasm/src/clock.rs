//! Calendar arithmetic and the time zone offset, pure and unit-tested.

/// A wall-clock moment broken into fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u32,
}

const DAY_MS: i64 = 86_400_000;

/// Splits milliseconds since the epoch (already shifted to local time).
pub fn civil(ms: i64) -> Civil {
    let days = ms.div_euclid(DAY_MS);
    let in_day = ms.rem_euclid(DAY_MS) / 1000;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (in_day / 3600) as u32,
        minute: (in_day / 60 % 60) as u32,
        second: (in_day % 60) as u32,
        // 1970-01-01 was a Thursday.
        weekday: (days + 3).rem_euclid(7) as u32,
    }
}

/// A duration as `mm:ss`, or `h:mm:ss` from one hour on.
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Fluent id of a weekday name (0 = Monday).
pub fn weekday_id(weekday: u32) -> &'static str {
    match weekday {
        0 => "phone-weekday-mon",
        1 => "phone-weekday-tue",
        2 => "phone-weekday-wed",
        3 => "phone-weekday-thu",
        4 => "phone-weekday-fri",
        5 => "phone-weekday-sat",
        _ => "phone-weekday-sun",
    }
}

/// Fluent id of a month name (1 = January).
pub fn month_id(month: u32) -> &'static str {
    match month {
        1 => "phone-month-jan",
        2 => "phone-month-feb",
        3 => "phone-month-mar",
        4 => "phone-month-apr",
        5 => "phone-month-may",
        6 => "phone-month-jun",
        7 => "phone-month-jul",
        8 => "phone-month-aug",
        9 => "phone-month-sep",
        10 => "phone-month-oct",
        11 => "phone-month-nov",
        _ => "phone-month-dec",
    }
}

/// Offset of time zone `zone` (an IANA name such as `Europe/Berlin`, or
/// `UTC`) from UTC at `utc_ms`, in ms. Unknown zones count as UTC.
///
/// jiff with its compiled-in time-zone database answers this the same way in
/// the browser and in the display engine, whatever zone data the machine has.
pub fn zone_offset_ms(zone: &str, utc_ms: i64) -> i64 {
    let zone = zone.trim();
    if zone.is_empty() || zone.eq_ignore_ascii_case("UTC") {
        return 0;
    }
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else {
        return 0;
    };
    let Ok(at) = jiff::Timestamp::from_millisecond(utc_ms) else {
        return 0;
    };
    i64::from(tz.to_offset(at).seconds()) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of [`civil`]).
    fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    #[test]
    fn calendar_round_trips() {
        // 2025-11-26 10:09:05 UTC, a Wednesday.
        let c = civil(1_764_151_745_000);
        assert_eq!(
            c,
            Civil {
                year: 2025,
                month: 11,
                day: 26,
                hour: 10,
                minute: 9,
                second: 5,
                weekday: 2
            }
        );
        assert_eq!(civil(0).weekday, 3);
        assert_eq!(civil(-1).year, 1969);
        for days in [-800_000, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            let c = civil(days * DAY_MS);
            assert_eq!(days_from_civil(c.year, c.month, c.day), days);
        }
        let leap = civil(days_from_civil(2024, 2, 29) * DAY_MS);
        assert_eq!((leap.month, leap.day), (2, 29));
    }

    #[test]
    fn zone_offsets_from_the_bundled_database() {
        // 2025-11-26 10:09:05 UTC: winter in Berlin (+1 h), summer in Sydney (+11 h).
        let utc = 1_764_151_745_123;
        assert_eq!(zone_offset_ms("Europe/Berlin", utc), 3_600_000);
        assert_eq!(zone_offset_ms("Australia/Sydney", utc), 11 * 3_600_000);
        assert_eq!(zone_offset_ms("Asia/Kolkata", utc), 19_800_000);
        assert_eq!(zone_offset_ms("America/New_York", utc), -5 * 3_600_000);
        // 2025-07-01 12:00 UTC: summer time in Berlin and New York.
        let july = 1_751_371_200_000;
        assert_eq!(zone_offset_ms("Europe/Berlin", july), 2 * 3_600_000);
        assert_eq!(zone_offset_ms("America/New_York", july), -4 * 3_600_000);
        assert_eq!(zone_offset_ms("UTC", utc), 0);
        assert_eq!(zone_offset_ms("", utc), 0);
        assert_eq!(zone_offset_ms("Not/AZone", utc), 0);
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0), "00:00");
        assert_eq!(duration(65_999), "01:05");
        assert_eq!(duration(3_599_000), "59:59");
        assert_eq!(duration(3_600_000), "1:00:00");
        assert_eq!(duration(37_230_000), "10:20:30");
    }

    #[test]
    fn name_ids() {
        assert_eq!(weekday_id(civil(0).weekday), "phone-weekday-thu");
        assert_eq!(month_id(civil(0).month), "phone-month-jan");
    }
}
