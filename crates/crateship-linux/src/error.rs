//! The one error type of this crate: every variant names the offending input
//! (a path, a field, a value) and says how to fix it.

use std::path::PathBuf;

/// Everything that can go wrong while generating Linux packages and metadata.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinuxError {
    /// A source file could not be read.
    #[error(
        "cannot read `{path}` (packaged as `{dest}`): {source}; check that the file exists and is readable"
    )]
    ReadSource {
        /// The source path on disk.
        path: PathBuf,
        /// Where the file goes inside the package.
        dest: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Writing the package (or its temporary spool file) failed.
    #[error(
        "cannot write the {format} package ({what}): {source}; check free space in the output and temp directories"
    )]
    Write {
        /// `deb` or `rpm`.
        format: &'static str,
        /// Which part was being written.
        what: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Creating or publishing an output file failed (names the file).
    #[error("{0}; check free space and permissions in the output directory")]
    Output(#[from] crateship_support::IoError),
    /// A package field has a value the target format cannot express.
    #[error("invalid {field} `{value}`: {reason}")]
    InvalidField {
        /// The field name (e.g. `name`, `version`).
        field: &'static str,
        /// The offending value.
        value: String,
        /// Why it is rejected and how to fix it.
        reason: String,
    },
    /// A destination path inside the package is not acceptable.
    #[error("invalid destination `{dest}` in the package: {reason}")]
    InvalidDest {
        /// The destination as given.
        dest: String,
        /// Why it is rejected and how to fix it.
        reason: String,
    },
    /// Two files were given the same destination.
    #[error("two files are packaged as `{dest}`; give each file its own destination")]
    DuplicateDest {
        /// The destination given twice.
        dest: String,
    },
    /// An ELF file was built for another architecture than the package's.
    #[error(
        "`{path}` (packaged as `{dest}`) is an ELF file for {found}, but the package is for {expected}; build the binary for the package's target or package it for the matching architecture"
    )]
    WrongArchitecture {
        /// The source path on disk.
        path: PathBuf,
        /// Where the file goes inside the package.
        dest: String,
        /// Machine found in the ELF header.
        found: String,
        /// Machine the package targets.
        expected: String,
    },
    /// An ELF file could not be parsed to read its shared-library dependencies.
    #[error(
        "cannot parse ELF file `{path}` to read its shared-library dependencies: {reason}; is the file truncated or corrupt?"
    )]
    Elf {
        /// The source path on disk.
        path: PathBuf,
        /// What the parser reported.
        reason: String,
    },
    /// A text template cannot be filled (e.g. an unknown placeholder).
    #[error(transparent)]
    Template(#[from] crateship_template::TemplateError),
    /// A filled template is not a valid file of its kind (a `.desktop` line
    /// that is no group, key or comment; metainfo that is not well-formed XML).
    #[error("template `{template}`: {reason}")]
    TemplateSyntax {
        /// The template's name or path.
        template: String,
        /// What is wrong, where, and how to fix it.
        reason: String,
    },
    /// Desktop metadata is missing something the specifications require.
    #[error("desktop metadata: {field} {reason}")]
    InvalidDesktop {
        /// The field (e.g. `categories`).
        field: &'static str,
        /// Why it is rejected and how to fix it.
        reason: String,
    },
    /// The rpm library rejected the package.
    #[error("building the rpm failed: {0}; check the package fields and file destinations")]
    Rpm(String),
}
