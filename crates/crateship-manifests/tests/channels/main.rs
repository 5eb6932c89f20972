//! Integration tests of crateship-manifests: every channel file is read by the real
//! tool of its ecosystem or by a validator we did not write. AUR: Debian's `makepkg`
//! (`--printsrcinfo` equals our `.SRCINFO`; a build downloads the tar.gz from a
//! loopback server, verifies its checksum and packages it; `bsdtar` lists the
//! package). winget and Scoop: PyPI `check-jsonschema` against the projects' own
//! schemas (committed under `tests/schemas/`), `msiinfo` for the MSI's ProductCode.
//! Homebrew: `ruby -c`. install.sh: `shellcheck`, and runs under `dash` and `bash`
//! against a loopback server.
//!
//! Needs the Debian packages makepkg, fakeroot, libarchive-tools, zstd, curl, ruby,
//! shellcheck, dash, msitools, zip, minisign, gnupg and PyPI check-jsonschema and
//! pyyaml (all installed by `cargo xtask test`).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// Spawning the verifiers is the point of these tests.
#![allow(clippy::disallowed_methods)]

mod aur;
mod errors;
mod homebrew;
mod install_sh;
mod scoop;
mod support;
mod winget;
