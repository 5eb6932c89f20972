//! Native macOS release writers for crateship, runnable on any host:
//!
//! * [`write_app`] lays out a `.app` bundle (Info.plist generated with the
//!   `plist` crate, PkgInfo, executable, `.icns`, resources) in a staging
//!   directory the caller renames into place.
//! * [`merge_universal`] writes a universal (fat) Mach-O from an x86_64 and an
//!   arm64 executable, laid out as `lipo -create` does (2^14-aligned slices).
//! * [`sign_app_adhoc`] seals a bundle with our own ad-hoc code signature
//!   (CodeResources + an embedded SHA-256 CodeDirectory in every slice of the
//!   main executable), so it launches on Apple silicon; optional hardened runtime.
//! * [`write_pkg`] writes a flat product archive (`.pkg`): our own XAR container
//!   holding `Distribution` and `NAME.pkg/{PackageInfo,Bom,Payload[,Scripts]}`,
//!   where `Bom` is our own Bom writer and `Payload` a gzip'd odc cpio archive.
//! * [`write_dmg`] writes a UDZO `.dmg` with an HFS+ volume holding the app and
//!   an `/Applications` symlink, through the pinned `fstool` crate.
//! * [`dmg_file_name`] / [`pkg_file_name`] name the artifacts (DESIGN §6).
//!
//! Architecture Invariants: this crate never spawns a process; writers take a
//! `Write` (or a staging directory) and never publish the output path
//! themselves; every input is validated before the first byte is written; the
//! same input gives byte-identical output (sorted entries, mtimes =
//! `source_date_epoch`, uid/gid 0, modes normalised to 0755/0644, no random IDs).
//!
//! Pipeline for callers: [`merge_universal`] (if universal) → [`write_app`] into
//! a staging dir → [`sign_app_adhoc`] (or a Developer ID signer) → [`write_dmg`] /
//! [`write_pkg`] into temp files → rename everything into place.
//!
//! Info.plist, Distribution and PackageInfo come from the templates in
//! `templates/` or a user's copy ([`UserTemplate`]).
//!
//! * [`sign_app`] / [`sign_pkg`] / [`sign_dmg`] sign with a Developer ID
//!   identity ([`AppleIdentity`] from crateship-sign): Team ID, hardened runtime,
//!   entitlements, designated requirement and a CMS with Apple's CDHashes
//!   attributes for apps; productsign's RSA + CMS TOC signatures for packages; an
//!   embedded SuperBlob for disk images. Our own code, on RustCrypto `cms`.
//!
//! What it does not do (yet): notarization (crateship-sign), signing nested code
//! (frameworks, helper executables). Unproven without a Mac: launch,
//! `installer -pkg`, `hdiutil verify`, `codesign --verify`, `pkgutil
//! --check-signature`, `spctl --assess`.
//!
//! On a Mac, a maintainer should confirm what cannot be proven here:
//!
//! ```text
//! codesign --verify --deep --strict -vvv Hello.app   # our ad-hoc seal
//! open Hello.app                                      # launches (arm64 and x86_64)
//! hdiutil verify Hello-1.2.3-arm64.dmg && hdiutil attach Hello-1.2.3-arm64.dmg
//! pkgutil --expand Hello-1.2.3.pkg /tmp/x && lsbom /tmp/x/Hello.pkg/Bom
//! sudo installer -pkg Hello-1.2.3.pkg -target / && ls -l /Applications/Hello.app
//! ```
#![deny(missing_docs)]

mod app;
mod bom;
mod cksum;
mod codesign;
mod cpio;
mod devid;
mod dmg;
mod dmg_sign;
mod error;
mod macho;
mod names;
mod pkg;
mod pkg_sign;
mod signature;
mod tree;
pub mod version;
mod xar;

pub use app::{
    AppBundle, DOCUMENT_ROLES, DocumentType, INFO_PLIST_TEMPLATE, app_dir_name, info_plist,
    info_plist_xml, is_url_scheme, validate_identifier, write_app,
};
pub use codesign::{AdHocOptions, sign_app_adhoc};
pub use crateship_sign::{AppleIdentity, ApplePurpose};
pub use crateship_template::UserTemplate;
pub use devid::{AppSignOptions, AppSignReport, sign_app};
pub use dmg::{DmgOptions, write_dmg};
pub use dmg_sign::{DmgSignOptions, DmgSignReport, sign_dmg};
pub use error::MacosError;
pub use macho::{
    CPU_TYPE_ARM64, CPU_TYPE_X86_64, MachArch, MachKind, macho_kind, macho_min_os, macho_slices,
    merge_universal,
};
pub use names::{DmgArch, dmg_file_name, pkg_file_name};
pub use pkg::{
    DISTRIBUTION_TEMPLATE, PACKAGE_INFO_TEMPLATE, PkgInfo, check_pkg_templates, write_pkg,
};
pub use pkg_sign::{PkgSignOptions, PkgSignReport, sign_pkg};
pub use signature::{
    CodeSignature, dmg_signature, macho_signatures, pkg_signature, verify_bundle_seal,
};
