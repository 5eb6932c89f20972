//! Integration tests of crateship-sbom. Every output is read by a tool we did not
//! write: `cargo tree` for the dependency sets, `check-jsonschema` (PyPI) with the
//! official CycloneDX 1.6 schema, `pyspdxtools` (PyPI `spdx-tools`) for SPDX,
//! `rust-audit-info` (crates.io) for the sections linked into binaries built with
//! `cargo build` and `cargo zigbuild`, PyPI `in-toto-attestation` for the statement
//! and PyPI `securesystemslib` plus `openssl pkeyutl` for the DSSE signature.
//!
//! The fixture (`tests/fixtures/target-deps`) is copied to a temporary directory and
//! its lockfile generated with `cargo generate-lockfile --offline`, so every crate
//! comes from the local registry cache.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure

// Spawning the verifiers is the point of these tests.
#![allow(clippy::disallowed_methods)]

mod auditable;
mod depset;
mod provenance;
mod reproducible;
mod sboms;
mod support;
