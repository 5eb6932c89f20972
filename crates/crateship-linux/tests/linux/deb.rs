//! .deb read back with dpkg-deb, lintian and dpkg itself.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use crateship_linux::{DebCompression, LinuxPackage, deb_file_name, write_deb, write_deb_with};

use crate::{LONG_NAME, ODD_NAME, run, sample_package, stdout, tree};

pub fn build_deb(pkg: &LinuxPackage, dir: &Path) -> PathBuf {
    let path = dir.join(deb_file_name(&pkg.name, &pkg.version, pkg.arch));
    write_deb(pkg, File::create(&path).unwrap()).unwrap();
    path
}

#[test]
fn deb_fields_and_entries_read_back_by_dpkg_deb() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let deb = build_deb(&pkg, tmp.path());
    assert_eq!(deb.file_name().unwrap(), "hello_1.2.3_amd64.deb");

    let field = |name: &str| {
        stdout(Command::new("dpkg-deb").arg("-f").arg(&deb).arg(name))
            .trim()
            .to_owned()
    };
    assert_eq!(field("Package"), "hello");
    assert_eq!(field("Version"), "1.2.3");
    assert_eq!(field("Architecture"), "amd64");
    assert_eq!(field("Maintainer"), "Jane Doe <jane@example.org>");
    assert_eq!(field("Depends"), "libc6 (>= 2.34), zlib1g (>= 1:1.1.4)");
    assert_eq!(field("Homepage"), "https://example.org/hello");
    assert!(field("Installed-Size").parse::<u64>().unwrap() > 0);

    let info = stdout(Command::new("dpkg-deb").arg("-I").arg(&deb));
    assert!(
        info.contains(" control") && info.contains(" md5sums"),
        "{info}"
    );
    assert!(
        info.contains(" Description: Greets the world\n  Hello is a small example program.\n  .\n"),
        "{info}"
    );

    let listing = stdout(Command::new("dpkg-deb").arg("-c").arg(&deb));
    let lines: Vec<&str> = listing.lines().collect();
    assert!(
        lines[0].starts_with("drwxr-xr-x root/root") && lines[0].ends_with(" ./"),
        "{listing}"
    );
    for line in &lines {
        assert!(line.contains(" root/root "), "not root-owned: {line}");
        assert!(
            line.contains(" 2024-05-01 12:00 "),
            "mtime is not SOURCE_DATE_EPOCH: {line}"
        );
    }
    for want in [
        "-rwxr-xr-x root/root",
        "./usr/bin/hello",
        "./usr/share/doc/hello/copyright",
        "./usr/share/doc/hello/changelog.gz",
        "./usr/share/applications/org.example.Hello.desktop",
        "./usr/share/metainfo/org.example.Hello.metainfo.xml",
        &format!("./{ODD_NAME}"),
        &format!("./{LONG_NAME}"),
        "drwxr-xr-x root/root         0 2024-05-01 12:00 ./usr/share/doc/hello/",
    ] {
        assert!(listing.contains(want), "missing {want:?} in\n{listing}");
    }
}

#[test]
fn lintian_accepts_the_deb() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    lintian(&build_deb(&pkg, tmp.path()));
}

#[test]
fn lintian_accepts_a_prerelease_deb_with_scripts_and_conffiles() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "2.0.0-rc.1");
    pkg.files.push(crateship_linux::PackageFile::from_bytes(
        "greeting = 1\n",
        "etc/hello.conf",
        0o644,
    ));
    pkg.conffiles = vec!["etc/hello.conf".into()];
    pkg.scripts.post_install = Some("echo installed".into());
    pkg.scripts.post_remove = Some("echo removed".into());
    lintian(&build_deb(&pkg, tmp.path()));
}

