//! User templates for Info.plist, Distribution and PackageInfo: filled, checked,
//! and read back by plistlib, bsdtar and xmllint; broken ones are refused with
//! the template's name and nothing is written.

use std::fs;
use std::path::Path;
use std::process::Command;

use crateship_macos::{INFO_PLIST_TEMPLATE, PkgInfo, UserTemplate, write_app, write_pkg};

use crate::{SDE, built_app, python, run, sample_app};

fn user(name: &str, text: String) -> Option<UserTemplate> {
    Some(UserTemplate {
        name: name.into(),
        text,
    })
}

fn write_app_with(dir: &Path, template: String) -> Result<std::path::PathBuf, String> {
    let mut app = sample_app(dir);
    app.info_plist_template = user("packaging/Info.plist", template);
    let stage = dir.join("stage");
    fs::create_dir_all(&stage).unwrap();
    write_app(&app, &stage).map_err(|e| {
        assert!(
            fs::read_dir(&stage).unwrap().next().is_none(),
            "a refused bundle must leave nothing in the staging dir"
        );
        e.to_string()
    })
}

#[test]
fn info_plist_template_adds_keys_and_keeps_generated_ones() {
    let dir = tempfile::tempdir().unwrap();
    let template = INFO_PLIST_TEMPLATE.replace(
        "<key>NSHighResolutionCapable</key><true/>",
        "<key>NSHighResolutionCapable</key><true/>\n\t<key>LSUIElement</key><true/>\n\t\
         <key>NSSupportsAutomaticGraphicsSwitching</key><true/>",
    );
    let app = write_app_with(dir.path(), template).unwrap();
    let out = python(
        r#"
import plistlib, sys
d = plistlib.load(open(sys.argv[1], "rb"))
print(d["LSUIElement"], d["NSSupportsAutomaticGraphicsSwitching"], d["CFBundleExecutable"],
      d["CFBundleIdentifier"], d["CFBundleURLTypes"][0]["CFBundleURLSchemes"][0],
      d["NSCameraUsageDescription"])
"#,
        &[&app.join("Contents/Info.plist")],
    );
    assert_eq!(
        out.trim(),
        "True True hello org.example.hello hello To wave."
    );
}

#[test]
fn info_plist_template_cannot_change_keys_crateship_relies_on() {
    let dir = tempfile::tempdir().unwrap();
    let template = INFO_PLIST_TEMPLATE.replace("{{executable}}", "other");
    let err = write_app_with(dir.path(), template).unwrap_err();
    assert!(
        err.contains("packaging/Info.plist")
            && err.contains("CFBundleExecutable")
            && err.contains("{{executable}}"),
        "{err}"
    );
}

#[test]
fn info_plist_template_errors_name_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = INFO_PLIST_TEMPLATE.replace("{{copyright}}", "{{copyrite}}");
    let err = write_app_with(dir.path(), unknown).unwrap_err();
    assert!(
        err.contains("packaging/Info.plist")
            && err.contains("copyrite")
            && err.contains("copyright"),
        "{err}"
    );
    let broken = INFO_PLIST_TEMPLATE.replace("</dict>", "");
    let err = write_app_with(dir.path(), broken).unwrap_err();
    assert!(err.contains("not a valid XML property list"), "{err}");
    // A key the config generates (URL schemes) may not also come from the template.
    let twice =
        INFO_PLIST_TEMPLATE.replace("<dict>", "<dict>\n\t<key>CFBundleURLTypes</key><array/>");
    let err = write_app_with(dir.path(), twice).unwrap_err();
    assert!(err.contains("CFBundleURLTypes"), "{err}");
}

fn pkg_with(dir: &Path, info: PkgInfo) -> Result<std::path::PathBuf, String> {
    let app = built_app(dir);
    let out = dir.join("Hello.pkg");
    let mut bytes = Vec::new();
    write_pkg(&app, &info, &mut bytes).map_err(|e| e.to_string())?;
    fs::write(&out, bytes).unwrap();
    Ok(out)
}

#[test]
fn distribution_and_package_info_templates_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let mut info = PkgInfo::new("Hello Desktop", SDE);
    let dist = crateship_macos::DISTRIBUTION_TEMPLATE.replace(
        "    <title>{{title}}</title>",
        "    <title>{{title}}</title>\n    <license file=\"LICENSE.txt\"/>",
    );
    info.distribution_template = user("packaging/Distribution.xml", dist);
    info.package_info_template = user(
        "packaging/PackageInfo.xml",
        crateship_macos::PACKAGE_INFO_TEMPLATE.replace(
            "postinstall-action=\"none\"",
            "postinstall-action=\"restart\"",
        ),
    );
    let pkg = pkg_with(dir.path(), info).unwrap();
    let x = dir.path().join("x");
    fs::create_dir(&x).unwrap();
    run(Command::new("bsdtar")
        .arg("-xf")
        .arg(&pkg)
        .arg("-C")
        .arg(&x));
    for f in ["Distribution", "Hello.pkg/PackageInfo"] {
        run(Command::new("xmllint").arg("--noout").arg(x.join(f)));
    }
    let dist = fs::read_to_string(x.join("Distribution")).unwrap();
    assert!(dist.contains("<license file=\"LICENSE.txt\"/>"), "{dist}");
    assert!(dist.contains(">#Hello.pkg</pkg-ref>"), "{dist}");
    let info = fs::read_to_string(x.join("Hello.pkg/PackageInfo")).unwrap();
    assert!(info.contains("postinstall-action=\"restart\""), "{info}");
}

#[test]
fn broken_pkg_templates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut info = PkgInfo::new("Hello Desktop", SDE);
    info.distribution_template = user(
        "packaging/Distribution.xml",
        crateship_macos::DISTRIBUTION_TEMPLATE.replace("#{{component}}", "Hello.pkg"),
    );
    let err = pkg_with(dir.path(), info).unwrap_err();
    let dir = tempfile::tempdir().unwrap();
    assert!(
        err.contains("packaging/Distribution.xml") && err.contains("#{{component}}"),
        "{err}"
    );

    let mut info = PkgInfo::new("Hello Desktop", SDE);
    info.package_info_template = user(
        "packaging/PackageInfo.xml",
        crateship_macos::PACKAGE_INFO_TEMPLATE.replace("</pkg-info>", "</pkg-inf>"),
    );
    let err = pkg_with(dir.path(), info).unwrap_err();
    assert!(
        err.contains("packaging/PackageInfo.xml") && err.contains("well-formed"),
        "{err}"
    );
}
