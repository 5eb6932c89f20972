//! Windows installers written natively in Rust, on any host.
//!
//! [`write_msi`] turns a list of files into a Windows Installer package (`.msi`) with
//! embedded MSZIP cabinets, a Start-menu shortcut (and optionally a desktop one),
//! Add/Remove Programs entries and major-upgrade logic. No WiX, wixl or Windows tool is
//! involved; the output is read by msitools and installed by Windows Installer and Wine.
//!
//! What it can do:
//! * per-machine (default) or per-user packages for x64, arm64 and x86;
//! * any directory depth, file names with spaces and non-ASCII characters;
//! * more than one cabinet (cabinets are cut at a fixed payload size and compressed in
//!   parallel, so output never depends on the number of cores);
//! * byte-identical output for identical input: every GUID is a UUIDv5 of stable inputs and
//!   every timestamp comes from `source_date_epoch`.
//!
//! What it does not do (yet): patches (`.msp`), external cabinets, custom UI dialogs,
//! services, file associations, signing (sign the exe before it goes in, then the MSI,
//! with `crateship-sign`). Windows Installer cannot open a package of 2 GiB or more, so
//! such payloads are refused with an error instead of producing a broken file.
//!
//! The [`exe`] module dresses the application executable: it writes the resource script
//! (icon, VERSIONINFO, manifest) that zig's resource compiler turns into a `.res` for the
//! linker, and checks the PE subsystem of a built exe.
//!
//! Architecture invariant: this crate never spawns a process, and nothing in its output
//! depends on the clock, the host paths or the number of cores.

#![deny(missing_docs)]

mod cabinet;
mod cabwriter;
mod database;
mod error;
pub mod exe;
mod guid;
mod layout;
mod repack;
mod schema;
mod streamname;
mod upgrade;
mod validate;
mod version;

use std::fs::File;
use std::path::PathBuf;

pub use error::MsiError;
pub use version::MsiVersion;

/// Everything needed to write one MSI; independent of the rest of crateship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsiPackage {
    /// Name shown in Add/Remove Programs, the Start menu and the install folder
    /// (`Program Files\<product_name>`).
    pub product_name: String,
    /// Publisher shown in Add/Remove Programs.
    pub manufacturer: String,
    /// Semantic version `major.minor.patch` (build metadata is ignored); see [`MsiVersion`].
    pub version: String,
    /// Reverse-DNS identifier (`org.example.hello`); the seed of every derived GUID.
    pub identifier: String,
    /// Stable UpgradeCode GUID shared by all versions; default: UUIDv5 of `identifier`.
    pub upgrade_code: Option<String>,
    /// One-line description (summary comments and Add/Remove Programs comments).
    pub description: String,
    /// Project homepage for Add/Remove Programs (support and update links).
    pub homepage: Option<String>,
    /// The payload, in any order (the package sorts it).
    pub files: Vec<MsiFile>,
    /// `dest` of the executable the shortcuts point at.
    pub main_exe: String,
    /// `.ico` used for Add/Remove Programs and the shortcuts.
    pub icon: Option<PathBuf>,
    /// Also put a shortcut on the desktop (the Start-menu shortcut is always there).
    pub desktop_shortcut: bool,
    /// Install for the current user only (`%LOCALAPPDATA%\Programs`, no elevation)
    /// instead of for all users (`Program Files`).
    pub per_user: bool,
    /// Target architecture.
    pub arch: MsiArch,
    /// Seconds since the Unix epoch used for every timestamp in the package.
    pub source_date_epoch: i64,
}

/// One payload file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsiFile {
    /// Where to read it from on the build host.
    pub source: PathBuf,
    /// Install path relative to the install folder, `/`-separated, any depth.
    pub dest: String,
}

/// Windows architecture of the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MsiArch {
    /// 64-bit x86 (`x64`), the default.
    #[default]
    X64,
    /// 64-bit Arm (`arm64`).
    Arm64,
    /// 32-bit x86 (`x86`).
    X86,
}

impl MsiArch {
    /// The name used in file names (`x64`, `arm64`, `x86`).
    pub fn as_str(self) -> &'static str {
        match self {
            MsiArch::X64 => "x64",
            MsiArch::Arm64 => "arm64",
            MsiArch::X86 => "x86",
        }
    }

    /// Platform name in the summary "Template" property.
    pub(crate) fn template_platform(self) -> &'static str {
        match self {
            MsiArch::X64 => "x64",
            MsiArch::Arm64 => "Arm64",
            MsiArch::X86 => "Intel",
        }
    }

    /// Whether components carry the 64-bit attribute.
    pub(crate) fn is_64bit(self) -> bool {
        !matches!(self, MsiArch::X86)
    }
}

/// The conventional artifact name, e.g. `Hello-1.2.3-x64.msi`.
///
/// Characters that are awkward in file names (spaces, path separators) are replaced by `-`.
pub fn msi_file_name(product_name: &str, version: &str, arch: MsiArch) -> String {
    let name: String = product_name
        .chars()
        .map(|c| {
            if c.is_whitespace() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    format!("{name}-{version}-{}.msi", arch.as_str())
}

/// The codes an MSI of `pkg` carries, as its Property table shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsiCodes {
    /// ProductCode, braced and upper case (`{XXXXXXXX-XXXX-…}`); one per version,
    /// architecture and scope.
    pub product_code: String,
    /// UpgradeCode, braced and upper case; shared by every version.
    pub upgrade_code: String,
    /// ProductVersion (`major.minor.build`).
    pub product_version: String,
}

/// The ProductCode, UpgradeCode and ProductVersion [`write_msi`] gives `pkg`, without
/// writing it (package managers such as winget record them). Reads no file.
pub fn msi_codes(pkg: &MsiPackage) -> Result<MsiCodes, MsiError> {
    let (version, upgrade_code, product_code) = validate::codes(pkg)?;
    Ok(MsiCodes {
        product_code: guid::braced(product_code),
        upgrade_code: guid::braced(upgrade_code),
        product_version: version.to_string(),
    })
}

/// Writes `pkg` as an MSI into `out`, which must be open for reading and writing.
///
/// `out` is truncated first. Payload files are streamed through temporary cabinet files,
/// never held in memory whole. On error `out` holds garbage: the caller writes into a
/// temp file and renames it only on success.
pub fn write_msi(pkg: &MsiPackage, out: &mut File) -> Result<(), MsiError> {
    let checked = validate::check(pkg)?;
    let layout = layout::Layout::build(pkg, &checked)?;
    let cabinets = cabinet::build_all(&layout, pkg.source_date_epoch)?;
    let db = database::build(pkg, &checked, &layout, &cabinets)?;
    repack::write(db, &cabinets, pkg.source_date_epoch, out)
}