fn lintian(deb: &Path) {
    // Tags we accept, each with its reason:
    let suppressed = [
        // crateship does not generate man pages (yet); desktop apps often have none.
        "no-manual-page",
    ];
    let out = Command::new("lintian")
        .args(["--fail-on", "error,warning", "--tag-display-limit", "0"])
        .arg("--suppress-tags")
        .arg(suppressed.join(","))
        .arg(deb)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let reported: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("E: ") || l.starts_with("W: "))
        .collect();
    assert!(
        out.status.success() && reported.is_empty(),
        "lintian: {}\n{text}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn dpkg_root(dir: &Path) -> PathBuf {
    let root = dir.join("root");
    for sub in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
        "var/log",
    ] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
    std::fs::write(root.join("var/lib/dpkg/available"), "").unwrap();
    root
}

fn dpkg(root: &Path) -> Command {
    let mut cmd = Command::new("dpkg");
    cmd.arg(format!("--root={}", root.display()))
        .arg(format!("--log={}", root.join("var/log/dpkg.log").display()))
        .arg("--force-script-chrootless");
    cmd
}

#[test]
fn dpkg_installs_verifies_runs_and_removes_the_deb() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let deb = build_deb(&pkg, tmp.path());
    let root = dpkg_root(tmp.path());

    run(dpkg(&root).args(["--force-depends", "-i"]).arg(&deb));
    let verify = stdout(dpkg(&root).arg("--verify"));
    assert_eq!(verify, "", "dpkg --verify reported changes");
    let listed = stdout(dpkg(&root).args(["-L", "hello"]));
    assert!(
        listed.contains(&format!("/{ODD_NAME}")) && listed.contains(&format!("/{LONG_NAME}")),
        "{listed}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join(ODD_NAME)).unwrap(),
        "odd name\n"
    );

    // The installed tree as a whole: desktop file + metainfo + icon agree.
    run(Command::new("appstreamcli")
        .args(["validate-tree", "--no-net"])
        .arg(&root));
    let out = stdout(Command::new(root.join("usr/bin/hello")).args(["a", "b c"]));
    assert!(
        out.starts_with("hello from crateship, zlib ") && out.ends_with(", 2 args\n"),
        "{out}"
    );

    run(dpkg(&root).args(["-r", "hello"]));
    assert_eq!(
        tree(&root, &["var"]),
        Vec::<String>::new(),
        "files left after dpkg -r"
    );
}

#[test]
fn deb_is_byte_identical_across_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let a = std::fs::read(build_deb(&pkg, tmp.path())).unwrap();
    // Touch the source binary and shuffle the file order: nothing may change.
    let bin = tmp.path().join("hello");
    let f = File::options().append(true).open(&bin).unwrap();
    f.set_modified(std::time::SystemTime::now()).unwrap();
    let mut shuffled = pkg.clone();
    shuffled.files.reverse();
    let b = std::fs::read(build_deb(&shuffled, tmp.path())).unwrap();
    assert!(a == b, "two builds of the same .deb differ");
}

#[test]
fn gzip_deb_is_read_by_dpkg_deb() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let path = tmp.path().join("gz.deb");
    write_deb_with(&pkg, DebCompression::Gzip, File::create(&path).unwrap()).unwrap();
    let contents = stdout(Command::new("bsdtar").arg("-tf").arg(&path));
    assert_eq!(contents, "debian-binary\ncontrol.tar.gz\ndata.tar.gz\n");
    let listing = stdout(Command::new("dpkg-deb").arg("-c").arg(&path));
    assert!(listing.contains("./usr/bin/hello"), "{listing}");
}

#[test]
fn maintainer_scripts_and_conffiles_reach_the_control_member() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    pkg.files.push(crateship_linux::PackageFile::from_bytes(
        "greeting = 1\n",
        "etc/hello.conf",
        0o644,
    ));
    pkg.conffiles = vec!["etc/hello.conf".into()];
    pkg.scripts.post_install = Some("echo installed".into());
    let deb = build_deb(&pkg, tmp.path());
    let out = tmp.path().join("control");
    run(Command::new("dpkg-deb").arg("-e").arg(&deb).arg(&out));
    assert_eq!(
        std::fs::read_to_string(out.join("conffiles")).unwrap(),
        "/etc/hello.conf\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("postinst")).unwrap(),
        "#!/bin/sh\nset -e\necho installed\n"
    );
    let md5sums = std::fs::read_to_string(out.join("md5sums")).unwrap();
    let line = md5sums
        .lines()
        .find(|l| l.ends_with("  etc/hello.conf"))
        .expect("md5sums line");
    let conf = tmp.path().join("hello.conf");
    std::fs::write(&conf, "greeting = 1\n").unwrap();
    let expected = stdout(Command::new("md5sum").arg(&conf));
    assert_eq!(&line[..32], &expected[..32]);
}

