//! Code signing from any host, in-process.
//!
//! What it does:
//! * **Authenticode** for PE images ([`sign_pe`]) and MSI packages ([`sign_msi`]) with RSA
//!   or ECDSA P-256 keys and SHA-256, written natively (no signtool, no osslsigncode).
//!   The PE checksum is recomputed; re-signing replaces an existing signature.
//! * **RFC 3161 timestamps** with a fallback list of servers, a timeout per attempt and
//!   bounded retries ([`AuthenticodeOptions`]); the [`SignReport`] names the server
//!   that answered. If none does, nothing is written, unless unstamped signatures were
//!   explicitly allowed, in which case the report carries a loud warning.
//! * **Apple** primitives for crateship-macos ([`AppleIdentity`]): Developer ID identities
//!   (Team ID from the leaf's OU, application/installer usage checks) and the CMS over a
//!   CodeDirectory or a XAR TOC checksum, plus productsign's RSA/SHA-1 signature.
//! * **Other Authenticode backends** behind one [`Signer`] trait: [`NativeSigner`],
//!   [`OsslsigncodeSigner`], [`SigntoolSigner`] (Windows certificate store) and
//!   [`CommandSigner`] (an argv template for cloud HSM tools). Tools are resolved on
//!   PATH with a clear error when missing; passwords never go on a command line (a 0600
//!   file for osslsigncode's `-readpass`, the certificate store for signtool, the
//!   inherited environment for commands). This is the crate's only process spawning.
//! * **OpenPGP** ([`PgpKey`]): detached armoured signatures for any file, binary
//!   signature packets (what `crateship_linux::sign_rpm` embeds in an .rpm header), and
//!   embedded AppImage signatures ([`sign_appimage`], `.sha256_sig`/`.sig_key`).
//! * **minisign** signatures ([`sign_minisign`]) for any file, and the same key as a raw
//!   Ed25519 signer ([`MinisignKey`]) for DSSE envelopes.
//! * Keys from PEM (key + chain) or PKCS#12 ([`SigningKey`]), checked to match their
//!   certificate and to be allowed to sign code.
//! * **Apple notarization** (feature `notarize`, module `notary`): submit to Apple's
//!   notary service, wait for the verdict, fetch and staple the ticket.
//!
//! What it never does: print, read environment variables or files the caller did not
//! name, start a process other than a configured backend, or put a password or key bytes into an error, a report or `Debug` output.
//! Timestamp servers are reached over plain `http://` only (tokens are self-protecting).

#![deny(missing_docs)]

mod appimage;
mod apple;
pub mod asn1;
mod authenticode;
mod cms_sign;
mod error;
mod inspect;
mod key;
mod minisig;
mod msi;
#[cfg(feature = "notarize")]
pub mod notary;
mod openpgp;
mod pe;
mod signer;
mod timestamp;
mod tool;

use std::io::Write;
use std::path::Path;

use serde::Serialize;

pub use appimage::{appimage_digest, sign_appimage};
pub use apple::{AppleCms, AppleIdentity, ApplePurpose, AppleSignOptions};
pub use authenticode::AuthenticodeOptions;
pub use error::SignError;
pub use key::SigningKey;
pub use minisig::{MinisignKey, sign_minisign};
pub use msi::{sign_msi, sign_msi_file};
pub use openpgp::{PgpKey, sign_detached_pgp};
pub use pe::{sign_pe, sign_pe_bytes};
pub use signer::{
    CommandSigner, KeySource, NativeSigner, OsslsigncodeSigner, Secret, Signer, SigntoolSigner,
};

/// What was signed and how; safe to log and to put in a manifest (no secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignReport {
    /// `authenticode-pe`, `authenticode-msi`, `openpgp` or `minisign`.
    pub scheme: String,
    /// Subject of the signing certificate (or the OpenPGP user id).
    pub subject: String,
    /// SHA-256 of the signing certificate, hex (for OpenPGP the key fingerprint, for
    /// minisign the key id).
    pub sha256_fingerprint: String,
    /// The RFC 3161 server whose token is embedded, if any.
    pub timestamp_server: Option<String>,
    /// Things the caller must show the user (e.g. a signature without timestamp).
    pub warnings: Vec<String>,
}

/// A temporary file in `path`'s directory, to be renamed over `path` once
/// complete (so a failure never leaves a partial output).
pub(crate) fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, SignError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| SignError::io("create a temporary file in", dir, e))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it into place,
/// with the permissions of `like` (the input), not the temporary file's 0600.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], like: &Path) -> Result<(), SignError> {
    let mut tmp = crate::temp_beside(path)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| SignError::io("write", tmp.path(), e))?;
    copy_permissions(like, tmp.path())?;
    tmp.persist(path)
        .map_err(|e| SignError::io("rename into", path, e.error))?;
    Ok(())
}

/// Gives `to` the permission bits of `from`.
pub(crate) fn copy_permissions(from: &Path, to: &Path) -> Result<(), SignError> {
    let perms = std::fs::metadata(from)
        .map_err(|e| SignError::io("read", from, e))?
        .permissions();
    std::fs::set_permissions(to, perms).map_err(|e| SignError::io("set the permissions of", to, e))
}
