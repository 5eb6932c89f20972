//! Integration tests of crateship-feeds: every feed is read by the real clients or by
//! tools we did not write. zsync: Debian's `zsyncmake` (same bytes) and `zsync` (rebuilds
//! the file over a loopback HTTP server). latest.json: Python's `json` reads it and
//! Debian's `minisign -V` verifies each platform's signature. Sparkle appcasts:
//! `xmllint --noout` and Python's `xml.etree` parse them, PyPI `pynacl` verifies every
//! `sparkle:edSignature`.
//!
//! Needs the Debian packages `zsync`, `minisign`, `libxml2-utils` and `python3`, and
//! PyPI `pynacl` (all installed by `cargo xtask test`). Keys are made at test time.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure

// Spawning the verifiers is the point of these tests.
#![allow(clippy::disallowed_methods)]

mod sparkle;
mod support;
mod tauri;
mod zsync;
