//! `.desktop` entries (freedesktop Desktop Entry 1.4, the newest desktop-file-validate 0.26 knows) and AppStream metainfo,
//! rendered from the workspace's `templates/` directory (compiled in) or from a
//! user's own copy (see [`crate::template`] for the placeholder rules).

use std::fmt::Write as _;

use crate::{LinuxError, text};
use crateship_template::{UserTemplate, xml_escape as xml};

/// The built-in `.desktop` template.
pub const DESKTOP_TEMPLATE: &str = include_str!("../../../templates/app.desktop");
/// The built-in AppStream metainfo template.
pub const METAINFO_TEMPLATE: &str = include_str!("../../../templates/metainfo.xml");

/// Registered main categories; a desktop entry needs at least one.
const MAIN_CATEGORIES: &[&str] = &[
    "AudioVideo",
    "Audio",
    "Video",
    "Development",
    "Education",
    "Game",
    "Graphics",
    "Network",
    "Office",
    "Science",
    "Settings",
    "System",
    "Utility",
];

/// One release listed in the metainfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Semver version; pre-releases are marked `type="development"`.
    pub version: String,
    /// Release time, seconds since the Unix epoch.
    pub date: i64,
}

/// What the .desktop file and the metainfo describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopApp {
    /// Reverse-DNS application id (`org.example.Hello`); names both files.
    pub app_id: String,
    /// Human-readable product name (`Hello Desktop`).
    pub name: String,
    /// One-line summary, no trailing period.
    pub summary: String,
    /// Long description; blank lines separate paragraphs.
    pub description: String,
    /// The program to run: a name on PATH or an absolute path.
    pub exec: String,
    /// Icon name from the hicolor theme (usually the app id).
    pub icon: String,
    /// Desktop menu categories; at least one main category (`Utility`, ...).
    pub categories: Vec<String>,
    /// Search keywords.
    pub keywords: Vec<String>,
    /// MIME types the app opens; non-empty adds `%F` to `Exec`.
    pub mime_types: Vec<String>,
    /// Whether the app runs in a terminal.
    pub terminal: bool,
    /// Developer or organisation name.
    pub developer_name: String,
    /// Project homepage.
    pub homepage: Option<String>,
    /// License of the metainfo file itself (`CC0-1.0` is the usual choice).
    pub metadata_license: String,
    /// SPDX license of the project.
    pub project_license: Option<String>,
    /// OARS content rating type (`oars-1.1`); the empty rating means "no such content".
    pub content_rating: String,
    /// Releases, newest first.
    pub releases: Vec<Release>,
    /// A user's `.desktop` template instead of `templates/app.desktop`.
    pub desktop_template: Option<UserTemplate>,
    /// A user's metainfo template instead of `templates/metainfo.xml`.
    pub metainfo_template: Option<UserTemplate>,
}

impl DesktopApp {
    /// Metadata with the required fields; icon = `app_id`, metainfo license `CC0-1.0`,
    /// content rating `oars-1.1` (no objectionable content). Categories start empty and
    /// must be set.
    pub fn new(
        app_id: impl Into<String>,
        name: impl Into<String>,
        summary: impl Into<String>,
        exec: impl Into<String>,
    ) -> Self {
        let app_id = app_id.into();
        Self {
            icon: app_id.clone(),
            app_id,
            name: name.into(),
            summary: summary.into(),
            description: String::new(),
            exec: exec.into(),
            categories: Vec::new(),
            keywords: Vec::new(),
            mime_types: Vec::new(),
            terminal: false,
            developer_name: String::new(),
            homepage: None,
            metadata_license: "CC0-1.0".into(),
            project_license: None,
            content_rating: "oars-1.1".into(),
            releases: Vec::new(),
            desktop_template: None,
            metainfo_template: None,
        }
    }

    /// `{app_id}.desktop`, the name the .desktop file must have (matches `<launchable>`).
    pub fn desktop_file_name(&self) -> String {
        format!("{}.desktop", self.app_id)
    }

    /// `usr/share/applications/{app_id}.desktop`.
    pub fn desktop_dest(&self) -> String {
        format!("usr/share/applications/{}", self.desktop_file_name())
    }

