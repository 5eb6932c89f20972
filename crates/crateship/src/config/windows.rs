//! `[package.metadata.crateship.windows]`, validated: the MSI's upgrade code and
//! install options, and whether Windows binaries must be GUI programs.

use serde::Serialize;

use super::raw::RawWindows;
use super::rules::{Ctx, check_guid};
use crate::error::Result;

/// Validated Windows settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WindowsSettings {
    /// MSI UpgradeCode that ties versions together (`None`: derived from the identifier).
    pub upgrade_code: Option<String>,
    /// Windows binaries must be GUI-subsystem exes.
    pub windowed: bool,
    /// Install for the current user instead of the machine.
    pub per_user: bool,
    /// Add a desktop shortcut.
    pub desktop_shortcut: bool,
}

pub(super) fn validate(raw: RawWindows, ctx: Ctx<'_>) -> Result<WindowsSettings> {
    if let Some(code) = &raw.upgrade_code {
        check_guid(code).map_err(|m| ctx.err("windows.upgrade-code", m))?;
    }
    Ok(WindowsSettings {
        upgrade_code: raw.upgrade_code,
        windowed: raw.windowed.unwrap_or(false),
        per_user: raw.per_user.unwrap_or(false),
        desktop_shortcut: raw.desktop_shortcut.unwrap_or(false),
    })
}
