//! Dressing the Windows executable: an icon, a VERSIONINFO resource and an application
//! manifest, without Windows SDK tools.
//!
//! Choice of resource compiler: this module writes a resource script (`.rc`, UTF-8 with
//! `#pragma code_page(65001)`) and the manifest it embeds; the build step compiles it with
//! zig's resource compiler (`python3 -m ziglang rc /fo app.res app.rc`, part of the zig
//! toolchain crateship already requires for cross-compiling) and hands `app.res` to the
//! linker (zig links `.res` inputs into `x86_64-pc-windows-gnu` executables). Editing the
//! resources of an already linked PE is not done here.
//!
//! [`pe_subsystem`] reads the subsystem of a built PE so that a windowed app that was built
//! as a console program is caught before it ships.

mod manifest;
mod script;
mod subsystem;

use std::io;
use std::path::PathBuf;

pub use manifest::app_manifest;
pub use script::{ExeInfo, FileVersion, write_resource_script};
pub use subsystem::{PeSubsystem, check_windowed, pe_subsystem};

/// Why an executable could not be dressed or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExeError {
    /// The version is not `major.minor.patch` with fields of at most 65535.
    #[error(
        "version `{version}` cannot be a Windows file version: {reason}; use `major.minor.patch` with each number at most 65535"
    )]
    InvalidVersion {
        /// The version as given.
        version: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A text field contains characters a resource script cannot carry.
    #[error("{field} `{value}` cannot go into the version resource: {reason}")]
    InvalidText {
        /// Which field.
        field: &'static str,
        /// The value as given.
        value: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The icon is missing or not an `.ico`.
    #[error("icon `{path}` cannot be used: {reason}; generate a .ico with crateship-icons", path = path.display())]
    InvalidIcon {
        /// The icon path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} `{path}`: {source}", path = path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The file is not a PE executable.
    #[error("`{path}` is not a Windows executable: {reason}", path = path.display())]
    NotPe {
        /// The file.
        path: PathBuf,
        /// What was found.
        reason: String,
    },
    /// A windowed app was built as a console program.
    #[error(
        "`{path}` is a console-subsystem program, so Windows opens a console window next to the app; add `#![windows_subsystem = \"windows\"]` at the top of its main.rs (or set the app as a console app in the config)", path = path.display()
    )]
    ConsoleSubsystem {
        /// The executable.
        path: PathBuf,
    },
}