    /// `usr/share/metainfo/{app_id}.metainfo.xml`.
    pub fn metainfo_dest(&self) -> String {
        format!("usr/share/metainfo/{}.metainfo.xml", self.app_id)
    }
}

fn check(app: &DesktopApp) -> Result<(), LinuxError> {
    let id_ok = app.app_id.split('.').count() >= 2
        && app.app_id.split('.').all(|p| {
            !p.is_empty()
                && !p.starts_with(|c: char| c.is_ascii_digit())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    if !id_ok {
        return Err(LinuxError::InvalidDesktop {
            field: "app_id",
            reason: format!(
                "`{}` is not a reverse-DNS id; set `identifier = \"org.example.Hello\"` in [package.metadata.crateship]",
                app.app_id
            ),
        });
    }
    if !app
        .categories
        .iter()
        .any(|c| MAIN_CATEGORIES.contains(&c.as_str()))
    {
        return Err(LinuxError::InvalidDesktop {
            field: "categories",
            reason: format!(
                "{:?} has no main category; add one of {} to `categories` in [package.metadata.crateship.linux]",
                app.categories,
                MAIN_CATEGORIES.join(", ")
            ),
        });
    }
    for (field, value) in [
        ("name", &app.name),
        ("summary", &app.summary),
        ("exec", &app.exec),
        ("icon", &app.icon),
    ] {
        if value.trim().is_empty() || value.contains('\n') {
            return Err(LinuxError::InvalidDesktop {
                field: "name/summary/exec/icon",
                reason: format!("`{field}` must be one non-empty line, got {value:?}"),
            });
        }
    }
    Ok(())
}

/// Escapes a desktop-entry string value.
fn desktop_string(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
}

/// A `;`-terminated desktop-entry list.
fn desktop_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("{};", desktop_string(i).replace(';', "\\;")))
        .collect()
}

/// Quotes the program for `Exec` (spec: reserved characters need double quotes).
fn exec_value(app: &DesktopApp) -> String {
    let reserved = |c: char| " \t\n\"'\\><~|&;$*?#()`=%".contains(c);
    let program = if app.exec.contains(reserved) {
        let mut quoted = String::from("\"");
        for c in app.exec.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('"');
        quoted
    } else {
        app.exec.clone()
    };
    let mut exec = desktop_string(&program.replace('%', "%%"));
    if !app.mime_types.is_empty() {
        exec.push_str(" %F");
    }
    exec
}

/// The `.desktop` file from the app's own template if it has one, else the
/// built-in one.
pub fn desktop_entry(app: &DesktopApp) -> Result<String, LinuxError> {
    match &app.desktop_template {
        Some(t) => render_desktop(&t.name, &t.text, app),
        None => render_desktop("app.desktop", DESKTOP_TEMPLATE, app),
    }
}

/// The `.desktop` file from a user-supplied template.
///
/// Placeholders: `name comment exec icon terminal categories keywords mime_types id`.
pub fn desktop_entry_from_template(template: &str, app: &DesktopApp) -> Result<String, LinuxError> {
    render_desktop("app.desktop", template, app)
}

fn render_desktop(name: &str, template: &str, app: &DesktopApp) -> Result<String, LinuxError> {
    check(app)?;
    let values = [
        ("name", desktop_string(&app.name)),
        ("comment", desktop_string(&app.summary)),
        ("exec", exec_value(app)),
        ("icon", desktop_string(&app.icon)),
        ("terminal", app.terminal.to_string()),
        ("categories", desktop_list(&app.categories)),
        ("keywords", desktop_list(&app.keywords)),
        ("mime_types", desktop_list(&app.mime_types)),
        ("id", app.app_id.clone()),
    ];
    let entry = crateship_template::render(name, template, &values)?;
    check_desktop_syntax(name, &entry)?;
    Ok(entry)
}

