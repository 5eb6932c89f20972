//! Signed artifacts are signed before they are published: a run killed (SIGKILL)
//! while an MSI, an rpm or an AppImage is being signed leaves the previous signed
//! artifact in place, and no unsigned file ever stands under the final name.
//!
//! Each test releases once (signed, verified with the format's own verifier),
//! then starts a second release with other bytes and watches the out dir: the
//! moment the artifact is staged for signing (a hidden `.crateship-…-staged-NAME`
//! file appears) the run is killed. Had the artifact been published first and
//! signed in place, its final name would change before any staging file
//! appears — the watcher kills at that moment too, and the checks below fail
//! on the unsigned file it finds.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::signing::*;
use crate::support::*;

/// A project whose MSI, rpm and AppImage are signed, with a 24 MB resource so
/// that signing takes long enough to be caught.
struct Signed {
    tmp: tempfile::TempDir,
    manifest: PathBuf,
    out_dir: PathBuf,
    secret: String,
    public: PathBuf,
}

fn signed_project() -> Signed {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let config = "identifier = \"org.example.tiny\"\nresources = [\"data/*\"]\n\
                  [package.metadata.crateship.signing]\n\
                  windows-pfx = \"cert.pfx\"\nwindows-password-env = \"TINY_PFX_PASSWORD\"\n\
                  pgp-key-env = \"TINY_PGP_KEY\"";
    let manifest = tiny_project(&project, "tiny", config);
    let toml = std::fs::read_to_string(&manifest).unwrap().replace(
        "license = \"MIT\"",
        "license = \"MIT\"\nauthors = [\"Tiny Maintainer <tiny@example.org>\"]",
    );
    std::fs::write(&manifest, toml).unwrap();
    pki(&project);
    std::fs::create_dir_all(project.join("data")).unwrap();
    // Incompressible, so the artifacts stay big and signing them takes a while.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let blob: Vec<u8> = (0..24 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    std::fs::write(project.join("data/blob.bin"), blob).unwrap();
    let (secret, public) = pgp_keypair(&tmp.path().join("gnupg"), "ed25519");
    let public_file = tmp.path().join("public.asc");
    std::fs::write(&public_file, public).unwrap();
    let out_dir = tmp.path().join("out");
    Signed {
        manifest,
        out_dir,
        secret,
        public: public_file,
        tmp,
    }
}

impl Signed {
    /// `dist` of `format` for `target` from the binaries in `bins`.
    fn dist(&self, bins: &Path, target: &str, format: &str, epoch: &str) -> std::process::Command {
        let mut cmd = dist_prebuilt(&self.manifest, bins, &self.out_dir);
        cmd.args(["--target", target, "--format", format])
            .env("TINY_PFX_PASSWORD", PASSWORD)
            .env("TINY_PGP_KEY", &self.secret)
            .env("SOURCE_DATE_EPOCH", epoch);
        cmd
    }
}

/// What the watcher saw when it killed the run.
#[derive(Debug, PartialEq)]
enum Moment {
    /// A hidden staging file appeared: the artifact was being signed.
    Staged,
    /// The final name changed before any staging file appeared.
    Published,
    /// The run ended before either.
    Finished,
}

/// Starts `cmd` and kills it (SIGKILL) the moment `artifact` is staged or
/// replaced in `out_dir`.
fn kill_while_signing(mut cmd: std::process::Command, out_dir: &Path, artifact: &Path) -> Moment {
    let before = std::fs::metadata(artifact).unwrap().ino();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    let moment = loop {
        let staged = list(out_dir)
            .iter()
            .any(|n| n.starts_with(".crateship-") && n.contains("-staged-"));
        if staged {
            break Moment::Staged;
        }
        if std::fs::metadata(artifact).map(|m| m.ino()).ok() != Some(before) {
            break Moment::Published;
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            break Moment::Finished;
        }
        std::thread::sleep(Duration::from_micros(500));
    };
    let _ = child.kill();
    let _ = child.wait();
    moment
}

/// Releases `format` twice, killing the second run while it signs, and checks
/// with `signed` that the file under the final name is the previous signed one.
fn check_format(
    target: &str,
    format: &str,
    artifact: &str,
    bins: &Path,
    signed: impl Fn(&Signed, &Path) -> Result<(), String>,
) {
    let p = signed_project();
    let first = run(&mut p.dist(bins, target, format, "1700000000"));
    assert!(first.status.success(), "{}", stderr(&first));
    let path = p.out_dir.join(artifact);
    signed(&p, &path).unwrap_or_else(|e| panic!("the first release is not signed: {e}"));
    let previous = std::fs::read(&path).unwrap();

    let moment = kill_while_signing(
        p.dist(bins, target, format, "1700000100"),
        &p.out_dir,
        &path,
    );
    if let Err(e) = signed(&p, &path) {
        panic!("after a kill ({moment:?}) the file under {artifact} is not signed: {e}");
    }
    assert_eq!(
        moment,
        Moment::Staged,
        "the run must be killed while the artifact is staged for signing"
    );
    assert!(
        std::fs::read(&path).unwrap() == previous,
        "the previous signed {artifact} must stay in place"
    );
    let finals: Vec<String> = list(&p.out_dir)
        .into_iter()
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert!(finals.contains(&artifact.to_owned()), "{finals:?}");
    drop(p.tmp);
}

#[test]
fn a_kill_while_the_msi_is_signed_keeps_the_previous_signed_msi() {
    let tmp = tempfile::tempdir().unwrap();
    let bins = tmp.path().join("bins");
    windows_exe(&bins.join("tiny.exe"));
    check_format(
        "x86_64-pc-windows-gnu",
        "msi",
        "tiny-0.4.2-x64.msi",
        &bins,
        |p, msi| {
            let out = run(std::process::Command::new("osslsigncode")
                .args(["verify", "-CAfile"])
                .arg(p.manifest.parent().unwrap().join("cert.pem"))
                .arg("-in")
                .arg(msi));
            let text = format!("{}{}", stdout(&out), stderr(&out));
            (out.status.success() && text.contains("Signature verification: ok"))
                .then_some(())
                .ok_or(text)
        },
    );
}

#[test]
fn a_kill_while_the_rpm_is_signed_keeps_the_previous_signed_rpm() {
    let tmp = tempfile::tempdir().unwrap();
    let bins = binary_dir(tmp.path(), "tiny");
    let db = tmp.path().join("rpmdb");
    check_format(
        "x86_64-unknown-linux-gnu",
        "rpm",
        "tiny-0.4.2-1.x86_64.rpm",
        &bins,
        |p, rpm| {
            let _ = std::fs::remove_dir_all(&db);
            let (ok, text) = rpm_check(&db, Some(&p.public), rpm);
            (ok && text.contains("signatures OK"))
                .then_some(())
                .ok_or(text)
        },
    );
}

#[test]
fn a_kill_while_the_appimage_is_signed_keeps_the_previous_signed_appimage() {
    let tmp = tempfile::tempdir().unwrap();
    let bins = binary_dir(tmp.path(), "tiny");
    check_format(
        "x86_64-unknown-linux-gnu",
        "appimage",
        "tiny-0.4.2-x86_64.AppImage",
        &bins,
        |_, appimage| {
            let out = run(std::process::Command::new(appimage).arg("--appimage-signature"));
            let text = stdout(&out);
            (out.status.success() && text.contains("-----BEGIN PGP SIGNATURE-----"))
                .then_some(())
                .ok_or(format!("{text}{}", stderr(&out)))
        },
    );
}
