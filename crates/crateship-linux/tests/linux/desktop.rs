//! .desktop and metainfo validated by desktop-file-validate and appstreamcli.

use std::process::Command;

use crateship_linux::{LinuxError, desktop_entry, desktop_entry_from_template, metainfo_xml};

use crate::{desktop_app, run};

#[test]
fn desktop_entry_passes_desktop_file_validate() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = crate::desktop_app();
    app.mime_types = vec!["text/plain".into()];
    app.exec = "/opt/Hello App/bin/hello $1".into();
    app.keywords.push("semi;colon".into());
    let text = desktop_entry(&app).unwrap();
    assert!(
        text.contains("Exec=\"/opt/Hello App/bin/hello \\\\$1\" %F\n"),
        "{text}"
    );
    assert!(
        text.contains("Keywords=greeting;example;semi\\;colon;\n"),
        "{text}"
    );
    let path = tmp.path().join(app.desktop_file_name());
    std::fs::write(&path, &text).unwrap();
    let out = run(Command::new("desktop-file-validate").arg(&path));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "desktop-file-validate complained"
    );
}

#[test]
fn desktop_entry_drops_lines_of_empty_optional_fields() {
    let mut app = desktop_app();
    app.keywords.clear();
    let text = desktop_entry(&app).unwrap();
    assert!(
        !text.contains("Keywords") && !text.contains("MimeType"),
        "{text}"
    );
    assert!(
        text.contains("Exec=hello\n") && text.contains("Categories=Utility;\n"),
        "{text}"
    );
}

#[test]
fn metainfo_passes_appstreamcli_validate() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = desktop_app();
    app.name = "Hello & <Friends>".into();
    app.releases.insert(
        0,
        crateship_linux::Release {
            version: "1.3.0-beta.1".into(),
            date: crate::SDE + 86_400,
        },
    );
    let text = metainfo_xml(&app).unwrap();
    assert!(
        text.contains("<name>Hello &amp; &lt;Friends&gt;</name>"),
        "{text}"
    );
    assert!(
        text.contains(
            "<release version=\"1.3.0-beta.1\" date=\"2024-05-02\" type=\"development\"/>"
        ),
        "{text}"
    );
    let path = tmp.path().join(format!("{}.metainfo.xml", app.app_id));
    std::fs::write(&path, &text).unwrap();
    let out = Command::new("appstreamcli")
        .args(["validate", "--no-net", "--explain"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "appstreamcli validate failed:\n{}\n{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn missing_main_category_is_a_clear_error() {
    let mut app = desktop_app();
    app.categories = vec![];
    let err = desktop_entry(&app).unwrap_err();
    assert!(
        matches!(
            err,
            LinuxError::InvalidDesktop {
                field: "categories",
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("Utility") && msg.contains("[package.metadata.crateship.linux]"),
        "{msg}"
    );
    app.categories = vec!["GTK".into()];
    assert!(metainfo_xml(&app).is_err());
}

#[test]
fn user_template_overrides_and_unknown_placeholders_fail() {
    let app = desktop_app();
    let text = desktop_entry_from_template(
        "[Desktop Entry]\nType=Application\nName={{name}}\nExec=hello\nX-Id={{id}}\n",
        &app,
    )
    .unwrap();
    assert_eq!(
        text,
        "[Desktop Entry]\nType=Application\nName=Hello Desktop\nExec=hello\nX-Id=org.example.Hello\n"
    );
    let err = desktop_entry_from_template("Name={{nmae}}\n", &app)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nmae") && err.contains("known placeholders"),
        "{err}"
    );
}

#[test]
fn templates_carried_by_the_app_are_used_and_named_in_errors() {
    let mut app = desktop_app();
    app.desktop_template = Some(crateship_linux::UserTemplate {
        name: "packaging/hello.desktop".into(),
        text: "[Desktop Entry]\nType=Application\nName={{name}}\nExec={{exec}}\nIcon={{icon}}\n\
               Categories={{categories}}\nX-Custom=yes\n"
            .into(),
    });
    let text = desktop_entry(&app).unwrap();
    assert!(
        text.contains("X-Custom=yes\n") && text.contains("Name=Hello Desktop\n"),
        "{text}"
    );
    app.metainfo_template = Some(crateship_linux::UserTemplate {
        name: "packaging/hello.metainfo.xml".into(),
        text: "<component>{{nope}}</component>\n".into(),
    });
    let err = metainfo_xml(&app).unwrap_err().to_string();
    assert!(
        err.contains("packaging/hello.metainfo.xml") && err.contains("nope"),
        "{err}"
    );
}

#[test]
fn filled_templates_that_break_their_syntax_are_refused_with_the_line() {
    let template = |text: &str| crateship_linux::UserTemplate {
        name: "packaging/app.desktop".into(),
        text: text.into(),
    };
    let ok = "[Desktop Entry]\nType=Application\nName={{name}}\nExec={{exec}}\n\n# note\n[Desktop Action New]\nName=New\n";
    crateship_linux::check_templates(Some(&template(ok)), None).unwrap();
    for (text, needle) in [
        (
            "[Desktop Entry]\nType=Application\nName={{name}}\nExec {{exec}}\n",
            "line 4",
        ),
        ("Type=Application\n", "before the `[Desktop Entry]` header"),
        ("[Other]\nType=Application\n", "must be `[Desktop Entry]`"),
        (
            "[Desktop Entry]\nType=Application\nName=a\nName=b\nExec=x\n",
            "`Name` is set twice",
        ),
        ("[Desktop Entry]\nName={{name}}\nExec=x\n", "no `Type=`"),
        ("[Desktop Entry]\nType=Application\nName=a\n", "no `Exec=`"),
        (
            "[Desktop Entry]\nType=Application\nName=a\nExec=x\nBad Key=1\n",
            "`Bad Key` is not a key",
        ),
        ("", "no `[Desktop Entry]` group"),
    ] {
        let err = crateship_linux::check_templates(Some(&template(text)), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("packaging/app.desktop") && err.contains(needle),
            "{text:?}: {err}"
        );
    }
    // D-Bus activated applications need no Exec.
    crateship_linux::check_templates(
        Some(&template(
            "[Desktop Entry]\nType=Application\nName=a\nDBusActivatable=true\n",
        )),
        None,
    )
    .unwrap();
    let metainfo = |text: &str| crateship_linux::UserTemplate {
        name: "packaging/app.metainfo.xml".into(),
        text: text.into(),
    };
    crateship_linux::check_templates(None, Some(&metainfo(crateship_linux::METAINFO_TEMPLATE)))
        .unwrap();
    for (text, needle) in [
        ("<component><id>{{id}}</id>\n", "never closed"),
        ("<application/>\n", "must be a `<component>`"),
    ] {
        let err = crateship_linux::check_templates(None, Some(&metainfo(text)))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("packaging/app.metainfo.xml") && err.contains(needle),
            "{text:?}: {err}"
        );
    }
}
