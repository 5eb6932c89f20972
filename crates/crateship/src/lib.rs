//! crateship turns a Cargo project into release artifacts for Windows, macOS and
//! Linux from one host, offline and reproducibly.
//!
//! The pipeline is *plan, then execute*:
//!
//! 1. [`Inputs::gather`] collects everything the plan depends on (Cargo metadata,
//!    git state, `SOURCE_DATE_EPOCH`, tool locations) — the only step that looks
//!    at the outside world before building.
//! 2. [`plan::plan`] turns [`Inputs`] plus [`Options`] into a [`Plan`]: plain,
//!    serialisable data naming every target, build command and artifact path.
//! 3. [`dist::execute`] runs a [`Plan`]: builds, writes archives, then finalizes
//!    (`SHA256SUMS`, `dist-manifest.json`). It never re-reads configuration.
//!
//! The library never prints; it reports through a [`progress::Reporter`].
#![deny(missing_docs)]

pub mod archive;
pub mod atomic;
pub mod build;
pub mod config;
pub mod dist;
pub mod elf;
pub mod epoch;
pub mod error;
pub mod format;
pub mod git;
pub mod icons;
pub mod inputs;
pub mod linux;
pub mod macos;
pub mod manifest;
pub mod notary;
pub mod plan;
pub mod process;
pub mod progress;
pub mod sign;
pub mod target;
pub mod template;
pub mod windows;

pub use error::{Error, Result};
pub use format::Format;
pub use inputs::Inputs;
pub use plan::{Options, Plan};
pub use target::TargetTriple;
