//! The one error type of this crate. Every variant names the input it is about (a
//! package, a directory, a setting) and says how to fix it; none carries key material.

use std::path::PathBuf;

use crateship_support::IoError;

/// Why a repository could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// Reading an input or writing an output failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A file given as a .deb is not a Debian binary package.
    #[error("{}: not a Debian package ({reason}); pass a .deb built by dpkg-deb or crateship", path.display())]
    NotADeb {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A .deb has no `control.tar*` member, or that member has no `control` file.
    #[error(
        "{}: the .deb has no control data ({reason}); rebuild it with dpkg-deb or crateship (it needs a control.tar.xz, .gz, .zst or plain control.tar member holding ./control)",
        path.display()
    )]
    NoControl {
        /// The file.
        path: PathBuf,
        /// What was looked for.
        reason: String,
    },
    /// A .deb's `control` file cannot be published as it is.
    #[error("{}: the package's control file {reason}; fix the package metadata and rebuild the .deb", path.display())]
    BadControl {
        /// The file.
        path: PathBuf,
        /// What is wrong, e.g. "has no Version field".
        reason: String,
    },
    /// A file given as an rpm is not a binary rpm package.
    #[error("{}: not a binary rpm package ({reason}); pass a .rpm built by rpmbuild or crateship", path.display())]
    NotAnRpm {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The previous repository to merge is not one.
    #[error(
        "{}: not a previous {kind} repository ({reason}); pass the repository directory of an earlier release (the one holding {marker}), or merge nothing",
        path.display()
    )]
    NotARepository {
        /// The directory given.
        path: PathBuf,
        /// `apt` or `rpm`.
        kind: &'static str,
        /// What identifies one, e.g. `dists/ and pool/`.
        marker: &'static str,
        /// What is missing.
        reason: String,
    },
    /// Two inputs of this release are the same package version.
    #[error(
        "{} and {} are both {package}; pass only one of them",
        first.display(),
        second.display()
    )]
    Duplicate {
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
        /// Name, version and architecture.
        package: String,
    },
    /// There is nothing to publish.
    #[error(
        "no {kind} packages to publish: pass at least one, or a previous repository that has some"
    )]
    NoPackages {
        /// `.deb` or `.rpm`.
        kind: &'static str,
    },
    /// A repository setting cannot be used.
    #[error("repository setting `{key}` = {value:?} {reason}")]
    BadConfig {
        /// The setting, as named in the config structs.
        key: &'static str,
        /// Its value.
        value: String,
        /// Why, and what to use instead.
        reason: String,
    },
    /// The release time cannot be an OpenPGP signature time.
    #[error(
        "SOURCE_DATE_EPOCH {epoch} cannot date an OpenPGP signature; set it to seconds since 1970 between 0 and 4294967295"
    )]
    BadEpoch {
        /// The value given.
        epoch: i64,
    },
    /// Signing a repository index failed.
    #[error("cannot sign {}: {source}", path.display())]
    Sign {
        /// The index being signed.
        path: PathBuf,
        /// Why (never shows the key or passphrase).
        #[source]
        source: crateship_sign::SignError,
    },
}
