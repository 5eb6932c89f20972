//! crateship turns a Cargo project into release artifacts for Windows, macOS and
//! Linux from one host, offline and reproducibly.
//!
//! The pipeline is *plan, then execute*, and the modules show it:
//!
//! 1. [`config`]: `[package.metadata.crateship]` as written, validated once
//!    (paths made absolute, every value checked).
//! 2. [`plan`]: [`Inputs::gather`] collects everything the plan depends on (Cargo
//!    metadata, the validated config, git state, `SOURCE_DATE_EPOCH`, tool
//!    locations) — the only step that looks at the outside world before building
//!    — and [`plan::plan`] turns it plus [`Options`] into a [`Plan`]: plain,
//!    serialisable data naming every target, build command, artifact and derived
//!    fact.
//! 3. [`execute`]: [`execute::execute`] runs a [`Plan`]: builds, one writer per
//!    artifact, signatures, then finalize (`SHA256SUMS`, `dist-manifest.json`). It
//!    never re-reads configuration.
//!
//! Imports run one way only: `execute → plan → config` (a tidy test enforces it).
//! The library never prints; it reports through a [`progress::Reporter`], and
//! [`report`] offers the reporters the `crateship` CLI uses, for a project's own
//! `cargo xtask dist`.
#![deny(missing_docs)]

pub mod check;
pub mod config;
pub mod debug;
pub mod epoch;
pub mod error;
pub mod execute;
pub mod format;
pub mod git;
pub mod init;
pub mod init_xtask;
pub mod manifest;
pub mod plan;
pub mod process;
pub mod progress;
pub mod report;
pub mod target;
pub mod workflow;

pub use error::{Error, Result};
pub use format::Format;
pub use plan::{Inputs, Options, Plan};
pub use target::TargetTriple;
