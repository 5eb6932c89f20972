//! The `before-package` step: the project's own commands, run after the builds
//! and before any artifact is written, and then the check that every asset
//! they were to write is there.

use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::process;

/// Runs every hook in order; the first that fails stops the release with its
/// command, exit status and the end of its output. Then every asset file that
/// did not exist when planning must exist.
pub(super) fn run(plan: &Plan) -> Result<()> {
    for hook in &plan.before_package {
        let (status, out) = hook.command.run_status()?;
        if !status.success() {
            let output = format!("{}{}", out.stdout, out.stderr);
            return Err(Error::Hook {
                key: hook.key.clone(),
                command: hook.command.display(),
                status: status.code().map_or_else(
                    || "was killed by a signal".to_owned(),
                    |c| format!("exited with status {c}"),
                ),
                output_tail: process::tail(&output, 20),
            });
        }
    }
    for asset in plan.assets.iter().filter(|a| a.pending) {
        if !asset.source.is_file() {
            return Err(Error::Config {
                file: plan.manifest_path.clone(),
                key: format!("{}.source", asset.key),
                message: format!(
                    "{} does not exist after the `before-package` commands ran; make one of them write it, or fix the path",
                    asset.source.display()
                ),
            });
        }
    }
    Ok(())
}
