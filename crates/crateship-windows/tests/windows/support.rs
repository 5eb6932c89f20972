//! Fixtures: a sample payload with nested folders, spaces and non-ASCII names, a real
//! `.ico`, and helpers that run the external verifiers.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crateship_windows::{MsiArch, MsiError, MsiFile, MsiPackage, write_msi};

/// Fixed SOURCE_DATE_EPOCH of the fixtures (2023-11-14).
pub const EPOCH: i64 = 1_700_000_000;

/// Payload destinations and contents of the sample app.
pub fn sample_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("hello.exe", b"MZ pretend executable".to_vec()),
        ("README.txt", b"read me\n".to_vec()),
        ("data/config.toml", b"answer = 42\n".to_vec()),
        (
            "data/deep/deeper/deepest/leaf.bin",
            (0..=255u8).cycle().take(70_000).collect(),
        ),
        ("my docs/user guide.txt", b"spaces in names\n".to_vec()),
        (
            "Grüße/naïve café ✓.txt",
            "non-ASCII ✓ content".as_bytes().to_vec(),
        ),
        ("empty.dat", Vec::new()),
    ]
}

/// A 16×16 32-bit BMP icon, the smallest real `.ico`.
pub fn ico_bytes() -> Vec<u8> {
    let size = 16u32;
    let pixels = (size * size * 4) as usize;
    let mask = (size * 4) as usize; // 1 bpp rows padded to 32 bits
    let image_len = 40 + pixels + mask;
    let mut ico = Vec::new();
    ico.extend_from_slice(&[0, 0, 1, 0, 1, 0]);
    ico.extend_from_slice(&[16, 16, 0, 0, 1, 0, 32, 0]);
    ico.extend_from_slice(&(image_len as u32).to_le_bytes());
    ico.extend_from_slice(&22u32.to_le_bytes());
    ico.extend_from_slice(&40u32.to_le_bytes());
    ico.extend_from_slice(&(size as i32).to_le_bytes());
    ico.extend_from_slice(&((size * 2) as i32).to_le_bytes());
    ico.extend_from_slice(&1u16.to_le_bytes());
    ico.extend_from_slice(&32u16.to_le_bytes());
    ico.extend_from_slice(&[0; 24]);
    for i in 0..size * size {
        ico.extend_from_slice(&[(i % 256) as u8, 0x80, 0x20, 0xff]);
    }
    ico.extend(std::iter::repeat_n(0u8, mask));
    ico
}

/// Writes the sample payload and icon below `dir` and returns the package.
pub fn sample_package(dir: &Path) -> MsiPackage {
    let src = dir.join("payload");
    let mut files = Vec::new();
    for (dest, bytes) in sample_files() {
        let path = src.join(dest);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        files.push(MsiFile {
            source: path,
            dest: dest.to_owned(),
        });
    }
    let icon = dir.join("hello.ico");
    fs::write(&icon, ico_bytes()).unwrap();
    MsiPackage {
        product_name: "Hello Desktop".into(),
        manufacturer: "Example Corp".into(),
        version: "1.2.3".into(),
        identifier: "org.example.hello".into(),
        upgrade_code: None,
        description: "Says hello".into(),
        homepage: Some("https://example.org/hello".into()),
        files,
        main_exe: "hello.exe".into(),
        icon: Some(icon),
        desktop_shortcut: true,
        per_user: false,
        arch: MsiArch::X64,
        source_date_epoch: EPOCH,
    }
}

/// Builds `pkg` into `path` the way the pipeline does (a read+write file).
pub fn build(pkg: &MsiPackage, path: &Path) -> Result<(), MsiError> {
    let mut out = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .unwrap();
    write_msi(pkg, &mut out)
}

/// Builds the sample package into `dir/hello.msi`.
pub fn build_sample(dir: &Path) -> (MsiPackage, PathBuf) {
    let pkg = sample_package(dir);
    let msi = dir.join("hello.msi");
    build(&pkg, &msi).unwrap();
    (pkg, msi)
}

/// Runs a verifier; panics with its output if it cannot be started.
pub fn run(program: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = Command::new(program);
    for arg in args {
        cmd.arg(arg);
    }
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run `{program}` ({e}); install it (Debian: msitools, osslsigncode)")
    })
}

/// Runs a verifier that must succeed and returns its stdout.
pub fn run_ok(program: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "`{program}` failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `msiinfo export MSI TABLE`, parsed into rows of tab-separated fields (header lines dropped).
pub fn export(msi: &Path, table: &str) -> Vec<Vec<String>> {
    let text = run_ok("msiinfo", &[&"export", &msi, &table]);
    text.lines()
        .skip(3)
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

/// Opens a file read-only (to check it was left alone).
pub fn read(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut File::open(path).unwrap(), &mut bytes).unwrap();
    bytes
}
