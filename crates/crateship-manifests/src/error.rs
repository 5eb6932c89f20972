//! The one error type of this crate. Every variant names the input it is about
//! (the release field, the artifact, the channel) and says how to fix it.

/// Why a channel's files could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A channel needs an artifact the release does not have.
    #[error("the {channel} channel needs {needs}, but the release has none; {fix}")]
    MissingArtifact {
        /// The channel (`aur`, `winget`, `scoop`, `homebrew`, `install.sh`).
        channel: &'static str,
        /// What it needs, e.g. "a Linux tar.gz".
        needs: String,
        /// How to get one, or how to turn the channel off.
        fix: String,
    },
    /// Two artifacts compete for the same place in a channel.
    #[error(
        "the {channel} channel has two artifacts for {slot}: `{first}` and `{second}`; build only one of them (drop a target or a format) or turn the channel off"
    )]
    DuplicateArtifact {
        /// The channel.
        channel: &'static str,
        /// The place they compete for, e.g. "Linux x86_64 gnu tar.gz".
        slot: String,
        /// The first artifact's file name.
        first: String,
        /// The second artifact's file name.
        second: String,
    },
    /// A release value cannot be written into a channel's format.
    #[error("invalid {field} `{value}`{}: {reason}", channel_suffix(.channel))]
    Invalid {
        /// The channel whose format refuses it, if only one does.
        channel: Option<&'static str>,
        /// The release field, e.g. "base-url", "version", "artifact sha256".
        field: String,
        /// The offending value (shortened; never a secret).
        value: String,
        /// What is wrong, and the fix.
        reason: String,
    },
    /// A channel file could not be written.
    #[error("cannot write a channel file: {source}")]
    Write {
        /// What failed, with the path.
        #[source]
        source: crateship_support::IoError,
    },
}

fn channel_suffix(channel: &Option<&'static str>) -> String {
    match channel {
        Some(channel) => format!(" for the {channel} channel"),
        None => String::new(),
    }
}

impl ManifestError {
    /// An [`ManifestError::Invalid`] with `value` shortened to a readable length.
    pub(crate) fn invalid(
        channel: Option<&'static str>,
        field: impl Into<String>,
        value: &str,
        reason: impl Into<String>,
    ) -> ManifestError {
        const MAX: usize = 80;
        let value = match value.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}…", &value[..cut]),
            None => value.to_owned(),
        };
        ManifestError::Invalid {
            channel,
            field: field.into(),
            value: value.escape_debug().to_string(),
            reason: reason.into(),
        }
    }
}
