//! The one error type of this crate. Every variant names the input it is about
//! (the file, the feed field, the previous feed) and says how to fix it.

/// Why a feed could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The file a `.zsync` is made for could not be read.
    #[error("cannot read `{name}` to make its .zsync: {source}")]
    Read {
        /// The file name from the zsync header.
        name: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A feed could not be written to its output.
    #[error("cannot write the {feed} for `{name}`: {source}")]
    Write {
        /// Which feed (".zsync", "latest.json", "appcast").
        feed: &'static str,
        /// The file or feed being written.
        name: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file was not as long as its zsync header says.
    #[error(
        "`{name}` is {actual} bytes long, but its .zsync header says {expected}; pass the length of the file as it is now (it may have changed after the length was taken)"
    )]
    LengthMismatch {
        /// The file name from the zsync header.
        name: String,
        /// The length the header gave.
        expected: u64,
        /// The number of bytes actually read.
        actual: u64,
    },
    /// A value given for a feed cannot be written into it.
    #[error("invalid {field} `{value}` for the {feed}: {reason}")]
    InvalidField {
        /// Which feed (".zsync", "latest.json", "appcast", "Info.plist").
        feed: &'static str,
        /// The field, e.g. "block size", "url of linux-x86_64".
        field: String,
        /// The offending value (shortened; never a secret).
        value: String,
        /// What is wrong, and the fix.
        reason: String,
    },
    /// The previous feed given to prepend to is not a Sparkle appcast.
    #[error(
        "`{name}` is not a Sparkle appcast: {reason}; pass the appcast.xml of the previous release (RSS 2.0: <rss><channel><item>…)"
    )]
    NotAnAppcast {
        /// The previous feed's name as the caller gave it.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The previous appcast already has an item for the version being added.
    #[error(
        "`{name}` already lists sparkle:version {version}; pass the appcast of the release before this one, or raise the version (CFBundleVersion)"
    )]
    DuplicateRelease {
        /// The previous feed's name.
        name: String,
        /// The version found twice.
        version: String,
    },
}

impl FeedError {
    /// An [`FeedError::InvalidField`] with `value` shortened to a readable length.
    pub(crate) fn invalid(
        feed: &'static str,
        field: impl Into<String>,
        value: &str,
        reason: impl Into<String>,
    ) -> FeedError {
        const MAX: usize = 80;
        let value = match value.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}…", &value[..cut]),
            None => value.to_owned(),
        };
        FeedError::InvalidField {
            feed,
            field: field.into(),
            value: value.escape_debug().to_string(),
            reason: reason.into(),
        }
    }
}
