//! Package-manager channels made from one finished release: the files users (or a
//! bot) put into the AUR, winget-pkgs, a Scoop bucket or a Homebrew tap, and an
//! `install.sh` that downloads and verifies the right archive.
//!
//! * [`aur`]: a `-bin` `PKGBUILD` installing the Linux tar.gz, and its `.SRCINFO`
//!   (equal to what `makepkg --printsrcinfo` prints for it).
//! * [`winget`]: the multi-file winget manifest (version, defaultLocale, installer)
//!   for the MSI, with its ProductCode and UpgradeCode.
//! * [`scoop`]: a Scoop app manifest for the Windows zip, with `checkver` and
//!   `autoupdate` templates.
//! * [`homebrew`]: a formula for the macOS/Linux tar.gz and a cask for the `.dmg`.
//! * [`install_sh`]: a POSIX `install.sh` that picks the build for the host (OS, CPU,
//!   glibc or musl), checks it against `SHA256SUMS` and its signature, and installs it.
//!
//! Input is plain data ([`Release`]); output is [`ChannelFile`]s, text that is the
//! same bytes for the same release, which [`write_files`] publishes atomically.
//! A channel whose artifact is missing, or a value its format cannot carry, is an
//! error that names the input and the fix.
//!
//! What this crate never does: spawn a process, read the artifacts or the
//! environment, or touch the network.
#![deny(missing_docs)]

pub mod aur;
mod error;
pub mod homebrew;
pub mod install_sh;
mod release;
pub mod scoop;
mod spdx;
mod text;
pub mod winget;

use std::io::Write;
use std::path::Path;

use crateship_support::{AtomicFile, IoError};

pub use error::ManifestError;
pub use release::{
    Arch, ArtifactFormat, Completions, Libc, MsiFacts, MsiScope, Os, Release, ReleaseArtifact,
};

/// One file of a channel, with its path relative to the channel's directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelFile {
    /// `/`-separated path below the channel directory, e.g. `Formula/hello.rb`.
    pub path: String,
    /// The file's text.
    pub contents: String,
    /// Whether it is a program (mode 0755 rather than 0644).
    pub executable: bool,
}

impl ChannelFile {
    pub(crate) fn text(path: impl Into<String>, contents: String) -> ChannelFile {
        ChannelFile {
            path: path.into(),
            contents,
            executable: false,
        }
    }
}

/// Writes `files` below `dir` (creating directories), each atomically.
pub fn write_files(dir: &Path, files: &[ChannelFile]) -> Result<(), ManifestError> {
    for file in files {
        let target = dir.join(&file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ManifestError::Write {
                source: IoError::new("cannot create the directory", parent, e),
            })?;
        }
        let mut out =
            AtomicFile::create(&target).map_err(|source| ManifestError::Write { source })?;
        out.set_mode(if file.executable { 0o755 } else { 0o644 })
            .map_err(|source| ManifestError::Write { source })?;
        out.write_all(file.contents.as_bytes())
            .map_err(|e| ManifestError::Write {
                source: IoError::new("cannot write", &target, e),
            })?;
        out.commit()
            .map_err(|source| ManifestError::Write { source })?;
    }
    Ok(())
}
