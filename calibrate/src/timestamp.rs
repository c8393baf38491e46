//! Timestamps as CloudWatch writes them, read into milliseconds since the Unix epoch.
//!
//! ISO 8601 with `T` or a space between date and time (`2026-11-02T10:00:01.123Z`,
//! `2026-11-02 10:00:01.123`, `2026-11-02T10:00:01.123000+00:00`), with or without a zone
//! (none means UTC), or a bare number of milliseconds since the epoch.

/// Milliseconds since the Unix epoch, when `text` is a timestamp.
pub fn parse_ms(text: &str) -> Option<i64> {
    let t = text.trim().trim_matches('"');
    if !t.is_empty() && t.len() <= 16 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    let b = t.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = t.get(from..from + len)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &t[start..i];
        if frac.is_empty() {
            return None;
        }
        // Milliseconds: the first three digits, padded.
        let mut ms = 0i64;
        for k in 0..3 {
            ms = ms * 10 + frac.as_bytes().get(k).map_or(0, |d| i64::from(d - b'0'));
        }
        millis = ms;
    }
    let offset_min = match &t[i..] {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let h: i64 = digits[..2].parse().ok()?;
            let m: i64 = digits[2..].parse().ok()?;
            sign * (h * 60 + m)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_min * 60;
    Some(seconds * 1_000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date and time of `ms` since the epoch as `2026-11-02T10:00:01.123Z`.
pub fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1_000 % 60,
        in_day % 1_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_cloudwatch_writes() {
        let t = 1_793_613_601_123; // 2026-11-02T10:00:01.123Z
        assert_eq!(parse_ms("2026-11-02T10:00:01.123Z"), Some(t));
        assert_eq!(parse_ms("2026-11-02 10:00:01.123"), Some(t));
        assert_eq!(parse_ms("2026-11-02T10:00:01.123000+00:00"), Some(t));
        assert_eq!(parse_ms("2026-11-02T11:00:01.123+01:00"), Some(t));
        assert_eq!(parse_ms("2026-11-02T10:00:01Z"), Some(t - 123));
        assert_eq!(parse_ms("1793613601123"), Some(t));
        assert_eq!(format_ms(t), "2026-11-02T10:00:01.123Z");
        assert_eq!(format_ms(0), "1970-01-01T00:00:00.000Z");
        for bad in [
            "",
            "2026-13-02T10:00:01Z",
            "2026-11-02X10:00:01",
            "2026/11/02/[$LATEST]abc",
            "2026-11-02T10:00:01.Z",
            "2026-11-02T10:00:01+1",
        ] {
            assert_eq!(parse_ms(bad), None, "{bad}");
        }
    }
}
