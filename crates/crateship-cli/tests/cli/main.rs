//! End-to-end tests of the `crateship` binary, checked with independent tools.
//!
//! One test binary; every test works in its own temp dir. Tests that cross-build
//! the example app for all six targets are few and slow; the rest package tiny
//! prebuilt binaries with `--no-build --binary-dir` and run in seconds.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // tests and tools print and panic on failure
#![allow(clippy::disallowed_methods)] // tests spawn crateship and independent verifiers directly

mod support;

mod apple_signing;
mod assets;
mod channels;
mod check;
mod ci;
mod consistency;
mod cross_build;
mod errors;
mod hardening;
mod icons;
mod init;
mod large_files;
mod linux_packages;
mod prebuilt;
mod records;
mod secrets;
mod sign_before_publish;
mod signing;
mod updater;
mod updates;
mod windows_packages;
mod wine;
mod workspace;
