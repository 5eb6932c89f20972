//! Why a file was refused: one error type whose messages name the file, what it
//! is, what was needed and the fix.

use std::path::PathBuf;

/// Why a binary cannot be read or does not fit its target.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    /// The file could not be opened or read.
    #[error("cannot read `{}`: {source}; check that the file exists and is readable", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a program, or not one the target can use.
    #[error(transparent)]
    Refused(Box<Refused>),
    /// A target triple this crate cannot check binaries for.
    #[error(
        "`{target}` is not a target whose binaries can be checked; give a Rust target triple \
         with x86_64 or aarch64 and linux-gnu, linux-musl, windows or apple-darwin \
         (e.g. x86_64-unknown-linux-musl), or universal-apple-darwin"
    )]
    UnknownTarget {
        /// The triple as given.
        target: String,
    },
}

/// A refused file: what it is, what was needed and the fix.
#[derive(Debug, thiserror::Error)]
#[error("`{}` is {found}, but {needs}; {fix}", path.display())]
pub struct Refused {
    /// The file.
    pub path: PathBuf,
    /// Which rule it broke, for callers that report stable ids.
    pub refusal: Refusal,
    /// What the file is, as a noun phrase ("an x86-64 Windows program (console)").
    pub found: String,
    /// The target triple the file was checked against; `None` from
    /// [`inspect`](crate::inspect) and [`require_gui`](crate::require_gui).
    pub target: Option<String>,
    /// What was needed, as a clause ("aarch64-pc-windows-gnullvm needs an
    /// arm64 Windows program").
    pub needs: String,
    /// How to fix it.
    pub fix: String,
    /// The parser's complaint, for a damaged file.
    #[source]
    pub source: Option<goblin::error::Error>,
}

/// The rule a refused file broke; [`Refusal::id`] is stable for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The file is empty.
    Empty,
    /// The file is a `#!` script.
    Script,
    /// The file is not an ELF, PE or Mach-O binary at all.
    NotAProgram,
    /// The file starts like a binary but cannot be parsed (truncated or damaged).
    Damaged,
    /// A binary for another operating system.
    WrongOs,
    /// A binary for another CPU architecture (or word size).
    WrongArch,
    /// A shared library, object file or other non-program binary.
    NotExecutable,
    /// A dynamically linked ELF for a target that needs a static one (musl).
    NotStatic,
    /// An ELF linked against another C library than the target's.
    WrongLibc,
    /// Not a fat Mach-O with both an x86-64 and an arm64 slice.
    NotUniversal,
    /// A Windows program without the GUI subsystem where one is required.
    NotGui,
}

impl Refusal {
    /// A stable kebab-case id, e.g. `wrong-arch`.
    pub fn id(self) -> &'static str {
        match self {
            Refusal::Empty => "empty",
            Refusal::Script => "script",
            Refusal::NotAProgram => "not-a-program",
            Refusal::Damaged => "damaged",
            Refusal::WrongOs => "wrong-os",
            Refusal::WrongArch => "wrong-arch",
            Refusal::NotExecutable => "not-executable",
            Refusal::NotStatic => "not-static",
            Refusal::WrongLibc => "wrong-libc",
            Refusal::NotUniversal => "not-universal",
            Refusal::NotGui => "not-gui",
        }
    }
}

impl InspectError {
    /// The refusal, when this is one (not a read error or an unknown target).
    pub fn refused(&self) -> Option<&Refused> {
        match self {
            InspectError::Refused(refused) => Some(refused),
            _ => None,
        }
    }

    /// The rule broken, when this is a refusal.
    pub fn refusal(&self) -> Option<Refusal> {
        self.refused().map(|r| r.refusal)
    }
}
