//! Icon generation for crateship: one source image to .ico, .icns and PNG sets.
//!
//! This crate never spawns a process.
