//! The icons step: renders the plan's icon source into the full icon set with
//! `crateship-icons`, before any build, so a bad icon fails the run early.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::plan::{IconSource, IconsStep};

/// crateship's built-in icon, used when the config names none.
pub const DEFAULT_ICON_SVG: &[u8] = include_bytes!("../../../../assets/icon.svg");

/// Generates the icon set described by `step`.
pub(crate) fn generate(step: &IconsStep) -> Result<crateship_icons::IconSet> {
    let source = match &step.source {
        IconSource::File { path } => path.clone(),
        IconSource::Default => write_default_icon(step)?,
    };
    let request = crateship_icons::IconRequest {
        source: source.clone(),
        name: step.name.clone(),
        overrides: step.overrides.clone(),
    };
    crateship_icons::generate(&request, &step.out_dir).map_err(|e| {
        Error::input(
            format!("cannot make the icons from {}", source.display()),
            e,
        )
    })
}

fn write_default_icon(step: &IconsStep) -> Result<PathBuf> {
    let parent = step
        .out_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| step.out_dir.clone());
    std::fs::create_dir_all(&parent).map_err(|e| Error::io("cannot create", &parent, e))?;
    let path = parent.join("default-icon.svg");
    crateship_support::atomic::write(&path, DEFAULT_ICON_SVG)?;
    Ok(path)
}
