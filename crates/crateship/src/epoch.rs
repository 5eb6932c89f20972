//! `SOURCE_DATE_EPOCH`: the one timestamp every artifact carries.

use serde::Serialize;

use crate::error::{Error, Result};

/// Fallback epoch when there is neither `SOURCE_DATE_EPOCH` nor a git commit:
/// 1980-01-01T00:00:00Z, the earliest time a zip entry can hold.
pub const FALLBACK_EPOCH: i64 = 315_532_800;

/// Where the build timestamp came from, reported in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EpochSource {
    /// The `SOURCE_DATE_EPOCH` environment variable.
    Environment,
    /// The committer time of the last git commit.
    GitCommit,
    /// Neither was available: [`FALLBACK_EPOCH`].
    Fallback,
}

/// Chooses the timestamp: `SOURCE_DATE_EPOCH` if set, else the commit time, else the fallback.
pub fn resolve(env_value: Option<&str>, commit_time: Option<i64>) -> Result<(i64, EpochSource)> {
    match env_value {
        Some(raw) => {
            let secs: i64 = raw.trim().parse().ok().filter(|s| *s >= FALLBACK_EPOCH).ok_or_else(|| {
                Error::requirement(
                    format!(
                        "SOURCE_DATE_EPOCH=`{raw}` is not a number of seconds since 1970 (at least {FALLBACK_EPOCH}, 1980-01-01)"
                    ),
                    "set it to e.g. `$(git log -1 --format=%ct)` or unset it",
                )
            })?;
            Ok((secs, EpochSource::Environment))
        }
        None => Ok(match commit_time {
            Some(t) if t >= FALLBACK_EPOCH => (t, EpochSource::GitCommit),
            _ => (FALLBACK_EPOCH, EpochSource::Fallback),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_then_commit_then_fallback() {
        assert_eq!(
            resolve(Some("1700000000"), Some(1_600_000_000)).unwrap(),
            (1_700_000_000, EpochSource::Environment)
        );
        assert_eq!(
            resolve(None, Some(1_600_000_000)).unwrap(),
            (1_600_000_000, EpochSource::GitCommit)
        );
        assert_eq!(
            resolve(None, None).unwrap(),
            (FALLBACK_EPOCH, EpochSource::Fallback)
        );
    }

    #[test]
    fn non_numeric_epoch_is_a_clear_error() {
        let err = resolve(Some("yesterday"), None).unwrap_err().to_string();
        assert!(err.contains("SOURCE_DATE_EPOCH=`yesterday`"), "{err}");
    }
}
