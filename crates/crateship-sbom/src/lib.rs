//! What went into a release, recorded for the tools that audit it.
//!
//! What it does:
//! * **Dependency sets** ([`DepSet`]): the crates compiled into a package's binaries
//!   for one target, from `cargo metadata --filter-platform TARGET` and `Cargo.lock`
//!   — normal dependencies only (no build- or dev-dependencies), platform-specific
//!   ones resolved for the target, proc-macros included and marked. The same set
//!   `cargo tree --target TARGET -e normal` lists.
//! * **SBOMs** per artifact: CycloneDX 1.6 JSON ([`cyclonedx_json`]) and SPDX 2.3
//!   JSON ([`spdx_json`]) with the artifact as the described component (its SHA-256),
//!   every crate with its `pkg:cargo` purl, SPDX licence expression and registry
//!   checksum, and the dependency graph.
//! * **Auditable binaries** ([`auditable_object`], [`auditable_link_args`]): the
//!   dependency list in `cargo auditable`'s `.dep-v0` format, as an ELF, COFF or
//!   Mach-O object for the linker, and the rustc flags that keep it in the binary.
//! * **Provenance** ([`provenance_statement`]): an in-toto Statement v1 with an SLSA
//!   Provenance v1 predicate, optionally in a DSSE envelope ([`dsse_envelope`])
//!   signed by a closure the caller provides.
//!
//! What it never does: spawn a process (the caller runs `cargo metadata` and
//! hands over its output), read or write files (it returns bytes; the caller
//! publishes them atomically), hold a key, or put a host path, user name or the
//! current time into its output: every byte follows from the inputs, and
//! timestamps are the caller's `SOURCE_DATE_EPOCH`.
#![deny(missing_docs)]

mod advisory;
mod artifact;
mod auditable;
mod cyclonedx;
mod depset;
mod dsse;
mod error;
mod ids;
mod json;
mod license;
mod lockfile;
mod provenance;
mod source;
mod spdx;

pub use advisory::{Advisory, load_advisories};
pub use artifact::{Artifact, ArtifactKind, Stamp, cyclonedx_file_name, spdx_file_name};
pub use auditable::{
    AuditedCrate, SECTION_NAME, SYMBOL_NAME, auditable_json, auditable_link_args, auditable_object,
    read_auditable,
};
pub use cyclonedx::{
    DEPENDENCY_KIND_PROPERTY, PROC_MACRO_PROPERTY, TARGET_PROPERTY, cyclonedx_json,
};
pub use depset::{Crate, DepSet};
pub use dsse::{IN_TOTO_PAYLOAD_TYPE, dsse_envelope, dsse_pae};
pub use error::SbomError;
pub use license::{license_allowed, spdx_expression};
pub use provenance::{
    BUILD_TYPE, ExternalParameters, PROVENANCE_FILE_NAME, ProvenanceInput, SLSA_PROVENANCE_V1,
    STATEMENT_TYPE, Subject, ToolVersion, provenance_statement,
};
pub use source::{CrateSource, purl};
pub use spdx::spdx_json;
