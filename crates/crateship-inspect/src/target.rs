//! What a target needs of its binary: OS, architecture and C library, read from
//! a Rust target triple.

use std::fmt;

use crate::binary::with_article;
use crate::error::InspectError;

/// The operating system a binary must run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Os {
    /// Linux: an ELF program.
    Linux,
    /// Windows: a PE program.
    Windows,
    /// macOS: a Mach-O program.
    Macos,
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Os::Linux => "Linux",
            Os::Windows => "Windows",
            Os::Macos => "macOS",
        })
    }
}

/// The CPU architecture a binary must run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// x86-64.
    X86_64,
    /// 64-bit ARM.
    Aarch64,
    /// Both, as one fat Mach-O with an x86-64 and an arm64 slice (macOS only).
    Universal,
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arch::X86_64 => "x86-64",
            Arch::Aarch64 => "arm64",
            Arch::Universal => "universal (x86-64 and arm64)",
        })
    }
}

/// The C library a Linux binary may depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Libc {
    /// glibc (`-gnu` targets): dynamically linked against glibc, or static.
    Gnu,
    /// musl (`-musl` targets): must be static, since hosts rarely have musl's loader.
    Musl,
    /// No requirement: Windows and macOS targets, or a static ELF's own C library.
    None,
}

/// What a target needs of a binary, with the triple named in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The OS the binary must be for.
    pub os: Os,
    /// The architecture it must be for.
    pub arch: Arch,
    /// The C library rule for Linux targets ([`Libc::None`] elsewhere).
    pub libc: Libc,
    /// The target triple, e.g. `aarch64-pc-windows-gnullvm`, for messages.
    pub target: String,
}

impl Expected {
    /// What a Rust target triple needs: `x86_64`/`aarch64` (or `arm64`) and a
    /// `-linux-gnu*`, `-linux-musl*`, `-windows-*` or `-apple-darwin` system, or
    /// `universal-apple-darwin`.
    pub fn from_triple(triple: &str) -> Result<Expected, InspectError> {
        let unknown = || InspectError::UnknownTarget {
            target: triple.to_owned(),
        };
        let parts: Vec<&str> = triple.split('-').collect();
        let (os, libc) = if triple.contains("-windows") {
            (Os::Windows, Libc::None)
        } else if triple.contains("-apple-darwin") {
            (Os::Macos, Libc::None)
        } else if let Some(env) = parts
            .iter()
            .position(|p| *p == "linux")
            .and_then(|i| parts.get(i + 1))
        {
            let libc = if env.starts_with("musl") {
                Libc::Musl
            } else if env.starts_with("gnu") {
                Libc::Gnu
            } else {
                return Err(unknown());
            };
            (Os::Linux, libc)
        } else {
            return Err(unknown());
        };
        let arch = match parts.first().copied() {
            Some("universal") if os == Os::Macos => Arch::Universal,
            Some("x86_64") => Arch::X86_64,
            Some("aarch64" | "arm64") => Arch::Aarch64,
            _ => return Err(unknown()),
        };
        Ok(Expected {
            os,
            arch,
            libc,
            target: triple.to_owned(),
        })
    }

    /// A noun phrase for what is needed: "a static x86-64 Linux program",
    /// "an arm64 Windows program", "a universal macOS program with x86-64 and
    /// arm64 slices".
    pub fn describe(&self) -> String {
        if self.arch == Arch::Universal {
            return format!(
                "a universal {} program with x86-64 and arm64 slices",
                self.os
            );
        }
        let program = format!("{} {} program", self.arch, self.os);
        match self.libc {
            Libc::Musl => format!("a static {program}"),
            Libc::Gnu => format!("{} (glibc-linked or static)", with_article(&program)),
            Libc::None => with_article(&program),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_triple_reads_as_os_arch_and_libc() {
        let cases = [
            (
                "x86_64-unknown-linux-gnu",
                Os::Linux,
                Arch::X86_64,
                Libc::Gnu,
            ),
            (
                "aarch64-unknown-linux-gnu",
                Os::Linux,
                Arch::Aarch64,
                Libc::Gnu,
            ),
            (
                "x86_64-unknown-linux-musl",
                Os::Linux,
                Arch::X86_64,
                Libc::Musl,
            ),
            (
                "aarch64-unknown-linux-musl",
                Os::Linux,
                Arch::Aarch64,
                Libc::Musl,
            ),
            (
                "x86_64-pc-windows-gnu",
                Os::Windows,
                Arch::X86_64,
                Libc::None,
            ),
            (
                "x86_64-pc-windows-msvc",
                Os::Windows,
                Arch::X86_64,
                Libc::None,
            ),
            (
                "aarch64-pc-windows-gnullvm",
                Os::Windows,
                Arch::Aarch64,
                Libc::None,
            ),
            ("x86_64-apple-darwin", Os::Macos, Arch::X86_64, Libc::None),
            ("aarch64-apple-darwin", Os::Macos, Arch::Aarch64, Libc::None),
            (
                "universal-apple-darwin",
                Os::Macos,
                Arch::Universal,
                Libc::None,
            ),
        ];
        for (triple, os, arch, libc) in cases {
            let e = Expected::from_triple(triple).unwrap();
            assert_eq!(
                (e.os, e.arch, e.libc, e.target.as_str()),
                (os, arch, libc, triple)
            );
        }
    }

    #[test]
    fn unknown_triples_are_refused_by_name() {
        for bad in [
            "",
            "riscv64gc-unknown-linux-gnu",
            "x86_64-unknown-freebsd",
            "universal-unknown-linux-gnu",
            "x86_64-unknown-linux-android",
        ] {
            let e = Expected::from_triple(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("`{bad}`")), "{e}");
        }
    }

    #[test]
    fn needs_read_as_noun_phrases() {
        let d = |t: &str| Expected::from_triple(t).unwrap().describe();
        assert_eq!(
            d("x86_64-unknown-linux-musl"),
            "a static x86-64 Linux program"
        );
        assert_eq!(
            d("aarch64-unknown-linux-gnu"),
            "an arm64 Linux program (glibc-linked or static)"
        );
        assert_eq!(d("aarch64-pc-windows-gnullvm"), "an arm64 Windows program");
        assert_eq!(
            d("universal-apple-darwin"),
            "a universal macOS program with x86-64 and arm64 slices"
        );
    }
}