/// Checks a filled `.desktop` file against the Desktop Entry syntax: every
/// line blank, a `#` comment, a `[Group]` header or a `Key=Value` /
/// `Key[locale]=Value` pair; `[Desktop Entry]` first; no key twice in a group;
/// `Type` and `Name` present, and `Exec` for an application that is not
/// D-Bus activated.
fn check_desktop_syntax(name: &str, entry: &str) -> Result<(), LinuxError> {
    let bad = |line: usize, reason: String| LinuxError::TemplateSyntax {
        template: name.to_owned(),
        reason: format!("line {line}: {reason}"),
    };
    let mut group: Option<&str> = None;
    let mut main_keys: Vec<(&str, &str)> = Vec::new();
    let mut group_keys: Vec<&str> = Vec::new();
    for (index, line) in entry.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            if header.is_empty()
                || header.contains(['[', ']'])
                || header.chars().any(char::is_control)
            {
                return Err(bad(
                    number,
                    format!("`{trimmed}` is not a valid group header"),
                ));
            }
            if group.is_none() && header != "Desktop Entry" {
                return Err(bad(
                    number,
                    format!("the first group is `[{header}]`; it must be `[Desktop Entry]`"),
                ));
            }
            if header == "Desktop Entry" && group.is_some() {
                return Err(bad(number, "`[Desktop Entry]` appears twice".into()));
            }
            group = Some(header);
            group_keys.clear();
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(bad(
                number,
                format!("`{trimmed}` is neither `Key=Value`, a `[Group]` header nor a `#` comment"),
            ));
        };
        let key = key.trim_end();
        let base = key.split_once('[').map_or(
            key,
            |(base, locale)| {
                if locale.ends_with(']') { base } else { "" }
            },
        );
        if base.is_empty() || !base.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad(
                number,
                format!("`{key}` is not a key (letters, digits and `-`, optionally `[locale]`)"),
            ));
        }
        if group.is_none() {
            return Err(bad(
                number,
                format!("`{key}` comes before the `[Desktop Entry]` header"),
            ));
        }
        if group_keys.contains(&key) {
            return Err(bad(
                number,
                format!("`{key}` is set twice in `[{}]`", group.unwrap_or_default()),
            ));
        }
        group_keys.push(key);
        if group == Some("Desktop Entry") {
            main_keys.push((key, value.trim_start()));
        }
    }
    let get = |k: &str| main_keys.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let missing = |key: &str| LinuxError::TemplateSyntax {
        template: name.to_owned(),
        reason: format!(
            "`[Desktop Entry]` has no `{key}=`; add `{key}=` (the built-in template uses `{key}={{{{{}}}}}`)",
            key.to_ascii_lowercase()
        ),
    };
    if group.is_none() {
        return Err(LinuxError::TemplateSyntax {
            template: name.to_owned(),
            reason: "it has no `[Desktop Entry]` group; start the file with `[Desktop Entry]`"
                .into(),
        });
    }
    if get("Type").is_none() {
        return Err(LinuxError::TemplateSyntax {
            template: name.to_owned(),
            reason: "`[Desktop Entry]` has no `Type=`; add `Type=Application`".into(),
        });
    }
    if get("Name").is_none() {
        return Err(missing("Name"));
    }
    if get("Type") == Some("Application")
        && get("DBusActivatable") != Some("true")
        && get("Exec").is_none()
    {
        return Err(missing("Exec"));
    }
    Ok(())
}

/// Checks that a filled metainfo file is well-formed XML whose root is `<component>`.
fn check_metainfo_syntax(name: &str, xml: &str) -> Result<(), LinuxError> {
    let root = crateship_template::check_xml(name, xml)?;
    if root != "component" {
        return Err(LinuxError::TemplateSyntax {
            template: name.to_owned(),
            reason: format!(
                "its root element is `<{root}>`; AppStream metainfo must be a `<component>`"
            ),
        });
    }
    Ok(())
}

