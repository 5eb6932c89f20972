//! Packs every file below a directory into an MSI: `cargo run --release --example dir2msi -- DIR OUT.msi`.
//!
//! A manual benchmark and debugging aid (e.g. against `wixl` on the standard payload);
//! the first file found whose name ends in `.exe` (or else the first file) is the shortcut target.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // a development tool: printing and panicking on bad input is its job

use std::fs::{self, OpenOptions};
use std::path::Path;

use crateship_windows::{MsiArch, MsiFile, MsiPackage, write_msi};

fn collect(root: &Path, dir: &Path, files: &mut Vec<MsiFile>) {
    for entry in fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let dest = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.push(MsiFile { source: path, dest });
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, out] = args.as_slice() else {
        eprintln!("usage: dir2msi DIR OUT.msi");
        std::process::exit(2);
    };
    let root = Path::new(dir);
    let mut files = Vec::new();
    collect(root, root, &mut files);
    files.sort_by(|a, b| a.dest.cmp(&b.dest));
    let main_exe = files
        .iter()
        .find(|f| f.dest.ends_with(".exe"))
        .or(files.first())
        .map(|f| f.dest.clone())
        .unwrap_or_default();
    let pkg = MsiPackage {
        product_name: "SamplePayload".into(),
        manufacturer: "crateship".into(),
        version: "1.0.0".into(),
        identifier: "org.example.sample-payload".into(),
        upgrade_code: None,
        description: String::new(),
        homepage: None,
        files,
        main_exe,
        icon: None,
        desktop_shortcut: false,
        per_user: false,
        arch: MsiArch::X64,
        source_date_epoch: 1_704_067_200,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(out)
        .expect("output file can be created");
    if let Err(err) = write_msi(&pkg, &mut file) {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}
