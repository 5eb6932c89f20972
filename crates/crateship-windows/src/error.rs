//! The one error type of this crate: every variant names the offending input and the fix.

use std::io;
use std::path::PathBuf;

/// Why an MSI could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MsiError {
    /// The version is not `major.minor.patch`.
    #[error(
        "version `{version}` cannot be an MSI ProductVersion: {reason}; use `major.minor.patch`, e.g. `1.2.3`"
    )]
    InvalidVersion {
        /// The version as given.
        version: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The version has a pre-release part, which Windows Installer cannot order.
    #[error(
        "version `{version}` is a pre-release; Windows Installer compares only numbers, so `-{pre}` would be lost and the build would not upgrade correctly: release it as a plain `major.minor.patch`"
    )]
    PreRelease {
        /// The version as given.
        version: String,
        /// The pre-release part.
        pre: String,
    },
    /// One field of the version exceeds what ProductVersion can hold.
    #[error(
        "version `{version}`: {field} is {value}, but an MSI ProductVersion allows at most {max} there (major ≤ 255, minor ≤ 255, patch ≤ 65535); choose a smaller version"
    )]
    VersionOutOfRange {
        /// The version as given.
        version: String,
        /// `major`, `minor` or `patch`.
        field: &'static str,
        /// The value found.
        value: u64,
        /// The largest allowed value.
        max: u32,
    },
    /// The configured UpgradeCode is not a GUID.
    #[error(
        "upgrade code `{value}` is not a GUID; set `upgrade-code` to a GUID such as `6f1c0a4e-3e1a-4f43-9a51-7b0b1b7b3f10` (keep it stable across versions), or remove it to derive one from the identifier"
    )]
    InvalidUpgradeCode {
        /// The value as given.
        value: String,
    },
    /// A name that ends up in MSI tables contains characters they reject.
    #[error("{field} `{value}` cannot be used in an MSI: {reason}")]
    InvalidName {
        /// Which input (`product name`, `manufacturer`, `identifier`, ...).
        field: &'static str,
        /// The value as given.
        value: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A payload destination path is not a valid relative Windows path.
    #[error("install path `{dest}` is not valid: {reason}")]
    InvalidDest {
        /// The destination as given.
        dest: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// Two payload files would land on the same path (Windows paths ignore case).
    #[error(
        "install paths `{first}` and `{second}` are the same file on Windows (paths ignore case); rename one of them"
    )]
    DuplicateDest {
        /// One destination.
        first: String,
        /// The other.
        second: String,
    },
    /// A file would be installed where a directory is needed, or the other way round.
    #[error(
        "install path `{dest}` is a file, but `{child}` needs it to be a directory; rename one of them"
    )]
    FileDirConflict {
        /// The file's destination.
        dest: String,
        /// A destination below it.
        child: String,
    },
    /// The payload is empty.
    #[error("the MSI has no files to install; add the application's executable to `files`")]
    NoFiles,
    /// `main_exe` is not one of the payload destinations.
    #[error(
        "main executable `{main_exe}` is not among the files to install; set `main_exe` to the `dest` of one of them"
    )]
    MainExeMissing {
        /// The `main_exe` as given.
        main_exe: String,
    },
    /// An input file could not be read.
    #[error("cannot read {what} `{path}`: {source}; check that it exists and is readable", path = path.display())]
    ReadInput {
        /// `payload file` or `icon`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The icon is not a Windows `.ico` file.
    #[error("icon `{path}` is not a Windows .ico file ({reason}); generate one with crateship-icons", path = path.display())]
    InvalidIcon {
        /// The icon path.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// A payload input is not a regular file.
    #[error("payload file `{path}` is not a regular file; list files, not directories", path = path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// A payload file is larger than a cabinet can hold.
    #[error(
        "payload file `{path}` is {size} bytes; an MSI cabinet holds files of at most {max} bytes (and Windows Installer cannot open packages of 2 GiB or more): ship it beside the installer or download it on first run", path = path.display()
    )]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The largest size accepted.
        max: u64,
    },
    /// A payload file changed size while the package was written.
    #[error(
        "payload file `{path}` changed while the MSI was written ({expected} bytes expected, {actual} read); do not modify inputs during packaging", path = path.display()
    )]
    FileChanged {
        /// The file.
        path: PathBuf,
        /// Size when first examined.
        expected: u64,
        /// Bytes actually read.
        actual: u64,
    },
    /// The finished package would reach the 2 GiB limit of Windows Installer.
    #[error(
        "the MSI would be {size} bytes; Windows Installer cannot open packages of 2 GiB ({max} bytes) or more: move large data out of the installer (download it on first run or ship it beside the MSI)"
    )]
    PackageTooLarge {
        /// Projected package size.
        size: u64,
        /// The largest size accepted.
        max: u64,
    },
    /// A temporary file could not be created or written.
    #[error(
        "cannot use a temporary file for {what}: {source}; check free space and permissions of the temp directory (TMPDIR)"
    )]
    TempFile {
        /// What the temp file was for.
        what: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The cabinet writer failed.
    #[error("cannot write cabinet {cabinet} (file `{file}`): {source}")]
    Cabinet {
        /// Cabinet stream name.
        cabinet: String,
        /// The payload file being added, if any.
        file: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The MSI database could not be built (a bug in this crate, or an input the
    /// validation missed).
    #[error(
        "cannot build MSI table `{table}`: {source}; please report this with the input that caused it"
    )]
    Database {
        /// The table or stream being written.
        table: String,
        /// The underlying error.
        source: io::Error,
    },
    /// Writing the output file failed.
    #[error("cannot write the MSI output file: {source}; check free space on the output directory")]
    WriteOutput {
        /// The underlying error.
        source: io::Error,
    },
}
