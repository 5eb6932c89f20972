//! The release directory is consistent whatever happens to a run: killed by
//! SIGINT, SIGTERM or SIGKILL at any point, `sha256sum -c SHA256SUMS` passes on
//! what is there and the MSI still verifies; a second run into the same dir
//! waits for the first (or fails with `--no-wait`); per-target runs one after
//! another leave every artifact listed; SIGINT/SIGTERM exit 130/143 and leave
//! no staging file, and the next run removes what a SIGKILL left.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::signing::*;
use crate::support::*;

struct Release {
    _tmp: tempfile::TempDir,
    manifest: PathBuf,
    linux_bins: PathBuf,
    windows_bins: PathBuf,
    out_dir: PathBuf,
}

/// A project with a 16 MB resource whose Linux and Windows artifacts (MSI signed)
/// take a few seconds to write.
fn release() -> Release {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let config = "identifier = \"org.example.tiny\"\nresources = [\"data/*\"]\n\
                  formats = [\"tar.gz\", \"zip\", \"deb\", \"rpm\", \"msi\"]\n\
                  [package.metadata.crateship.signing]\n\
                  windows-pfx = \"cert.pfx\"\nwindows-password-env = \"TINY_PFX_PASSWORD\"";
    let manifest = tiny_project(&project, "tiny", config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    pki(&project);
    std::fs::create_dir_all(project.join("data")).unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let blob: Vec<u8> = (0..16 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    std::fs::write(project.join("data/blob.bin"), blob).unwrap();
    let linux_bins = binary_dir(tmp.path(), "tiny");
    let windows_bins = tmp.path().join("winbins");
    windows_exe(&windows_bins.join("tiny.exe"));
    // One directory holding both, for runs of every target at once.
    std::fs::copy(windows_bins.join("tiny.exe"), linux_bins.join("tiny.exe")).unwrap();
    Release {
        out_dir: tmp.path().join("out"),
        manifest,
        linux_bins,
        windows_bins,
        _tmp: tmp,
    }
}

impl Release {
    fn dist(&self, targets: &[&str], epoch: &str) -> Command {
        let mut cmd = dist_prebuilt(&self.manifest, &self.linux_bins, &self.out_dir);
        for t in targets {
            cmd.args(["--target", t]);
        }
        cmd.env("TINY_PFX_PASSWORD", PASSWORD)
            .env("SOURCE_DATE_EPOCH", epoch);
        cmd
    }

    fn both(&self, epoch: &str) -> Command {
        self.dist(
            &["x86_64-unknown-linux-gnu", "x86_64-pc-windows-gnu"],
            epoch,
        )
    }

    /// `sha256sum -c SHA256SUMS` in the out dir, and `osslsigncode verify` on the
    /// MSI: the state anyone who looks at the out dir sees.
    fn assert_consistent(&self, when: &str) {
        assert!(
            self.out_dir.join("SHA256SUMS").is_file(),
            "{when}: SHA256SUMS is gone: {:?}",
            list(&self.out_dir)
        );
        let out = run(Command::new("sha256sum")
            .args(["-c", "--strict", "SHA256SUMS"])
            .current_dir(&self.out_dir));
        assert!(
            out.status.success(),
            "{when}: sha256sum -c fails:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(self.out_dir.join("dist-manifest.json")).unwrap(),
        )
        .unwrap();
        let sums = std::fs::read_to_string(self.out_dir.join("SHA256SUMS")).unwrap();
        for a in manifest["artifacts"].as_array().unwrap() {
            let line = format!(
                "{}  {}",
                a["sha256"].as_str().unwrap(),
                a["path"].as_str().unwrap()
            );
            assert!(
                sums.contains(&line),
                "{when}: manifest and SHA256SUMS disagree on {line}"
            );
        }
        let msi = self.out_dir.join("tiny-0.4.2-x64.msi");
        let verified = run(Command::new("osslsigncode")
            .args(["verify", "-CAfile"])
            .arg(self.manifest.parent().unwrap().join("cert.pem"))
            .arg("-in")
            .arg(&msi));
        assert!(
            verified.status.success(),
            "{when}: the MSI does not verify:\n{}",
            stdout(&verified)
        );
    }

    fn hidden_leftovers(&self) -> Vec<String> {
        list(&self.out_dir)
            .into_iter()
            .filter(|n| n.starts_with('.') && n.contains(".crateship-"))
            .collect()
    }
}

/// Waits until `pid` catches SIGINT and SIGTERM (its `SigCgt` mask in
/// /proc), so a signal sent afterwards tests crateship's handler rather than
/// the moments of `exec` before `main`, when any program dies of the signal.
/// Returns early if the run has already ended.
fn wait_for_signal_handlers(child: &mut std::process::Child) {
    let pid = child.id();
    const INT_AND_TERM: u64 = (1 << (2 - 1)) | (1 << (15 - 1));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .unwrap_or(0);
        if caught & INT_AND_TERM == INT_AND_TERM || child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("crateship (pid {pid}) did not install its SIGINT/SIGTERM handlers within 20 s");
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args(["-s", name, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -s {name} {pid}");
}

#[test]
fn killed_runs_leave_a_consistent_release_directory() {
    let r = release();
    let first = run(&mut r.both("1700000000"));
    assert!(first.status.success(), "{}", stderr(&first));
    r.assert_consistent("after the first release");
    let mut epoch = 1_700_000_100u64;
    let mut interrupted = 0;
    for name in ["INT", "TERM", "KILL"] {
        for delay_ms in [30, 400, 1200, 2500] {
            epoch += 1;
            let mut child = r
                .both(&epoch.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            if name != "KILL" {
                wait_for_signal_handlers(&mut child);
            }
            std::thread::sleep(Duration::from_millis(delay_ms));
            let finished = child.try_wait().unwrap().is_some();
            if !finished {
                signal(child.id(), name);
            }
            let status = child.wait().unwrap();
            let when = format!("after SIG{name} at {delay_ms} ms");
            r.assert_consistent(&when);
            if finished {
                continue;
            }
            interrupted += 1;
            match name {
                "INT" => assert_eq!(status.code(), Some(130), "{when}"),
                "TERM" => assert_eq!(status.code(), Some(143), "{when}"),
                _ => {}
            }
            if name != "KILL" {
                assert!(
                    r.hidden_leftovers().is_empty(),
                    "{when}: {:?}",
                    r.hidden_leftovers()
                );
            }
        }
    }
    assert!(
        interrupted >= 9,
        "most runs must be interrupted while working ({interrupted} were)"
    );
    // The next run cleans what the SIGKILLs left and completes.
    let last = run(&mut r.both("1700000999"));
    assert!(last.status.success(), "{}", stderr(&last));
    assert!(
        r.hidden_leftovers().is_empty(),
        "{:?}",
        r.hidden_leftovers()
    );
    r.assert_consistent("after a complete run");
}

#[test]
fn a_second_run_into_the_same_directory_waits_or_fails_with_no_wait() {
    let r = release();
    let first = r
        .both("1700000000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let the first take the lock.
    std::thread::sleep(Duration::from_millis(300));
    let refused = run(r.both("1700000001").arg("--no-wait"));
    let second = r
        .both("1700000002")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first = first.wait_with_output().unwrap();
    let second = second.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("another crateship run")
            && stderr(&refused).contains("--no-wait"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&second).contains("waiting for it to finish"),
        "{}",
        stderr(&second)
    );
    r.assert_consistent("after two concurrent runs");
}

#[test]
fn per_target_runs_into_one_directory_list_every_artifact() {
    let r = release();
    let linux = run(&mut r.dist(&["x86_64-unknown-linux-gnu"], "1700000000"));
    assert!(linux.status.success(), "{}", stderr(&linux));
    let mut windows = dist_prebuilt(&r.manifest, &r.windows_bins, &r.out_dir);
    windows
        .args(["--target", "x86_64-pc-windows-gnu"])
        .env("TINY_PFX_PASSWORD", PASSWORD)
        .env("SOURCE_DATE_EPOCH", "1700000000");
    let windows = run(&mut windows);
    assert!(windows.status.success(), "{}", stderr(&windows));
    r.assert_consistent("after two per-target runs");
    let sums = std::fs::read_to_string(r.out_dir.join("SHA256SUMS")).unwrap();
    for name in [
        "tiny-0.4.2-x86_64-unknown-linux-gnu.tar.gz",
        "tiny_0.4.2_amd64.deb",
        "tiny-0.4.2-1.x86_64.rpm",
        "tiny-0.4.2-x86_64-pc-windows-gnu.zip",
        "tiny-0.4.2-x64.msi",
    ] {
        assert!(sums.contains(name), "{name} is not listed:\n{sums}");
    }
}
