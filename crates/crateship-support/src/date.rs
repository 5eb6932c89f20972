//! The calendar forms of a release timestamp (`SOURCE_DATE_EPOCH`, seconds since
//! 1970, UTC) that formats store, through the `time` crate.
//!
//! Timestamps outside what `time` represents (years before -9999 or after 9999)
//! are clamped to its range; callers validate the epoch before writing anything.

use time::OffsetDateTime;
use time::format_description::well_known::{Rfc2822, Rfc3339};

/// The UTC date-time of `secs`.
pub fn utc(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 {
        time::PrimitiveDateTime::MIN.assume_utc()
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    })
}

/// `2026-11-23T12:00:00Z`.
pub fn rfc3339(secs: i64) -> String {
    utc(secs)
        .format(&Rfc3339)
        .unwrap_or_else(|_| secs.to_string())
}

/// `Mon, 23 Nov 2026 12:00:00 +0000` (Debian changelogs, RSS).
pub fn rfc2822(secs: i64) -> String {
    utc(secs)
        .format(&Rfc2822)
        .unwrap_or_else(|_| secs.to_string())
}

/// `20261123T120000Z`: ISO 8601's basic format (AWS SigV4's `x-amz-date`).
pub fn iso8601_basic(secs: i64) -> String {
    let t = utc(secs);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `2026-11-23`.
pub fn iso_date(secs: i64) -> String {
    let t = utc(secs);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The year, e.g. for copyright lines.
pub fn year(secs: i64) -> i32 {
    utc(secs).year()
}

/// MS-DOS date and time (as zip and cabinet members store them): `(date, time)`
/// with two-second resolution, clamped to 1980..=2107.
pub fn dos_datetime(secs: i64) -> (u16, u16) {
    let t = utc(secs);
    if t.year() < 1980 {
        return (1 << 5 | 1, 0);
    }
    if t.year() > 2107 {
        return ((127 << 9) | (12 << 5) | 31, (23 << 11) | (59 << 5) | 29);
    }
    let date =
        (((t.year() - 1980) as u16) << 9) | ((u8::from(t.month()) as u16) << 5) | t.day() as u16;
    let time = ((t.hour() as u16) << 11) | ((t.minute() as u16) << 5) | (t.second() as u16 / 2);
    (date, time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates_format_as_the_formats_expect() {
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(iso_date(1_700_000_000), "2023-11-14");
        assert_eq!(year(1_700_000_000), 2023);
        assert_eq!(iso8601_basic(0), "19700101T000000Z");
        assert_eq!(iso8601_basic(951_782_400), "20000229T000000Z");
        assert_eq!(iso8601_basic(4_102_444_799), "20991231T235959Z");
    }

    #[test]
    fn dos_dates_have_two_second_resolution_and_clamp() {
        // 2023-11-14 22:13:20
        assert_eq!(
            dos_datetime(1_700_000_000),
            ((43 << 9) | (11 << 5) | 14, (22 << 11) | (13 << 5) | 10)
        );
        assert_eq!(dos_datetime(0), (1 << 5 | 1, 0));
    }
}
