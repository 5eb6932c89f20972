//! Artifact formats: the names the CLI and config accept, which targets they apply
//! to, and which family of writers makes them.
//!
//! Every `match` on a format goes through [`Format::family`], which is
//! exhaustive, so a new format cannot be silently misrouted: adding one means a
//! variant here, its family, one layout in `plan::layout` and one adapter in
//! `execute`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::target::{Os, TargetTriple};

/// An artifact format crateship can be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Format {
    /// gzip-compressed tar archive (Linux and macOS).
    #[serde(rename = "tar.gz")]
    TarGz,
    /// zip archive (Windows).
    #[serde(rename = "zip")]
    Zip,
    /// Windows Installer package.
    #[serde(rename = "msi")]
    Msi,
    /// macOS application bundle.
    #[serde(rename = "app")]
    App,
    /// macOS application bundle as a tar.gz: what the Tauri / cargo-packager
    /// updater installs. Made when update feeds are configured.
    #[serde(rename = "app.tar.gz")]
    AppTarGz,
    /// macOS disk image.
    #[serde(rename = "dmg")]
    Dmg,
    /// macOS flat installer package.
    #[serde(rename = "pkg")]
    Pkg,
    /// Linux AppImage.
    #[serde(rename = "appimage")]
    AppImage,
    /// Debian package.
    #[serde(rename = "deb")]
    Deb,
    /// RPM package.
    #[serde(rename = "rpm")]
    Rpm,
}

/// Every format name, in the order the CLI documents them.
pub const ALL_FORMATS: &[Format] = &[
    Format::TarGz,
    Format::Zip,
    Format::Msi,
    Format::App,
    Format::AppTarGz,
    Format::Dmg,
    Format::Pkg,
    Format::AppImage,
    Format::Deb,
    Format::Rpm,
];

/// The writers that make a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// An archive (crateship-archive).
    Archive(ArchiveKind),
    /// The Windows installer (crateship-windows).
    Msi,
    /// Made from the `.app` bundle (crateship-macos).
    Macos(MacosKind),
    /// The AppImage (crateship-appimage).
    AppImage,
    /// A distribution package (crateship-linux).
    Linux(LinuxKind),
}

/// An archive format (the archive crate's).
pub use crateship_archive::ArchiveKind;

/// A format made from the `.app` bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacosKind {
    /// The zipped `.app`.
    App,
    /// The `.app` as a tar.gz (for updaters).
    AppTarGz,
    /// The disk image.
    Dmg,
    /// The flat installer package.
    Pkg,
}

/// A distribution package format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinuxKind {
    /// Debian package.
    Deb,
    /// RPM package.
    Rpm,
}

impl Format {
    /// Which writers make this format.
    pub fn family(self) -> Family {
        match self {
            Format::TarGz => Family::Archive(ArchiveKind::TarGz),
            Format::Zip => Family::Archive(ArchiveKind::Zip),
            Format::Msi => Family::Msi,
            Format::App => Family::Macos(MacosKind::App),
            Format::AppTarGz => Family::Macos(MacosKind::AppTarGz),
            Format::Dmg => Family::Macos(MacosKind::Dmg),
            Format::Pkg => Family::Macos(MacosKind::Pkg),
            Format::AppImage => Family::AppImage,
            Format::Deb => Family::Linux(LinuxKind::Deb),
            Format::Rpm => Family::Linux(LinuxKind::Rpm),
        }
    }

    /// The name used on the command line, in config and in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Format::TarGz => "tar.gz",
            Format::Zip => "zip",
            Format::Msi => "msi",
            Format::App => "app",
            Format::AppTarGz => "app.tar.gz",
            Format::Dmg => "dmg",
            Format::Pkg => "pkg",
            Format::AppImage => "appimage",
            Format::Deb => "deb",
            Format::Rpm => "rpm",
        }
    }

    /// The operating system whose users install this format.
    pub fn os(self) -> Option<Os> {
        match self.family() {
            Family::Archive(_) => None,
            Family::Msi => Some(Os::Windows),
            Family::Macos(_) => Some(Os::Macos),
            Family::AppImage | Family::Linux(_) => Some(Os::Linux),
        }
    }

    /// Whether the format needs the app's reverse-DNS `identifier` (desktop
    /// integration files and installer GUIDs are named after it).
    pub fn needs_identifier(self) -> bool {
        !matches!(self.family(), Family::Archive(_))
    }

    /// Whether the format makes sense for `target` (zip for Windows, tar.gz elsewhere).
    pub fn applies_to(self, target: &TargetTriple) -> bool {
        match self.family() {
            Family::Archive(ArchiveKind::TarGz) => target.os() != Os::Windows,
            Family::Archive(ArchiveKind::Zip) => target.os() == Os::Windows,
            // Distribution packages carry the glibc build; a musl build of the same
            // architecture would collide with it under the same package name.
            Family::Linux(_) | Family::AppImage => target.is_gnu_linux(),
            Family::Msi => target.os() == Os::Windows,
            Family::Macos(_) => target.os() == Os::Macos,
        }
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        ALL_FORMATS
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = ALL_FORMATS.iter().map(|f| f.name()).collect();
                Error::Usage(format!(
                    "unknown format `{s}`; known formats: {}",
                    names.join(", ")
                ))
            })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in ALL_FORMATS {
            assert_eq!(f.name().parse::<Format>().unwrap(), *f);
        }
        let err = "tgz".parse::<Format>().unwrap_err().to_string();
        assert!(err.contains("`tgz`") && err.contains("tar.gz"), "{err}");
    }

    #[test]
    fn archives_follow_platform_convention() {
        let win: TargetTriple = "x86_64-pc-windows-gnu".parse().unwrap();
        let mac: TargetTriple = "aarch64-apple-darwin".parse().unwrap();
        assert!(Format::Zip.applies_to(&win) && !Format::TarGz.applies_to(&win));
        assert!(Format::TarGz.applies_to(&mac) && Format::Dmg.applies_to(&mac));
        assert!(!Format::Deb.applies_to(&mac));
        let musl: TargetTriple = "x86_64-unknown-linux-musl".parse().unwrap();
        let gnu: TargetTriple = "aarch64-unknown-linux-gnu".parse().unwrap();
        assert!(!Format::Deb.applies_to(&musl) && Format::Rpm.applies_to(&gnu));
    }
}
