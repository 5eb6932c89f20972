//! Payloads beyond 4 GiB, and runs killed while writing.

use std::process::Stdio;
use std::time::Duration;

use crate::support::*;

/// A project whose resource `data/huge.bin` is a sparse file a little over
/// 4 GiB (zip64 territory), and a binary dir with real programs for it.
fn huge_project(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let manifest = tiny_project(&dir.join("p"), "tiny", "resources = [\"data/*\"]");
    let data = dir.join("p/data");
    std::fs::create_dir_all(&data).unwrap();
    let f = std::fs::File::create(data.join("huge.bin")).unwrap();
    f.set_len(4 * 1024 * 1024 * 1024 + 4096).unwrap();
    (manifest, binary_dir_for_all(dir, "tiny"))
}

#[test]
fn files_over_4_gib_are_archived_with_zip64_and_read_back_by_unzip() {
    let tmp = tempfile::tempdir().unwrap();
    let (manifest, bins) = huge_project(tmp.path());
    let out_dir = tmp.path().join("out");
    let out =
        run(dist_prebuilt(&manifest, &bins, &out_dir).args(["--target", "x86_64-pc-windows-gnu"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let zip = "tiny-0.4.2-x86_64-pc-windows-gnu.zip";
    let listing = verify("unzip", &["-l", zip], &out_dir);
    assert!(
        listing.contains("4294971392"),
        "unzip should list the full 4 GiB + 4 KiB size:\n{listing}"
    );
    verify("unzip", &["-tq", zip], &out_dir);
}

#[test]
fn a_run_killed_mid_write_leaves_no_partial_file_and_keeps_the_old_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (manifest, bins) = huge_project(tmp.path());
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let artifact = out_dir.join("tiny-0.4.2-x86_64-unknown-linux-musl.tar.gz");
    std::fs::write(&artifact, b"previous release").unwrap();
    let mut child = dist_prebuilt(&manifest, &bins, &out_dir)
        .args(["--target", "x86_64-unknown-linux-musl"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Writing 4 GiB takes seconds; look while it is under way, then kill it hard.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "crateship finished before it could be killed"
    );
    assert_eq!(
        list(&out_dir),
        ["tiny-0.4.2-x86_64-unknown-linux-musl.tar.gz"],
        "no temp file is visible while writing"
    );
    child.kill().unwrap();
    let killed = child.wait_with_output().unwrap();
    let log = stderr(&killed);
    assert!(
        log.contains("tar.gz x86_64-unknown-linux-musl") && !log.contains("done tar.gz"),
        "the kill must land while the archive is being written:\n{log}"
    );
    assert_eq!(
        list(&out_dir),
        ["tiny-0.4.2-x86_64-unknown-linux-musl.tar.gz"]
    );
    assert_eq!(std::fs::read(&artifact).unwrap(), b"previous release");
}
