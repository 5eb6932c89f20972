//! Rust target triples crateship knows how to build and package for.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The operating system family a target runs on; decides formats and file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Os {
    /// Linux (gnu or musl).
    Linux,
    /// Windows.
    Windows,
    /// macOS.
    Macos,
}

/// The CPU architecture of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// x86-64 / amd64.
    X86_64,
    /// 64-bit ARM.
    Aarch64,
    /// Both x86-64 and 64-bit ARM in one universal (fat) Mach-O; macOS only.
    Universal,
}

impl Arch {
    /// The Linux packaging architecture (Linux targets are never universal).
    pub fn linux(self) -> crateship_linux::Arch {
        match self {
            Arch::X86_64 | Arch::Universal => crateship_linux::Arch::X86_64,
            Arch::Aarch64 => crateship_linux::Arch::Aarch64,
        }
    }

    /// The MSI platform (Windows targets are never universal).
    pub fn msi(self) -> crateship_windows::MsiArch {
        match self {
            Arch::X86_64 | Arch::Universal => crateship_windows::MsiArch::X64,
            Arch::Aarch64 => crateship_windows::MsiArch::Arm64,
        }
    }

    /// The architecture named in `.dmg` and `.pkg` file names.
    pub fn dmg(self) -> crateship_macos::DmgArch {
        match self {
            Arch::X86_64 => crateship_macos::DmgArch::X86_64,
            Arch::Aarch64 => crateship_macos::DmgArch::Arm64,
            Arch::Universal => crateship_macos::DmgArch::Universal,
        }
    }
}

/// A validated Rust target triple that crateship supports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TargetTriple(String);

/// Every triple crateship can build from a Linux host.
pub const SUPPORTED_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-pc-windows-gnu",
    "aarch64-pc-windows-gnullvm",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    UNIVERSAL_APPLE_DARWIN,
];

/// The pseudo-target for universal macOS binaries: built for both Apple
/// targets and merged into one fat Mach-O.
pub const UNIVERSAL_APPLE_DARWIN: &str = "universal-apple-darwin";

impl TargetTriple {
    /// The triple as written, e.g. `x86_64-unknown-linux-gnu`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The operating system of this target.
    pub fn os(&self) -> Os {
        if self.0.contains("-windows-") {
            Os::Windows
        } else if self.0.contains("-apple-") {
            Os::Macos
        } else {
            Os::Linux
        }
    }

    /// The CPU architecture of this target.
    pub fn arch(&self) -> Arch {
        if self.is_universal() {
            Arch::Universal
        } else if self.0.starts_with("aarch64") {
            Arch::Aarch64
        } else {
            Arch::X86_64
        }
    }

    /// True for the universal macOS pseudo-target.
    pub fn is_universal(&self) -> bool {
        self.0 == UNIVERSAL_APPLE_DARWIN
    }

    /// The real targets a universal binary is merged from (x86-64 first).
    pub fn universal_parts(&self) -> Option<[TargetTriple; 2]> {
        self.is_universal().then(|| {
            [
                TargetTriple("x86_64-apple-darwin".into()),
                TargetTriple("aarch64-apple-darwin".into()),
            ]
        })
    }

    /// True for glibc-linked Linux targets (whose glibc floor we measure).
    pub fn is_gnu_linux(&self) -> bool {
        self.os() == Os::Linux && self.0.ends_with("-gnu")
    }

    /// The file-name suffix of executables on this target (`.exe` on Windows).
    pub fn exe_suffix(&self) -> &'static str {
        if self.os() == Os::Windows { ".exe" } else { "" }
    }
}

impl FromStr for TargetTriple {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        if SUPPORTED_TARGETS.contains(&s) {
            Ok(TargetTriple(s.to_owned()))
        } else {
            Err(Error::Usage(format!(
                "unknown or unsupported target triple `{s}`; supported targets: {}",
                SUPPORTED_TARGETS.join(", ")
            )))
        }
    }
}

impl TryFrom<String> for TargetTriple {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<TargetTriple> for String {
    fn from(t: TargetTriple) -> String {
        t.0
    }
}

impl fmt::Display for TargetTriple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_triple_names_input_and_supported_list() {
        let err = "x86_64-unknown-linux-gnux"
            .parse::<TargetTriple>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x86_64-unknown-linux-gnux`"), "{err}");
        assert!(err.contains("aarch64-apple-darwin"), "{err}");
    }

    #[test]
    fn os_and_arch_follow_the_triple() {
        let t: TargetTriple = "aarch64-apple-darwin".parse().unwrap();
        assert_eq!((t.os(), t.arch()), (Os::Macos, Arch::Aarch64));
        let t: TargetTriple = "x86_64-pc-windows-gnu".parse().unwrap();
        assert_eq!((t.os(), t.exe_suffix()), (Os::Windows, ".exe"));
        assert!(
            "x86_64-unknown-linux-gnu"
                .parse::<TargetTriple>()
                .unwrap()
                .is_gnu_linux()
        );
        assert!(
            !"x86_64-unknown-linux-musl"
                .parse::<TargetTriple>()
                .unwrap()
                .is_gnu_linux()
        );
    }
}