/// Peak resident memory of this test process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn deb_payload_is_streamed_not_held_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    let big = tmp.path().join("big.bin");
    File::create(&big).unwrap().set_len(256 << 20).unwrap();
    pkg.files.push(crateship_linux::PackageFile::from_path(
        &big,
        "usr/share/hello/big.bin",
        0o644,
    ));
    let before = peak_rss_kib();
    let path = tmp.path().join("big.deb");
    write_deb_with(
        &pkg,
        DebCompression::Gzip,
        std::io::BufWriter::new(File::create(&path).unwrap()),
    )
    .unwrap();
    let grown_mib = (peak_rss_kib() - before) / 1024;
    assert!(
        grown_mib < 96,
        "peak RSS grew by {grown_mib} MiB while packaging a 256 MiB file"
    );
    let listing = stdout(Command::new("dpkg-deb").arg("-c").arg(&path));
    assert!(
        listing.contains(" 268435456 2024-05-01 12:00 ./usr/share/hello/big.bin"),
        "{listing}"
    );
}

#[test]
fn already_compressed_files_are_stored_in_their_own_xz_block() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    // 300 KiB of xorshift noise stands in for a PNG or a zip; the text compresses.
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let noise: Vec<u8> = (0..300 << 10)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 32) as u8
        })
        .collect();
    let noise_path = tmp.path().join("noise.bin");
    std::fs::write(&noise_path, &noise).unwrap();
    let words = "lorem ipsum dolor sit amet\n".repeat(4000);
    pkg.files.push(crateship_linux::PackageFile::from_path(
        &noise_path,
        "usr/share/hello/a/noise.bin",
        0o644,
    ));
    pkg.files.push(crateship_linux::PackageFile::from_bytes(
        words.clone(),
        "usr/share/hello/z/words.txt",
        0o644,
    ));
    let deb = build_deb(&pkg, tmp.path());

    // xz itself checks the stream and lists its blocks.
    let member = tmp.path().join("data.tar.xz");
    let raw = run(Command::new("ar").arg("p").arg(&deb).arg("data.tar.xz")).stdout;
    std::fs::write(&member, raw).unwrap();
    run(Command::new("xz").arg("-t").arg(&member));
    let list = stdout(Command::new("xz").args(["--robot", "-lvv"]).arg(&member));
    // block  stream  block-in-stream  block-in-file  comp-offset  uncomp-offset  total  uncomp ...
    let blocks: Vec<(u64, u64)> = list
        .lines()
        .filter(|l| l.starts_with("block\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[6].parse().unwrap(), f[7].parse().unwrap())
        })
        .collect();
    assert_eq!(blocks.len(), 2, "{list}");
    let (compressed_total, compressed_plain) = blocks[0];
    assert!(compressed_total * 4 < compressed_plain, "{list}");
    let (stored_total, stored_plain) = blocks[1];
    assert!(
        stored_plain > 300 << 10 && stored_total > stored_plain,
        "the noise was not stored: {list}"
    );

    // Directories first, then the text, then the stored noise — and both come back whole.
    let listing = stdout(Command::new("dpkg-deb").arg("-c").arg(&deb));
    let kinds: String = listing.lines().map(|l| &l[..1]).collect();
    assert!(
        kinds.trim_start_matches('d').chars().all(|c| c == '-'),
        "{listing}"
    );
    assert!(
        listing
            .trim_end()
            .ends_with("./usr/share/hello/a/noise.bin"),
        "{listing}"
    );
    let out = tmp.path().join("x");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&out));
    assert!(std::fs::read(out.join("usr/share/hello/a/noise.bin")).unwrap() == noise);
    assert_eq!(
        std::fs::read_to_string(out.join("usr/share/hello/z/words.txt")).unwrap(),
        words
    );
}
