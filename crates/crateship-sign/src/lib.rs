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
//!   signature packets (what `crateship_linux::sign_rpm` embeds in an .rpm header),
//!   cleartext signatures (an apt `InRelease`), the public key armoured or binary (an
//!   apt keyring), and embedded AppImage signatures ([`sign_appimage`],
//!   `.sha256_sig`/`.sig_key`).
//! * **minisign** signatures ([`MinisignSecretKey`], [`sign_minisign`]) for any file,
//!   deterministic (a re-run gives the same `.minisig`), the public-key file of a secret
//!   key (what the Tauri / cargo-packager updaters trust), and the same key as a raw
//!   Ed25519 signer for DSSE envelopes.
//! * **Sparkle** EdDSA keys as `generate_keys -x` exports them ([`SparkleKey`]): Ed25519
//!   signatures of whole files for appcast enclosures, and the `SUPublicEDKey` value.
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
mod cms_verify;
mod ed25519;
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
mod ticket;
mod timestamp;
mod tool;

use std::io::Write;
use std::path::Path;

use crateship_support::AtomicFile;
use serde::Serialize;

pub use appimage::{appimage_digest, sign_appimage, verify_appimage};
pub use apple::{AppleCms, AppleIdentity, ApplePurpose, AppleSignOptions};
pub use authenticode::AuthenticodeOptions;
pub use ed25519::{SparkleKey, SparkleSignature};
pub use error::SignError;
pub use inspect::{AuthenticodeInfo, authenticode_of_file, authenticode_of_pe, cms_signer};
pub use key::SigningKey;
pub use minisig::{MinisignKey, MinisignSecretKey, sign_minisign, verify_minisign};
pub use msi::{sign_msi, sign_msi_file};
pub use openpgp::{PgpKey, sign_detached_pgp, verify_binary_pgp, verify_detached_pgp};
pub use pe::{sign_pe, sign_pe_bytes};
pub use signer::{
    CommandSigner, KeySource, NativeSigner, OsslsigncodeSigner, Secret, Signer, SigntoolSigner,
};
pub use ticket::{is_ticket, pkg_stapled_ticket};

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

/// Writes `bytes` to `path` atomically (an [`AtomicFile`]), with the permissions
/// of `like` (the input).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], like: &Path) -> Result<(), SignError> {
    let permissions = permissions_of(like)?;
    let mut out = AtomicFile::create(path)?;
    out.write_all(bytes)
        .map_err(|e| SignError::io("write", path, e))?;
    out.set_permissions(permissions)?;
    out.commit()?;
    Ok(())
}

/// The permission bits of `path`, for the signed file made from it.
pub(crate) fn permissions_of(path: &Path) -> Result<std::fs::Permissions, SignError> {
    Ok(std::fs::metadata(path)
        .map_err(|e| SignError::io("read", path, e))?
        .permissions())
}
