//! The input model: plain data describing one AppImage.

use std::path::PathBuf;

use crateship_linux::{Arch, DesktopApp, FileSource, PackageFile};

/// Size of one icon in the hicolor theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IconSize {
    /// A square PNG of this many pixels (`usr/share/icons/hicolor/NxN/apps/ICON.png`).
    Png(u32),
    /// An SVG (`usr/share/icons/hicolor/scalable/apps/ICON.svg`).
    Scalable,
}

/// One icon file of the app's hicolor set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icon {
    /// Pixel size or scalable.
    pub size: IconSize,
    /// Where the image comes from.
    pub source: FileSource,
}

/// Everything one AppImage is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppImageInput {
    /// .desktop and metainfo data; `exec` is replaced by `binary_name` (AppImages
    /// are started through `AppRun`, never from a PATH lookup).
    pub desktop: DesktopApp,
    /// Product version (semver), used in the file name.
    pub version: String,
    /// CPU architecture of the binary and of the runtime.
    pub arch: Arch,
    /// The main executable, installed as `usr/bin/{binary_name}`; `AppRun` is a
    /// symlink to it.
    pub binary: PathBuf,
    /// File name of the main executable inside `usr/bin`.
    pub binary_name: String,
    /// The hicolor icon set (at least one PNG or an SVG); the largest PNG (else
    /// the SVG) also becomes the top-level icon and `.DirIcon`.
    pub icons: Vec<Icon>,
    /// Extra files (resources), `dest` relative to the AppDir root (e.g.
    /// `usr/share/hello/data.bin`).
    pub files: Vec<PackageFile>,
    /// Update information written into the runtime's `.upd_info` section, e.g.
    /// `zsync|https://example.org/Hello-latest-x86_64.AppImage.zsync` or
    /// `gh-releases-zsync|owner|repo|latest|Hello-*x86_64.AppImage.zsync`.
    pub update_information: Option<String>,
    /// Modification time of every entry, seconds since the Unix epoch.
    pub source_date_epoch: i64,
}
