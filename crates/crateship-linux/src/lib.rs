//! Native Linux package writers for crateship: `.deb` and `.rpm`, plus the
//! `.desktop` entry and AppStream metainfo that go inside them.
//!
//! What it does:
//! * [`write_deb`] writes an `ar` archive with `control.tar.xz` and a streamed
//!   `data.tar.xz` (or gzip), including `md5sums`, `usr/share/doc/NAME/copyright`
//!   (DEP-5) and `changelog.gz`, conffiles, symbolic links, package
//!   relationships, and maintainer scripts (with [`systemd`] snippets for the
//!   units it installs).
//! * [`write_rpm`] writes an rpm v4 package with rpm-rs: Requires from the glibc
//!   floor and from the ELF files (rpm auto-requires spelling), `%doc`, `%license`,
//!   `%config(noreplace)`, changelog, scriptlets.
//! * [`desktop_entry`] / [`metainfo_xml`] render the built-in templates in
//!   `templates/` or a user's copy (`*_from_template`).
//! * [`deb_shlib_depends`] maps ELF `DT_NEEDED` sonames to Debian packages through a
//!   resolver the caller supplies (e.g. one that runs `dpkg -S`).
//!
//! Versions: semver pre-releases use `~` in both formats so that they sort before
//! the release (`1.2.3-beta.1` → deb `1.2.3~beta.1`, rpm `1.2.3~beta.1-1`); see
//! [`version`] for the full table.
//!
//! Architecture Invariants: this crate never spawns a process and never creates the
//! output path (it writes to the `Write` it is given); the same input gives
//! byte-identical output (entries in an order fixed by path and content, mtime = `source_date_epoch`, root:root,
//! modes reduced to permission bits, fixed rpm build host); every ELF file is
//! checked against the package architecture before anything is written.
//!
//! Package signing is [`sign_rpm`] (the OpenPGP signature itself comes from the
//! caller); AppImages are crateship-appimage's. What it never does: run the
//! maintainer scripts it writes, or follow a symlink in the caller's files (a
//! [`PackageFile`] is read as the file it points to; [`PackageSymlink`] writes a link).
#![deny(missing_docs)]

mod compressibility;
mod deb;
mod desktop;
mod elf;
mod error;
mod package;
mod rpm;
pub mod systemd;
mod text;
pub mod version;
mod xz;

pub use crateship_template::UserTemplate;
pub use deb::{DebCompression, deb_file_name, write_deb, write_deb_with};
pub use desktop::{
    DESKTOP_TEMPLATE, DesktopApp, METAINFO_TEMPLATE, Release, check_templates, desktop_entry,
    desktop_entry_from_template, metainfo_from_template, metainfo_xml,
};
pub use elf::{DebShlibDepends, ElfNeeds, deb_shlib_depends, elf_needs};
pub use error::LinuxError;
pub use package::{
    Arch, ChangelogEntry, FileSource, LinuxPackage, PackageFile, PackageSymlink, Relations, Scripts,
};
pub use rpm::{BUILD_HOST, rpm_file_name, sign_rpm, write_rpm};
pub use text::{gzip_reproducible, identify_license};
