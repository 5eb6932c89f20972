//! Integration tests: every artifact is read back by tools we did not write
//! (dpkg-deb, dpkg, lintian, rpm, rpmlint, bsdtar, desktop-file-validate,
//! appstreamcli). Needs: `apt-get install -y dpkg-dev lintian rpm rpmlint
//! desktop-file-utils appstream libarchive-tools gcc zlib1g-dev`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure
// Tests spawn the independent verifiers; the library itself never does.
#![allow(clippy::disallowed_methods)]

mod deb;
mod desktop;
mod errors;
mod rpm;
mod shlibs;
mod versions;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crateship_linux::{Arch, DesktopApp, LinuxPackage, PackageFile, Release};

/// 2024-05-01 12:00:00 UTC.
pub const SDE: i64 = 1_714_564_800;
/// A destination with spaces, quotes and non-ASCII characters.
pub const ODD_NAME: &str = "usr/share/hello/it's a \"quoted\" naïve file ✓.txt";
/// A destination longer than the 100-byte tar name field.
pub const LONG_NAME: &str = "usr/share/hello/a-rather-long-directory-name-for-testing/and-another-long-one-below-it/with-a-long-file-name.txt";

/// Runs `cmd`, panicking with its output unless it succeeds.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd` successfully and returns its stdout.
pub fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(run(cmd).stdout).expect("UTF-8 output")
}

/// Compiles a small hardened C program that links zlib.
pub fn compile_hello(dir: &Path) -> PathBuf {
    let src = dir.join("hello.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\n#include <zlib.h>\nint main(int argc, char **argv) {\n  \
         (void)argv;\n  printf(\"hello from crateship, zlib %s, %d args\\n\", zlibVersion(), argc - 1);\n  \
         return 0;\n}\n",
    )
    .unwrap();
    let bin = dir.join("hello");
    run(Command::new("gcc")
        .args([
            "-O2",
            "-s",
            "-D_FORTIFY_SOURCE=2",
            "-fstack-protector-strong",
            "-fPIE",
            "-pie",
            "-Wl,-z,relro",
            "-Wl,-z,now",
            "-o",
        ])
        .arg(&bin)
        .arg(&src)
        .arg("-lz"));
    bin
}

/// The desktop metadata of the sample app.
pub fn desktop_app() -> DesktopApp {
    DesktopApp {
        app_id: "org.example.Hello".into(),
        name: "Hello Desktop".into(),
        summary: "Greets the world from a desktop app".into(),
        description: "Hello Desktop is a small example application.\n\nIt shows how crateship packages an app."
            .into(),
        exec: "hello".into(),
        icon: "org.example.Hello".into(),
        categories: vec!["Utility".into()],
        keywords: vec!["greeting".into(), "example".into()],
        mime_types: vec![],
        terminal: false,
        developer_name: "Example Developers".into(),
        homepage: Some("https://example.org/hello".into()),
        metadata_license: "CC0-1.0".into(),
        project_license: Some("MIT".into()),
        content_rating: "oars-1.1".into(),
        releases: vec![Release { version: "1.2.3".into(), date: SDE }],
        desktop_template: None,
        metainfo_template: None,
    }
}

/// The MIT license text.
pub const MIT: &str =
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the \"Software\"), to deal in the Software
without restriction, including without limitation the rights to use, copy, modify,
merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to the following
conditions:

The above copyright notice and this permission notice shall be included in all copies
or substantial portions of the Software.

THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE
OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.";

/// The package every format test builds: a real binary, desktop file, metainfo,
/// icon, a file with an awkward name and one with a long path.
pub fn sample_package(dir: &Path, version: &str) -> LinuxPackage {
    let bin = compile_hello(dir);
    let app = desktop_app();
    let mut pkg = LinuxPackage::new(
        "hello",
        version,
        "Greets the world",
        "Jane Doe <jane@example.org>",
        Arch::X86_64,
    );
    pkg.description =
        "Hello is a small example program.\n\nIt exists to test the Linux package writers of \
                       crateship and prints a greeting."
            .into();
    pkg.license = Some("MIT".into());
    pkg.license_text = Some(MIT.into());
    pkg.copyright = Some("2024 Jane Doe".into());
    pkg.homepage = Some("https://example.org/hello".into());
    pkg.vendor = Some("Example".into());
    pkg.glibc_floor = Some("2.34".into());
    pkg.deb_depends = vec!["zlib1g (>= 1:1.1.4)".into()];
    pkg.source_date_epoch = SDE;
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16\" height=\"16\"><rect width=\"16\" \
               height=\"16\" fill=\"#36c\"/></svg>\n";
    pkg.files = vec![
        PackageFile::from_path(&bin, "usr/bin/hello", 0o755),
        PackageFile::from_bytes(
            crateship_linux::desktop_entry(&app).unwrap(),
            app.desktop_dest(),
            0o644,
        ),
        PackageFile::from_bytes(
            crateship_linux::metainfo_xml(&app).unwrap(),
            app.metainfo_dest(),
            0o644,
        ),
        PackageFile::from_bytes(
            svg,
            "usr/share/icons/hicolor/scalable/apps/org.example.Hello.svg",
            0o644,
        ),
        PackageFile::from_bytes("Read me.\n", "usr/share/doc/hello/README", 0o644),
        PackageFile::from_bytes("odd name\n", ODD_NAME, 0o644),
        PackageFile::from_bytes("long name\n", LONG_NAME, 0o644),
    ];
    pkg
}

/// Every path under `root` (relative, sorted), skipping `skip` prefixes.
pub fn tree(root: &Path, skip: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if skip.iter().any(|s| rel.starts_with(s)) {
                continue;
            }
            if path.is_dir() && !path.is_symlink() {
                stack.push(path.clone());
            }
            out.push(rel);
        }
    }
    out.sort();
    out
}
