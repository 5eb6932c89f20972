//! Choosing what a release contains: targets (command line, else config, else
//! the host), formats (command line, else config, else every one that applies)
//! and the `[[bin]]` targets to ship.

use std::collections::BTreeSet;

use super::{Inputs, Options};
use crate::error::{Error, Result};
use crate::format::{ALL_FORMATS, Format};
use crate::target::TargetTriple;

/// The targets to build, in order, without duplicates.
pub(super) fn targets(inputs: &Inputs, options: &Options) -> Result<Vec<TargetTriple>> {
    let mut targets = if !options.targets.is_empty() {
        options.targets.clone()
    } else if let Some(t) = &inputs.config.targets {
        t.clone()
    } else {
        vec![inputs.host.parse().map_err(|_| {
            Error::Usage(format!(
                "the host target {} is not one crateship builds; name targets with --target",
                inputs.host
            ))
        })?]
    };
    let mut seen = BTreeSet::new();
    targets.retain(|t| seen.insert(t.clone()));
    Ok(targets)
}

/// The formats to write. By default, formats that need an identifier are made
/// only when one is set; an explicit format that needs one, or applies to none
/// of the targets, is an error.
pub(super) fn formats(
    inputs: &Inputs,
    options: &Options,
    targets: &[TargetTriple],
) -> Result<Vec<Format>> {
    let from_command_line = !options.formats.is_empty();
    let explicit = if from_command_line {
        Some(options.formats.clone())
    } else {
        // The config lists formats for all its targets; a run of some targets
        // (`--target`) makes the ones that apply to them.
        inputs.config.formats.clone().map(|fs| {
            let applicable: Vec<Format> = fs
                .iter()
                .copied()
                .filter(|f| targets.iter().any(|t| f.applies_to(t)))
                .collect();
            if applicable.is_empty() {
                fs
            } else {
                applicable
            }
        })
    };
    let has_identifier = inputs.config.identifier.is_some();
    // The updater's `.app.tar.gz` is made exactly when update feeds are configured.
    let updates = inputs.config.updates.is_some();
    let Some(mut formats) = explicit else {
        return Ok(ALL_FORMATS
            .iter()
            .copied()
            .filter(|f| has_identifier || !f.needs_identifier())
            .filter(|f| *f != Format::AppTarGz || updates)
            .collect());
    };
    if updates
        && has_identifier
        && !formats.contains(&Format::AppTarGz)
        && targets.iter().any(|t| Format::AppTarGz.applies_to(t))
    {
        formats.push(Format::AppTarGz);
    }
    for f in &formats {
        if f.needs_identifier() && !has_identifier {
            return Err(Error::Config {
                file: inputs.config_file.clone(),
                key: "identifier".into(),
                message: format!(
                    "format `{f}` needs the app's reverse-DNS identifier; add `identifier = \"org.example.{}\"` to [package.metadata.crateship]",
                    inputs.package.name
                ),
            });
        }
        if !targets.iter().any(|t| f.applies_to(t)) {
            let names: Vec<_> = targets.iter().map(|t| t.as_str()).collect();
            return Err(Error::Usage(format!(
                "format `{f}` applies to none of the targets ({}); add a matching --target or drop the format",
                names.join(", ")
            )));
        }
    }
    formats.sort();
    formats.dedup();
    Ok(formats)
}

/// The `[[bin]]` names to ship: the config's `binaries`, else all of them.
pub(super) fn binaries(inputs: &Inputs) -> Result<Vec<String>> {
    let all: Vec<String> = inputs
        .package
        .targets
        .iter()
        .filter(|t| t.is_bin())
        .map(|t| t.name.clone())
        .collect();
    let chosen = match &inputs.config.binaries {
        None => all.clone(),
        Some(names) => {
            if let Some(n) = names.iter().find(|n| !all.contains(n)) {
                return Err(Error::Config {
                    file: inputs.config_file.clone(),
                    key: "binaries".into(),
                    message: format!(
                        "`{n}` is not a [[bin]] target of {}; binaries: {}",
                        inputs.package.name,
                        all.join(", ")
                    ),
                });
            }
            names.clone()
        }
    };
    if chosen.is_empty() {
        return Err(Error::Usage(format!(
            "package {} has no binary target to release",
            inputs.package.name
        )));
    }
    Ok(chosen)
}
