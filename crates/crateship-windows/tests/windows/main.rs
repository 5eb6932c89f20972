//! Integration tests of crateship-windows: every MSI is read back by independent tools
//! (msitools' `msiinfo` and `msiextract`, `osslsigncode`), never only by our own code.
//!
//! Needs the Debian packages `msitools`, `osslsigncode`, `wine`, `wine64`, `icoutils`,
//! `python3-pefile`, `openssl`, and `ziglang` (PyPI) for `python3 -m ziglang`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure

// Spawning the verifiers is the point of these tests.
#![allow(clippy::disallowed_methods)]

mod bad_input;
mod determinism;
mod exe_resources;
mod extract;
mod msiinfo;
mod payload;
mod signing_tools;
mod support;
mod variants;
mod wine;
