//! The one error type of this crate: every variant names the input it concerns and
//! says how to fix it.

use std::path::PathBuf;

/// What went wrong while computing a dependency set or writing an SBOM, an auditable
/// object or a provenance statement.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The `cargo metadata` JSON did not parse.
    #[error(
        "the `cargo metadata` output does not parse ({source}); pass the stdout of \
         `cargo metadata --format-version 1 --filter-platform <triple>`"
    )]
    MetadataJson {
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// The metadata has no `resolve` graph (it was made with `--no-deps`).
    #[error(
        "the `cargo metadata` output has no `resolve` graph; run it without `--no-deps` \
         (and with `--filter-platform {target}`)"
    )]
    NoResolve {
        /// The target the set was asked for.
        target: String,
    },
    /// The root package is not a member of the workspace the metadata describes.
    #[error(
        "package `{package}` is not a workspace member of this `cargo metadata` output; \
         members: {members}"
    )]
    UnknownPackage {
        /// The package name asked for.
        package: String,
        /// The workspace members, comma-separated.
        members: String,
    },
    /// The resolve graph names a package id that `packages` does not list.
    #[error(
        "the `cargo metadata` resolve graph names `{id}`, which is not in its `packages`; \
         regenerate the metadata with the same cargo that built the lockfile"
    )]
    DanglingPackageId {
        /// The package id.
        id: String,
    },
    /// `Cargo.lock` did not parse as TOML.
    #[error("Cargo.lock does not parse ({source}); pass the text of the workspace's Cargo.lock")]
    LockToml {
        /// The parser's complaint.
        #[source]
        source: toml::de::Error,
    },
    /// A `Cargo.lock` checksum is not 64 hexadecimal digits.
    #[error(
        "Cargo.lock gives `{name} {version}` the checksum `{checksum}`, which is not a \
         SHA-256 in hex; regenerate the lockfile with `cargo generate-lockfile`"
    )]
    LockChecksum {
        /// The crate name.
        name: String,
        /// The crate version.
        version: String,
        /// The checksum text found.
        checksum: String,
    },
    /// An artifact digest is not a SHA-256 in hex.
    #[error("the SHA-256 given for `{artifact}` is `{digest}`, not 64 hexadecimal digits")]
    ArtifactDigest {
        /// The artifact's file name.
        artifact: String,
        /// The digest text given.
        digest: String,
    },
    /// A document could not be serialised (a bug: every field is plain text).
    #[error("cannot serialise the {document} document: {source}")]
    Serialize {
        /// Which document, e.g. `CycloneDX`.
        document: &'static str,
        /// The serialiser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A provenance statement needs at least one subject.
    #[error("a provenance statement needs at least one artifact; none were given")]
    NoSubjects,
    /// Auditable objects are written for x86_64 and aarch64 ELF, COFF and Mach-O only.
    #[error(
        "cannot write an auditable dependency section for target `{target}`: only x86_64 \
         and aarch64 Linux, Windows and macOS targets are supported; set `auditable = false` \
         for this target"
    )]
    UnsupportedTarget {
        /// The target triple.
        target: String,
    },
    /// The `object` crate refused to write the auditable object file.
    #[error("cannot write the auditable object file for `{target}`: {reason}")]
    ObjectWrite {
        /// The target triple.
        target: String,
        /// The writer's message.
        reason: String,
    },
    /// The linker is handed the object by path inside `CARGO_ENCODED_RUSTFLAGS`, which
    /// only carries UTF-8.
    #[error(
        "the auditable object path {} is not UTF-8 and cannot go into \
         CARGO_ENCODED_RUSTFLAGS; use a target directory with a UTF-8 path",
        path.display()
    )]
    NonUtf8Path {
        /// The object file's path.
        path: PathBuf,
    },
    /// The caller's signer failed to sign the DSSE envelope.
    #[error("signing the provenance envelope failed: {source}")]
    Signing {
        /// The signer's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
