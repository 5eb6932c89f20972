//! Update feeds that existing updaters read, written from data the caller gives.
//!
//! * [`zsync`]: `.zsync` control files (zsync 0.6.2) for AppImageUpdate and the
//!   `zsync` client, made in one streaming pass over the file; byte-identical to
//!   Debian's `zsyncmake` for the same inputs.
//! * [`tauri`]: the `latest.json` manifest of the Tauri updater and
//!   cargo-packager-updater (minisign signatures per platform) and the public-key
//!   form those updaters are configured with.
//! * [`sparkle`]: Sparkle appcasts (RSS 2.0 + the Sparkle namespace, EdDSA-signed
//!   enclosures), new or with a release prepended to an existing one, and the
//!   Info.plist values the app needs.
//!
//! Signatures come from the caller (`crateship_sign`): this crate holds no keys.
//! Every output is deterministic: dates come from the caller's `SOURCE_DATE_EPOCH`,
//! keys and items are in a fixed order, formatting is fixed.
//!
//! What this crate never does: spawn a process, read files or the environment on its
//! own, or touch the network.
#![deny(missing_docs)]

mod error;
pub mod sparkle;
pub mod tauri;
pub mod zsync;

pub use error::FeedError;