/// Fills the app's own `.desktop` and metainfo templates with sample values
/// and checks the results, so `crateship plan` refuses an unknown placeholder,
/// an unclosed `{{` or a malformed file before anything is built. The check is
/// the one writing applies; the values only stand in for the real ones.
pub fn check_templates(
    desktop: Option<&UserTemplate>,
    metainfo: Option<&UserTemplate>,
) -> Result<(), LinuxError> {
    let mut app = DesktopApp::new("org.example.App", "App", "An app", "app");
    app.description = "What the app does.".into();
    app.categories = vec!["Utility".into()];
    app.keywords = vec!["sample".into()];
    app.mime_types = vec!["text/plain".into()];
    app.developer_name = "Developer".into();
    app.homepage = Some("https://example.org".into());
    app.project_license = Some("MIT".into());
    app.releases = vec![Release {
        version: "1.0.0".into(),
        date: 0,
    }];
    app.desktop_template = desktop.cloned();
    app.metainfo_template = metainfo.cloned();
    if desktop.is_some() {
        desktop_entry(&app)?;
    }
    if metainfo.is_some() {
        metainfo_xml(&app)?;
    }
    Ok(())
}

fn xml_block(outer: &str, inner: &str, items: &[String], indent: &str) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut s = format!("{indent}<{outer}>\n");
    for item in items {
        let _ = writeln!(s, "{indent}  <{inner}>{}</{inner}>", xml(item));
    }
    let _ = write!(s, "{indent}</{outer}>");
    s
}

/// The AppStream metainfo from the app's own template if it has one, else the
/// built-in one.
pub fn metainfo_xml(app: &DesktopApp) -> Result<String, LinuxError> {
    match &app.metainfo_template {
        Some(t) => render_metainfo(&t.name, &t.text, app),
        None => render_metainfo("metainfo.xml", METAINFO_TEMPLATE, app),
    }
}

/// The AppStream metainfo from a user-supplied template.
///
/// Placeholders: `id metadata_license project_license name summary developer_name
/// description desktop_id icon homepage categories keywords binary mime_types
/// content_rating_type releases`.
pub fn metainfo_from_template(template: &str, app: &DesktopApp) -> Result<String, LinuxError> {
    render_metainfo("metainfo.xml", template, app)
}

fn render_metainfo(name: &str, template: &str, app: &DesktopApp) -> Result<String, LinuxError> {
    check(app)?;
    let paragraphs = text::paragraphs(&app.description);
    let paragraphs = if paragraphs.is_empty() {
        vec![app.summary.clone()]
    } else {
        paragraphs
    };
    let description = paragraphs
        .iter()
        .map(|p| format!("    <p>{}</p>", xml(p)))
        .collect::<Vec<_>>()
        .join("\n");
    let releases = app
        .releases
        .iter()
        .map(|r| {
            let kind = if r.version.contains('-') {
                " type=\"development\""
            } else {
                ""
            };
            format!(
                "    <release version=\"{}\" date=\"{}\"{kind}/>",
                xml(&r.version),
                text::iso_date(r.date)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let binary = app.exec.rsplit('/').next().unwrap_or(&app.exec).to_owned();
    let mime_types = app
        .mime_types
        .iter()
        .map(|m| format!("    <mediatype>{}</mediatype>", xml(m)))
        .collect::<Vec<_>>()
        .join("\n");
    let values = [
        ("id", xml(&app.app_id)),
        ("metadata_license", xml(&app.metadata_license)),
        (
            "project_license",
            app.project_license.as_deref().map(xml).unwrap_or_default(),
        ),
        ("name", xml(&app.name)),
        ("summary", xml(app.summary.trim().trim_end_matches('.'))),
        ("developer_name", xml(&app.developer_name)),
        ("description", description),
        ("desktop_id", xml(&app.desktop_file_name())),
        ("icon", xml(&app.icon)),
        (
            "homepage",
            app.homepage.as_deref().map(xml).unwrap_or_default(),
        ),
        (
            "categories",
            xml_block("categories", "category", &app.categories, "  "),
        ),
        (
            "keywords",
            xml_block("keywords", "keyword", &app.keywords, "  "),
        ),
        ("binary", xml(&binary)),
        ("mime_types", mime_types),
        ("content_rating_type", xml(&app.content_rating)),
        ("releases", releases),
    ];
    let xml = crateship_template::render(name, template, &values)?;
    check_metainfo_syntax(name, &xml)?;
    Ok(xml)
}
