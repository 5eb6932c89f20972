//! Signed package repositories from a release's own packages.
//!
//! What it does:
//! * [`write_apt_repo`]: an apt repository from .deb files — pool, `Packages`
//!   (plain, gzip, xz, by-hash), `Release`, clear-signed `InRelease`, `Release.gpg`,
//!   the binary keyring and a deb822 `.sources` snippet ([`AptConfig`]).
//! * [`write_rpm_repo`]: a dnf/yum repository from .rpm files — `repodata/` with
//!   `primary`, `filelists`, `other` and `repomd.xml`, its armoured signature, the
//!   public key and a `.repo` file ([`RpmConfig`]).
//! * Both merge a previous repository: its packages are read again from the files
//!   (so any earlier release's repository works, whatever wrote its indexes), and
//!   this release's packages are laid over them.
//!
//! Packages are read, not trusted to a name: a .deb's `control` comes from its
//! `control.tar.{xz,gz,zst}` member (the data member is skipped by seeking, so
//! packages over 4 GiB cost no memory), an rpm's metadata from its headers (the
//! payload is not read). Each package is then copied into the repository once,
//! hashed on the way.
//!
//! Architecture Invariants: this crate never spawns a process; every input is read
//! and checked before the first file is written, so bad input writes nothing; every
//! file goes in through `crateship_support::AtomicFile`; the same inputs, key and
//! `SOURCE_DATE_EPOCH` give byte-identical output (sorted entries, gzip mtime 0,
//! signature time = the epoch); no host path, user or host name goes into an output.
//!
//! What it does not do: sign the packages themselves (crateship signs rpms before
//! they get here), source packages, `Contents` indexes, sqlite repodata, or keeping
//! the previous release's by-hash index copies.
#![deny(missing_docs)]

mod apt;
mod compress;
mod deb;
mod deb822;
mod error;
mod output;
mod previous;
mod rpm_header;
mod rpm_repo;
mod settings;
mod xml;

pub use apt::{AptConfig, write_apt_repo};
pub use error::RepoError;
pub use rpm_repo::{RpmConfig, write_rpm_repo};
