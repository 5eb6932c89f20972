//! Integration tests of crateship-sign: every signature is checked by an independent
//! verifier, never only by our own code: `osslsigncode verify` (signature, chain and
//! timestamp) and Debian's `python3-pefile` (PE checksum) for Authenticode, `gpg --verify`
//! with only the public key imported for OpenPGP, Debian's `minisign -V` for minisign
//! (signatures and the public-key files we derive), PyPI `pynacl` for Sparkle EdDSA,
//! and Wine's `msiexec` for installing a signed MSI. The notarization client runs against a
//! loopback mock of Apple's services whose tokens, SigV4 uploads and ticket trailers are
//! checked by `openssl` and Python's standard library.
//!
//! Needs the Debian packages `osslsigncode`, `openssl`, `gnupg`, `minisign`, `wine`,
//! `wine64`, `libarchive-tools` (bsdtar) and `python3-pefile` (run as `/usr/bin/python3`),
//! and from PyPI `ziglang` (for `python3 -m ziglang cc`) and `pynacl`. The test PKI, the GnuPG keys and a
//! loopback RFC 3161 server (around `openssl ts -reply`) are made by the tests themselves.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure

// Spawning the verifiers is the point of these tests.
#![allow(clippy::disallowed_methods)]

mod appimage;
mod backends;
mod keys;
mod minisig;
mod msi;
mod notary;
mod openpgp;
mod pe;
mod rpm;
mod sparkle;
mod support;
mod timestamp;
mod wine;
