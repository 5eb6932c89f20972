//! Checking the built (or given) binaries before anything packages them, with
//! `crateship-inspect`: each exists and is a program for its target (the right
//! OS, architecture, every slice of a universal binary, static for musl), needs
//! no newer glibc than the ceiling, is a GUI program when `windowed`; and what
//! each needs from its host (glibc floor, minimum macOS) goes into the manifest.

use crateship_inspect::Expected;

use crate::error::{Error, Result};
use crate::manifest::Requirements;
use crate::plan::{BuildStep, Plan, TargetPlan};
use crate::target::Os;

/// Checks every binary of `target`; returns what they need from the host.
pub(crate) fn check(plan: &Plan, target: &TargetPlan) -> Result<Requirements> {
    let expected = Expected::from_triple(target.triple.as_str())
        .map_err(|e| Error::input(format!("the target {}", target.triple), e))?;
    let mut reqs = Requirements::default();
    for bin in &target.binaries {
        if !bin.path.is_file() {
            let fix = match &target.build {
                BuildStep::Prebuilt { .. } => {
                    "put the binary there, or drop --no-build to let crateship build it"
                }
                BuildStep::Cargo { .. } | BuildStep::Universal { .. } => {
                    "the build finished without it; check the [[bin]] name"
                }
            };
            return Err(Error::requirement(
                format!(
                    "binary `{}` for {} not found at {}",
                    bin.name,
                    target.triple,
                    bin.path.display()
                ),
                fix,
            ));
        }
        let not_packaged = |e| {
            Error::input(
                format!("cannot package `{}` for {}", bin.name, target.triple),
                e,
            )
        };
        let binary = crateship_inspect::check(&bin.path, &expected).map_err(not_packaged)?;
        if let Some(floor) = binary.glibc_floor() {
            if let Some(max) = plan.max_glibc
                && (floor.major, floor.minor) > (max.major, max.minor)
            {
                return Err(Error::requirement(
                    format!(
                        "{} requires glibc >= {floor}, above the configured glibc {max} (linux.glibc or linux.max-glibc)",
                        bin.path.display()
                    ),
                    format!(
                        "build against an older glibc (cargo zigbuild --target {}.{max}) or raise the ceiling",
                        target.triple
                    ),
                ));
            }
            let current = reqs
                .glibc
                .as_deref()
                .and_then(|g| g.parse::<crateship_inspect::GlibcVersion>().ok());
            if current.is_none_or(|c| floor > c) {
                reqs.glibc = Some(floor.to_string());
            }
        }
        if target.os == Os::Windows && plan.windows.windowed {
            crateship_inspect::require_gui(&binary).map_err(not_packaged)?;
        }
        if target.os == Os::Macos {
            reqs.macos = binary.macos_minimum().map(|v| v.to_string());
        }
    }
    Ok(reqs)
}
