//! The CI matrix of a plan: one job per target with the command it runs, in the
//! shape GitHub Actions' `strategy.matrix.include` takes.

use super::{CiMatrix, Inputs, MatrixJob};
use crate::target::TargetTriple;

/// One job per target; the manifest path is given relative to the checkout.
pub(super) fn matrix(inputs: &Inputs, targets: &[TargetTriple]) -> CiMatrix {
    let manifest = inputs.package.manifest_path.as_std_path();
    let root = inputs
        .git
        .as_ref()
        .map(|g| g.toplevel.as_path())
        .unwrap_or(inputs.metadata.workspace_root.as_std_path());
    let rel = manifest
        .strip_prefix(root)
        .unwrap_or(manifest)
        .to_string_lossy()
        .replace('\\', "/");
    CiMatrix {
        include: targets
            .iter()
            .map(|t| MatrixJob {
                target: t.clone(),
                runner: "ubuntu-latest".into(),
                commands: vec![format!(
                    "crateship dist --manifest-path {rel} --target {t} --install-missing"
                )],
            })
            .collect(),
    }
}
