//! Shared-library dependencies: NEEDED → rpm Requires and deb Depends.

use std::process::Command;

use crateship_linux::{deb_shlib_depends, elf_needs};

use crate::{deb::build_deb, rpm::build_rpm, sample_package, stdout};

/// The resolver crateship passes in: the host's dpkg database.
fn dpkg_search(soname: &str) -> Option<String> {
    let out = Command::new("dpkg-query")
        .args(["-S", &format!("*/{soname}")])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.lines()
        .next()
        .and_then(|l| l.split_once(": "))
        .map(|(pkgs, _)| pkgs.split(", ").next().unwrap().to_owned())
}

#[test]
fn zlib_program_gets_depends_and_requires() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    pkg.glibc_floor = None;
    let needs = elf_needs(&pkg.files, pkg.arch).unwrap();
    assert!(
        needs.sonames.contains("libz.so.1") && needs.sonames.contains("libc.so.6"),
        "{needs:?}"
    );

    let resolved = deb_shlib_depends(&pkg, &dpkg_search).unwrap();
    assert!(resolved.unmapped.is_empty(), "{resolved:?}");
    assert!(
        resolved.depends.iter().any(|d| d == "zlib1g"),
        "{resolved:?}"
    );
    let floor = needs.glibc_floor().expect("a GLIBC_ version");
    assert!(
        resolved.depends.contains(&format!("libc6 (>= {floor})")),
        "{resolved:?}"
    );
    pkg.deb_depends = resolved.depends;

    let deb = build_deb(&pkg, tmp.path());
    let depends = stdout(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Depends"));
    assert_eq!(depends.trim(), format!("libc6 (>= {floor}), zlib1g"));

    let rpm = build_rpm(&pkg, tmp.path());
    let requires = stdout(Command::new("rpm").arg("-qpR").arg(&rpm));
    assert!(requires.contains("libz.so.1()(64bit)\n"), "{requires}");
    assert!(requires.contains("libc.so.6()(64bit)\n"), "{requires}");
    assert!(
        requires.contains(&format!("libc.so.6(GLIBC_{floor})(64bit)\n")),
        "{requires}"
    );
}

#[test]
fn unmapped_sonames_are_reported_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = sample_package(tmp.path(), "1.2.3");
    let resolved = deb_shlib_depends(&pkg, &|s| {
        (s == "libc.so.6").then(|| "libc6:amd64".to_owned())
    })
    .unwrap();
    assert_eq!(resolved.unmapped, ["libz.so.1"]);
    assert_eq!(resolved.depends, ["libc6 (>= 2.34)"]);
}

#[test]
fn gui_app_linking_fontconfig_and_freetype_declares_them() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("gui.c");
    std::fs::write(
        &src,
        "int FcInit(void);\nint FT_Init_FreeType(void **lib);\n\
         int main(void) { void *ft = 0; return FcInit() && FT_Init_FreeType(&ft) == 0 ? 0 : 1; }\n",
    )
    .unwrap();
    let bin = tmp.path().join("gui");
    crate::run(
        Command::new("gcc")
            .args(["-O2", "-s", "-o"])
            .arg(&bin)
            .arg(&src)
            .args(["-lfontconfig", "-lfreetype"]),
    );
    let mut pkg = sample_package(tmp.path(), "1.2.3");
    pkg.files[0] = crateship_linux::PackageFile::from_path(&bin, "usr/bin/hello", 0o755);
    pkg.deb_depends = deb_shlib_depends(&pkg, &dpkg_search).unwrap().depends;

    let deb = build_deb(&pkg, tmp.path());
    let depends = stdout(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Depends"));
    for want in ["libfontconfig1", "libfreetype6", "libc6 (>= "] {
        assert!(
            depends.contains(want),
            "{want} missing from Depends: {depends}"
        );
    }
    let rpm = build_rpm(&pkg, tmp.path());
    let requires = stdout(Command::new("rpm").arg("-qpR").arg(&rpm));
    for want in ["libfontconfig.so.1()(64bit)", "libfreetype.so.6()(64bit)"] {
        assert!(
            requires.contains(want),
            "{want} missing from Requires: {requires}"
        );
    }
}
