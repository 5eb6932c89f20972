//! The committed runtimes are exactly what the recipe builds from this checkout.

use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_appimage::runtime::{runtime, runtime_build};
use crateship_linux::Arch;

use crate::run;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"))
}

#[test]
fn committed_runtimes_match_a_rebuild() {
    let ws = workspace();
    // A target dir of its own: never contends with the build running this test.
    let target_dir = ws.join("target").join("appimage-runtime");
    // One build at a time (the machine is small and cargo would serialise anyway);
    // compare after building every architecture so one run refreshes them all.
    let mut stale = Vec::new();
    for arch in [Arch::X86_64, Arch::Aarch64] {
        let recipe = runtime_build(arch, &ws, &cargo_home(), &target_dir);
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(&recipe.args).current_dir(&ws);
        for (k, v) in &recipe.env {
            cmd.env(k, v);
        }
        run(&mut cmd);
        let built = std::fs::read(&recipe.output).unwrap();
        if built != runtime(arch) {
            stale.push(format!(
                "cp {} {}",
                recipe.output.display(),
                recipe.committed
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "the committed runtimes differ from a fresh build of crateship-appimage-runtime; \
         refresh them (from the workspace root) with:\n{}",
        stale.join("\n")
    );
}
