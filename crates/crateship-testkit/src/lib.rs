//! Test-only helpers shared by crateship's test suites, so each is written once.
//! Never a dependency of a shipped crate: only `[dev-dependencies]` name it.

pub mod http;
