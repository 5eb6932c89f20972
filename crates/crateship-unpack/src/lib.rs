//! Reads back the files inside the artifacts crateship writes, for the release
//! gate (`crateship check`): every regular file of a tar.gz, zip (and `.app.zip`),
//! .deb (control and data), .rpm, MSI, AppImage and .dmg is handed to a visitor as a
//! path and a reader, and the package metadata a gate compares (the deb control
//! fields, the rpm header's name, version, release and arch, the MSI Property
//! table) comes back as [`Metadata`].
//!
//! Members stream: nothing is extracted to disk and memory stays bounded by
//! what the visitor keeps; an MSI's MSZIP cabinets are inflated once, block by
//! block, in one pass.
//!
//! What it never does: write a file, spawn a process, or use a member's path
//! for anything but naming it. A pkg is not opened ([`Container::of`]
//! returns `None` for it); symlinks, directories and devices are not visited.
#![deny(missing_docs)]

mod appimage;
pub mod ar;
mod cabinet;
mod cpio;
mod deb;
mod dmg;
mod error;
pub mod facts;
mod msi;
mod rpm;
mod zip;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

pub use error::UnpackError;

/// The container formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A gzip-compressed tar archive.
    TarGz,
    /// A zip archive (Windows `.zip`, macOS `.app.zip`).
    Zip,
    /// A Debian binary package.
    Deb,
    /// An rpm binary package.
    Rpm,
    /// A Windows Installer package with embedded cabinets.
    Msi,
    /// An AppImage: an ELF runtime followed by a squashfs image.
    AppImage,
    /// A macOS disk image: UDIF holding an HFS+ volume.
    Dmg,
}

impl Container {
    /// The container of an artifact of the `format` crateship's manifest names
    /// (`tar.gz`, `zip`, `app`, `deb`, `rpm`, `msi`, `appimage`, `dmg`); `None`
    /// for a `pkg` (not opened) and for files that are no container.
    pub fn of(format: &str) -> Option<Container> {
        Some(match format {
            "tar.gz" => Container::TarGz,
            "zip" | "app" => Container::Zip,
            "deb" => Container::Deb,
            "rpm" => Container::Rpm,
            "msi" => Container::Msi,
            "appimage" => Container::AppImage,
            "dmg" => Container::Dmg,
            _ => return None,
        })
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Container::TarGz => "tar.gz",
            Container::Zip => "zip",
            Container::Deb => ".deb",
            Container::Rpm => ".rpm",
            Container::Msi => "MSI",
            Container::AppImage => "AppImage",
            Container::Dmg => ".dmg",
        }
    }
}

/// The package metadata of an artifact, as its own package manager reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// .deb: every control field (`Package`, `Version`, `Architecture`, …);
    /// .rpm: `Name`, `Epoch` (when set), `Version`, `Release`, `Arch`;
    /// MSI: every row of the Property table (`ProductVersion`, `UpgradeCode`,
    /// `ProductCode`, …); empty for archives and AppImages.
    pub fields: BTreeMap<String, String>,
    /// MSI: whether it carries a `\u{5}DigitalSignature` stream.
    pub signed: bool,
    /// .rpm: the OpenPGP header signature (a binary v4 signature packet from the
    /// signature header's RSA, DSA or OpenPGP tag), with the header bytes it signs.
    pub header_signature: Option<HeaderSignature>,
}

/// An embedded signature and the bytes it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSignature {
    /// The binary OpenPGP signature packet.
    pub signature: Vec<u8>,
    /// The bytes it signs (the rpm main header as stored).
    pub signed: Vec<u8>,
}

/// What a visitor is given for each regular file: its path inside the
/// artifact (`/`-separated, no leading `./` or `/`; for an MSI the file's long
/// name) and a reader of its bytes.
pub type Visitor<'v> = dyn FnMut(&str, &mut dyn Read) -> std::io::Result<()> + 'v;

/// Reads the artifact at `path` as `container`: calls `visit` for every regular
/// file inside it, in the order they are stored, and returns its metadata. A
/// visitor's error stops the walk and is returned as [`UnpackError::Io`].
pub fn read(
    path: &Path,
    container: Container,
    visit: &mut Visitor<'_>,
) -> Result<Metadata, UnpackError> {
    read_with(path, container, Some(visit))
}

/// The artifact's [`Metadata`] alone: the .deb control, the rpm header, the MSI
/// Property table are read; no member is decompressed.
pub fn metadata(path: &Path, container: Container) -> Result<Metadata, UnpackError> {
    read_with(path, container, None)
}

fn read_with(
    path: &Path,
    container: Container,
    visit: Option<&mut Visitor<'_>>,
) -> Result<Metadata, UnpackError> {
    let Some(visit) = visit else {
        return match container {
            Container::Deb => deb::read(path, None),
            Container::Rpm => rpm::read(path, None),
            Container::Msi => msi::read(path, None),
            Container::TarGz | Container::Zip | Container::AppImage | Container::Dmg => {
                Ok(Metadata::default())
            }
        };
    };
    match container {
        Container::TarGz => {
            let file = std::fs::File::open(path).map_err(UnpackError::io(path))?;
            let gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
            tar_members(gz, visit).map_err(|e| tar_error(path, "tar.gz", e))?;
            Ok(Metadata::default())
        }
        Container::Zip => zip::read(path, visit).map(|()| Metadata::default()),
        Container::Deb => deb::read(path, Some(visit)),
        Container::Rpm => rpm::read(path, Some(visit)),
        Container::Msi => msi::read(path, Some(visit)),
        Container::AppImage => appimage::read(path, visit).map(|()| Metadata::default()),
        Container::Dmg => dmg::read(path, visit).map(|()| Metadata::default()),
    }
}

/// Visits the regular files of the tar stream `tar`, with paths relative to its root.
pub(crate) fn tar_members(tar: impl Read, visit: &mut Visitor<'_>) -> std::io::Result<()> {
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !matches!(
            entry.header().entry_type(),
            tar::EntryType::Regular | tar::EntryType::Continuous
        ) {
            continue;
        }
        let name = relative(&String::from_utf8_lossy(&entry.path_bytes()));
        visit(&name, &mut entry)?;
    }
    Ok(())
}

/// A tar read error: a visitor's own error stays I/O, anything else means the
/// stream is damaged.
pub(crate) fn tar_error(path: &Path, container: &'static str, e: std::io::Error) -> UnpackError {
    match e.kind() {
        std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::Other => UnpackError::format(path, container)(e.to_string()),
        _ => UnpackError::io(path)(e),
    }
}

/// `./usr/bin/x` and `/usr/bin/x` as `usr/bin/x`.
pub(crate) fn relative(name: &str) -> String {
    name.trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned()
}

/// A decompressing reader for a `.deb` member named `member` (`data.tar.xz`,
/// `control.tar.zst`, …), by its suffix: none, `.gz`, `.xz` or `.zst`.
pub fn decoder<'r>(member: &str, reader: impl Read + 'r) -> Result<Box<dyn Read + 'r>, String> {
    let suffix = member.rsplit_once(".tar").map_or("", |(_, s)| s);
    Ok(match suffix {
        "" => Box::new(reader),
        ".gz" => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        ".xz" => Box::new(liblzma::read::XzDecoder::new(reader)),
        ".zst" => {
            Box::new(ruzstd::decoding::StreamingDecoder::new(reader).map_err(|e| e.to_string())?)
        }
        other => {
            return Err(format!(
                "{member} is compressed with `{other}`, not gzip, xz or zstd"
            ));
        }
    })
}
