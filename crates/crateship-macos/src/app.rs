//! The `.app` bundle writer: `Contents/Info.plist`, `Contents/PkgInfo`,
//! `Contents/MacOS/EXECUTABLE`, `Contents/Resources/NAME.icns` and resources.
//!
//! A bundle is a directory, so it cannot be written atomically to one file:
//! [`write_app`] creates `NAME.app` inside a staging directory the caller owns
//! (e.g. a temp dir beside the output) and the caller renames it into place. On
//! any error nothing is left in the staging directory. Every input is validated
//! before the first byte is written.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use crateship_template::UserTemplate;
use plist::Value;

use crate::MacosError;
use crate::error::{read_err, write_err};
use crateship_support::walk::{EntryKind, Symlinks, WalkError, walk};

use crate::macho::{macho_kind, macho_min_os, macho_slices};
use crate::version::bundle_versions;

/// A document type the app can open (`CFBundleDocumentTypes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentType {
    /// `CFBundleTypeName`, e.g. `Hello Document`.
    pub name: String,
    /// `CFBundleTypeExtensions` without dots, e.g. `["hello"]`.
    pub extensions: Vec<String>,
    /// `CFBundleTypeRole`: `Editor`, `Viewer`, `Shell` or `None`.
    pub role: String,
}

/// Everything needed to lay out one `.app` bundle. Independent of crateship's Plan.
#[derive(Debug, Clone)]
pub struct AppBundle {
    /// `CFBundleIdentifier`, reverse-DNS (`org.example.hello`).
    pub identifier: String,
    /// `CFBundleName` and the bundle's file name (`Hello` → `Hello.app`, `Hello.icns`).
    pub name: String,
    /// `CFBundleDisplayName` (may contain spaces and non-ASCII).
    pub display_name: String,
    /// `CFBundleExecutable`: the file name inside `Contents/MacOS`.
    pub executable: String,
    /// The Mach-O executable on disk (thin or universal).
    pub binary: PathBuf,
    /// The Cargo (semver) version; see [`crate::version`] for the mapping.
    pub version: String,
    /// An explicit `CFBundleVersion` (build number); default: from `version`.
    pub bundle_version: Option<String>,
    /// The `.icns` icon, stored as `Contents/Resources/NAME.icns`.
    pub icns: Option<PathBuf>,
    /// `LSMinimumSystemVersion`, e.g. `11.0`. The executable's own minimum
    /// (`LC_BUILD_VERSION minos`) must not be higher.
    pub minimum_system_version: String,
    /// `LSApplicationCategoryType`, e.g. `public.app-category.utilities`.
    pub category: Option<String>,
    /// `NSHumanReadableCopyright`.
    pub copyright: Option<String>,
    /// URL schemes the app handles (`CFBundleURLTypes`), e.g. `hello`.
    pub url_schemes: Vec<String>,
    /// Document types the app opens (`CFBundleDocumentTypes`).
    pub document_types: Vec<DocumentType>,
    /// Resources: a file or directory on disk and its destination relative to
    /// `Contents/Resources` (directories are copied recursively, symlinks kept).
    pub resources: Vec<(PathBuf, String)>,
    /// Further Info.plist keys. A key crateship generates for this bundle is an error.
    pub extra_plist: BTreeMap<String, Value>,
    /// A user's Info.plist template instead of `templates/Info.plist`.
    pub info_plist_template: Option<UserTemplate>,
    /// Modification time of every file written (seconds since the Unix epoch).
    pub source_date_epoch: u64,
}

/// The built-in Info.plist template (`templates/Info.plist`): placeholders fill
/// the scalar keys; document types, URL schemes and extra keys are added after.
pub const INFO_PLIST_TEMPLATE: &str = include_str!("../../../templates/Info.plist");

/// Which setting controls each key crateship may generate.
const GENERATED_KEYS: &[(&str, &str)] = &[
    ("CFBundleDevelopmentRegion", "fixed `en`"),
    ("CFBundleDisplayName", "display_name"),
    ("CFBundleDocumentTypes", "document_types"),
    ("CFBundleExecutable", "executable"),
    ("CFBundleIconFile", "icon"),
    ("CFBundleIdentifier", "identifier"),
    ("CFBundleInfoDictionaryVersion", "fixed `6.0`"),
    ("CFBundleName", "name"),
    ("CFBundlePackageType", "fixed `APPL`"),
    ("CFBundleShortVersionString", "version"),
    ("CFBundleSignature", "fixed `????`"),
    ("CFBundleURLTypes", "url_schemes"),
    ("CFBundleVersion", "version / bundle_version"),
    ("LSApplicationCategoryType", "category"),
    ("LSMinimumSystemVersion", "minimum_system_version"),
    ("NSHighResolutionCapable", "always true"),
    ("NSHumanReadableCopyright", "copyright"),
];

/// The bundle's directory name, `NAME.app`.
pub fn app_dir_name(app: &AppBundle) -> String {
    format!("{}.app", app.name)
}

fn invalid(field: &'static str, value: &str, reason: impl Into<String>) -> MacosError {
    MacosError::InvalidField {
        field,
        value: value.to_owned(),
        reason: reason.into(),
    }
}

/// Checks a reverse-DNS bundle identifier (`org.example.hello`).
pub fn validate_identifier(id: &str) -> Result<(), MacosError> {
    let parts: Vec<&str> = id.split('.').collect();
    let ok = parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "identifier",
            id,
            "a bundle identifier is reverse-DNS: two or more dot-separated parts of ASCII \
             letters, digits and hyphens (e.g. org.example.hello); set `identifier` in \
             [package.metadata.crateship]",
        ))
    }
}

fn validate_file_name(field: &'static str, name: &str) -> Result<(), MacosError> {
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\0', ':'])
        || name.chars().any(char::is_control)
    {
        return Err(invalid(
            field,
            name,
            "must be a non-empty file name without `/`, `:` or control characters",
        ));
    }
    Ok(())
}

fn parse_os_version(field: &'static str, v: &str) -> Result<Vec<u32>, MacosError> {
    let parts: Option<Vec<u32>> = v
        .split('.')
        .map(|p| {
            (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect();
    match parts {
        Some(p) if (1..=3).contains(&p.len()) && p[0] >= 10 => Ok(p),
        _ => Err(invalid(
            field,
            v,
            "expected a macOS version such as 11.0 or 10.15; set \
             [package.metadata.crateship.macos] minimum-system-version",
        )),
    }
}

fn version_le(a: &[u32], b: &[u32]) -> bool {
    let n = a.len().max(b.len());
    let get = |v: &[u32], i: usize| v.get(i).copied().unwrap_or(0);
    (0..n)
        .map(|i| (get(a, i), get(b, i)))
        .find(|(x, y)| x != y)
        .is_none_or(|(x, y)| x < y)
}

/// Checks that `dest` is a relative path without `..`, returning its components.
fn resource_dest(src: &Path, dest: &str) -> Result<Vec<String>, MacosError> {
    let bad = |reason| MacosError::InvalidResourceDest {
        source_path: src.to_path_buf(),
        dest: dest.to_owned(),
        reason,
    };
    if dest.is_empty() {
        return Err(bad("is empty"));
    }
    if dest.contains('\0') || dest.contains('\\') {
        return Err(bad("contains a NUL or backslash"));
    }
    let mut parts = Vec::new();
    for c in Path::new(dest).components() {
        match c {
            Component::Normal(p) => parts.push(
                p.to_str()
                    .ok_or_else(|| bad("is not valid UTF-8"))?
                    .to_owned(),
            ),
            Component::CurDir => {}
            Component::ParentDir => return Err(bad("escapes the bundle through `..`")),
            Component::RootDir | Component::Prefix(_) => return Err(bad("is absolute")),
        }
    }
    if parts.is_empty() {
        return Err(bad("names Contents/Resources itself"));
    }
    Ok(parts)
}

/// The `CFBundleTypeRole` values Launch Services knows.
pub const DOCUMENT_ROLES: [&str; 4] = ["Editor", "Viewer", "Shell", "None"];

/// Whether `scheme` is a valid URL scheme name (RFC 3986: a letter, then letters,
/// digits, `+`, `-`, `.`).
pub fn is_url_scheme(scheme: &str) -> bool {
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// Builds the Info.plist dictionary for `app` (keys sorted), after validation.
pub fn info_plist(app: &AppBundle) -> Result<plist::Dictionary, MacosError> {
    validate_identifier(&app.identifier)?;
    validate_file_name("name", &app.name)?;
    validate_file_name("executable", &app.executable)?;
    if app.display_name.trim().is_empty() {
        return Err(invalid(
            "display_name",
            &app.display_name,
            "must not be empty",
        ));
    }
    parse_os_version("minimum_system_version", &app.minimum_system_version)?;
    let versions = bundle_versions(&app.version, app.bundle_version.as_deref())?;

    let s = |v: &str| Value::String(v.to_owned());
    let icon_file = app
        .icns
        .as_ref()
        .map_or(String::new(), |_| format!("{}.icns", app.name));
    let values = [
        ("identifier", app.identifier.clone()),
        ("name", app.name.clone()),
        ("display_name", app.display_name.clone()),
        ("executable", app.executable.clone()),
        ("short_version", versions.short.clone()),
        ("bundle_version", versions.build.clone()),
        ("minimum_system_version", app.minimum_system_version.clone()),
        ("icon_file", icon_file.clone()),
        ("category", app.category.clone().unwrap_or_default()),
        ("copyright", app.copyright.clone().unwrap_or_default()),
    ];
    let (template_name, template) = app
        .info_plist_template
        .as_ref()
        .map_or(("Info.plist", INFO_PLIST_TEMPLATE), |t| {
            (t.name.as_str(), t.text.as_str())
        });
    let escaped: Vec<(&str, String)> = values
        .iter()
        .map(|(k, v)| (*k, crateship_template::xml_escape(v)))
        .collect();
    let rendered = crateship_template::render(template_name, template, &escaped)?;
    let template_error = |reason: String| MacosError::Template {
        template: template_name.to_owned(),
        reason,
    };
    let mut keys: BTreeMap<String, Value> = match Value::from_reader_xml(rendered.as_bytes()) {
        Ok(Value::Dictionary(d)) => d.into_iter().collect(),
        Ok(_) => return Err(template_error("its top-level value is not a <dict>".into())),
        Err(e) => {
            return Err(template_error(format!(
                "the filled template is not a valid XML property list: {e}"
            )));
        }
    };
    // Keys other parts of crateship rely on (signing, the pkg, launch) must carry
    // the generated values; a template may only fill them through placeholders.
    let required = [
        ("CFBundleExecutable", "executable", app.executable.as_str()),
        ("CFBundleIdentifier", "identifier", app.identifier.as_str()),
        ("CFBundlePackageType", "", "APPL"),
        (
            "CFBundleShortVersionString",
            "short_version",
            versions.short.as_str(),
        ),
        ("CFBundleVersion", "bundle_version", versions.build.as_str()),
        (
            "LSMinimumSystemVersion",
            "minimum_system_version",
            app.minimum_system_version.as_str(),
        ),
        ("CFBundleIconFile", "icon_file", icon_file.as_str()),
    ];
    for (key, placeholder, wanted) in required {
        if wanted.is_empty() {
            continue;
        }
        if keys.get(key).and_then(Value::as_string) != Some(wanted) {
            let fix = if placeholder.is_empty() {
                format!("<string>{wanted}</string>")
            } else {
                format!("<string>{{{{{placeholder}}}}}</string>")
            };
            return Err(template_error(format!(
                "key `{key}` must be the string `{wanted}` (crateship signs, packages and \
                 launches the bundle by it); write `<key>{key}</key>{fix}`"
            )));
        }
    }
    let mut put = |k: &str, v: Value| -> Result<(), MacosError> {
        if keys.contains_key(k) {
            return Err(template_error(format!(
                "it sets `{k}`, which crateship generates from the configuration; remove it \
                 from the template and use the config setting"
            )));
        }
        keys.insert(k.to_owned(), v);
        Ok(())
    };
    if !app.url_schemes.is_empty() {
        for scheme in &app.url_schemes {
            if !is_url_scheme(scheme) {
                return Err(invalid(
                    "url_schemes",
                    scheme,
                    "a URL scheme starts with a letter and has only letters, digits, `+`, `-`, `.`",
                ));
            }
        }
        let mut d = plist::Dictionary::new();
        d.insert("CFBundleURLName".into(), s(&app.identifier));
        d.insert(
            "CFBundleURLSchemes".into(),
            Value::Array(app.url_schemes.iter().map(|u| s(u)).collect()),
        );
        put("CFBundleURLTypes", Value::Array(vec![Value::Dictionary(d)]))?;
    }
    if !app.document_types.is_empty() {
        let mut types = Vec::new();
        for t in &app.document_types {
            if !DOCUMENT_ROLES.contains(&t.role.as_str()) {
                return Err(invalid(
                    "document_types.role",
                    &t.role,
                    "must be Editor, Viewer, Shell or None",
                ));
            }
            let mut d = plist::Dictionary::new();
            d.insert(
                "CFBundleTypeExtensions".into(),
                Value::Array(t.extensions.iter().map(|e| s(e)).collect()),
            );
            d.insert("CFBundleTypeName".into(), s(&t.name));
            d.insert("CFBundleTypeRole".into(), s(&t.role));
            types.push(Value::Dictionary(d));
        }
        put("CFBundleDocumentTypes", Value::Array(types))?;
    }
    for (k, v) in &app.extra_plist {
        if keys.contains_key(k) {
            let hint = GENERATED_KEYS
                .iter()
                .find(|(g, _)| g == k)
                .map_or("the Info.plist template", |(_, h)| h);
            return Err(MacosError::PlistKeyCollision {
                key: k.clone(),
                hint,
            });
        }
        keys.insert(k.clone(), v.clone());
    }
    Ok(keys.into_iter().collect())
}

/// Serialises [`info_plist`] as the XML Info.plist bytes.
pub fn info_plist_xml(app: &AppBundle) -> Result<Vec<u8>, MacosError> {
    let dict = info_plist(app)?;
    let mut out = Vec::new();
    Value::Dictionary(dict)
        .to_writer_xml(&mut out)
        .map_err(|source| MacosError::Plist {
            identifier: app.identifier.clone(),
            source,
        })?;
    out.push(b'\n');
    Ok(out)
}

/// One planned entry of the bundle, relative to `NAME.app`.
enum Planned {
    Dir,
    File { data: Source, exec: bool },
    Symlink(String),
}

enum Source {
    Bytes(Vec<u8>),
    Path(PathBuf),
}

/// Writes `NAME.app` into `staging_dir` (which must exist) and returns its path.
///
/// The caller renames the returned directory into place; a bundle already at
/// that path is an error (use a fresh staging directory). Every file gets mode
/// 0644 (0755 for the executable and executable resources), directories 0755,
/// and mtime `source_date_epoch`.
pub fn write_app(app: &AppBundle, staging_dir: &Path) -> Result<PathBuf, MacosError> {
    let plist_xml = info_plist_xml(app)?;
    let binary = fs::read(&app.binary).map_err(read_err(&app.binary))?;
    let what = format!("executable `{}`", app.binary.display());
    macho_kind(&binary, &what)?;
    let wanted = parse_os_version("minimum_system_version", &app.minimum_system_version)?;
    for slice in macho_slices(&binary) {
        if let Some(minos) = macho_min_os(slice) {
            let have = parse_os_version("minos", &minos).unwrap_or_default();
            if !version_le(&have, &wanted) {
                return Err(MacosError::MachO {
                    what,
                    reason: format!(
                        "it requires macOS {minos} (LC_BUILD_VERSION minos) but \
                         minimum_system_version is {}; rebuild with \
                         MACOSX_DEPLOYMENT_TARGET={} or raise minimum-system-version",
                        app.minimum_system_version, app.minimum_system_version
                    ),
                });
            }
        }
    }

    let mut plan: BTreeMap<Vec<String>, Planned> = BTreeMap::new();
    let p = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    for d in [
        &["Contents"][..],
        &["Contents", "MacOS"],
        &["Contents", "Resources"],
    ] {
        plan.insert(p(d), Planned::Dir);
    }
    plan.insert(
        p(&["Contents", "Info.plist"]),
        Planned::File {
            data: Source::Bytes(plist_xml),
            exec: false,
        },
    );
    plan.insert(
        p(&["Contents", "PkgInfo"]),
        Planned::File {
            data: Source::Bytes(b"APPL????".to_vec()),
            exec: false,
        },
    );
    plan.insert(
        p(&["Contents", "MacOS", &app.executable]),
        Planned::File {
            data: Source::Bytes(binary),
            exec: true,
        },
    );
    if let Some(icns) = &app.icns {
        let mut magic = [0u8; 4];
        let n = fs::File::open(icns)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut magic))
            .map_err(read_err(icns))?;
        if n != 4 || &magic != b"icns" {
            return Err(invalid(
                "icon",
                &icns.display().to_string(),
                "is not an .icns file (no `icns` magic); generate one with crateship-icons",
            ));
        }
        plan.insert(
            p(&["Contents", "Resources", &format!("{}.icns", app.name)]),
            Planned::File {
                data: Source::Path(icns.clone()),
                exec: false,
            },
        );
    }
    for (src, dest) in &app.resources {
        let mut parts = p(&["Contents", "Resources"]);
        parts.extend(resource_dest(src, dest)?);
        plan_tree(src, dest, parts, &mut plan)?;
    }

    let root = staging_dir.join(app_dir_name(app));
    match fs::symlink_metadata(&root) {
        Ok(_) => {
            return Err(MacosError::Write {
                what: "the app bundle",
                path: root,
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "already exists; use an empty staging directory",
                ),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(read_err(&root)(e)),
    }
    let result = materialise(&root, &plan, app.source_date_epoch);
    if result.is_err() {
        let _ = fs::remove_dir_all(&root);
    }
    result.map(|()| root)
}

/// What a resource entry is, as the plan takes it.
enum Found {
    Dir,
    File { exec: bool },
    Symlink(PathBuf),
}

/// Adds `src` (file, directory or symlink) at `parts` to the plan; a directory
/// with everything below it (symlinks kept), through the one sorted walk.
fn plan_tree(
    src: &Path,
    dest: &str,
    parts: Vec<String>,
    plan: &mut BTreeMap<Vec<String>, Planned>,
) -> Result<(), MacosError> {
    // Parent directories of the destination.
    for i in 3..parts.len() {
        plan.entry(parts[..i].to_vec()).or_insert(Planned::Dir);
    }
    let meta = fs::symlink_metadata(src).map_err(read_err(src))?;
    let found = if meta.file_type().is_symlink() {
        Found::Symlink(fs::read_link(src).map_err(read_err(src))?)
    } else if meta.is_dir() {
        Found::Dir
    } else if meta.is_file() {
        use std::os::unix::fs::PermissionsExt;
        Found::File {
            exec: meta.permissions().mode() & 0o111 != 0,
        }
    } else {
        return Err(special(src));
    };
    let is_dir = matches!(found, Found::Dir);
    plan_entry(src, dest, parts.clone(), found, plan)?;
    if !is_dir {
        return Ok(());
    }
    let entries = walk(src, Symlinks::Keep).map_err(|e| match e {
        WalkError::NotUtf8 { path } => MacosError::Unsupported {
            path,
            format: "app bundle",
            reason: "the file name is not UTF-8; rename it".into(),
        },
        WalkError::Special { path } => special(&path),
        WalkError::Loop { path, .. } => MacosError::Unsupported {
            path,
            format: "app bundle",
            reason: "a symbolic link loops".into(),
        },
        WalkError::Io(io) => MacosError::Read {
            path: io.path,
            source: io.source,
        },
    })?;
    for e in entries {
        let mut child = parts.clone();
        child.extend(e.rel.split('/').map(str::to_owned));
        let found = match e.kind {
            EntryKind::Dir => Found::Dir,
            EntryKind::File { executable, .. } => Found::File { exec: executable },
            EntryKind::Symlink { target } => Found::Symlink(target),
        };
        plan_entry(&e.path, &format!("{dest}/{}", e.rel), child, found, plan)?;
    }
    Ok(())
}

fn special(path: &Path) -> MacosError {
    MacosError::Unsupported {
        path: path.to_path_buf(),
        format: "app bundle",
        reason: "only regular files, directories and symlinks can be resources".into(),
    }
}

/// Adds one entry found at `src` to the plan at `parts`.
fn plan_entry(
    src: &Path,
    dest: &str,
    parts: Vec<String>,
    found: Found,
    plan: &mut BTreeMap<Vec<String>, Planned>,
) -> Result<(), MacosError> {
    let clash = |plan: &BTreeMap<Vec<String>, Planned>| {
        plan.contains_key(&parts)
            .then(|| MacosError::InvalidResourceDest {
                source_path: src.to_path_buf(),
                dest: dest.to_owned(),
                reason: "is already used by another file of the bundle",
            })
    };
    match found {
        Found::Symlink(target) => {
            let target = target.to_str().ok_or_else(|| MacosError::Unsupported {
                path: src.to_path_buf(),
                format: "app bundle",
                reason: "the symlink target is not UTF-8".into(),
            })?;
            // Resolve inside the bundle: parts[..len-1] is the link's directory.
            let mut depth = parts.len() as isize - 1;
            let escapes = target.starts_with('/')
                || target.split('/').any(|c| {
                    match c {
                        ".." => depth -= 1,
                        "" | "." => {}
                        _ => depth += 1,
                    }
                    depth < 0
                });
            if escapes {
                return Err(MacosError::InvalidResourceDest {
                    source_path: src.to_path_buf(),
                    dest: dest.to_owned(),
                    reason: "is a symlink whose target leaves the bundle",
                });
            }
            if let Some(e) = clash(plan) {
                return Err(e);
            }
            plan.insert(parts, Planned::Symlink(target.to_owned()));
        }
        Found::Dir => {
            plan.insert(parts, Planned::Dir);
        }
        Found::File { exec } => {
            if let Some(e) = clash(plan) {
                return Err(e);
            }
            plan.insert(
                parts,
                Planned::File {
                    data: Source::Path(src.to_path_buf()),
                    exec,
                },
            );
        }
    }
    Ok(())
}

fn materialise(
    root: &Path,
    plan: &BTreeMap<Vec<String>, Planned>,
    epoch: u64,
) -> Result<(), MacosError> {
    use std::os::unix::fs::PermissionsExt;
    let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(epoch);
    fs::create_dir(root).map_err(write_err("the app bundle", root))?;
    let mut dirs = vec![root.to_path_buf()];
    for (parts, entry) in plan {
        let path = parts.iter().fold(root.to_path_buf(), |p, c| p.join(c));
        match entry {
            Planned::Dir => {
                fs::create_dir(&path).map_err(write_err("a bundle directory", &path))?;
                dirs.push(path);
            }
            Planned::Symlink(target) => {
                std::os::unix::fs::symlink(target, &path)
                    .map_err(write_err("a bundle symlink", &path))?;
            }
            Planned::File { data, exec } => {
                let mut f = fs::File::create(&path).map_err(write_err("a bundle file", &path))?;
                match data {
                    Source::Bytes(b) => {
                        f.write_all(b).map_err(write_err("a bundle file", &path))?
                    }
                    Source::Path(src) => {
                        let mut r = fs::File::open(src).map_err(read_err(src))?;
                        std::io::copy(&mut r, &mut f).map_err(write_err("a bundle file", &path))?;
                    }
                }
                let mode = if *exec { 0o755 } else { 0o644 };
                f.set_permissions(fs::Permissions::from_mode(mode))
                    .map_err(write_err("a bundle file", &path))?;
                f.set_modified(mtime)
                    .map_err(write_err("a bundle file", &path))?;
            }
        }
    }
    // Directories last (children change their mtime), deepest first.
    for dir in dirs.iter().rev() {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
            .map_err(write_err("a bundle directory", dir))?;
        fs::File::open(dir)
            .and_then(|f| f.set_modified(mtime))
            .map_err(write_err("a bundle directory", dir))?;
    }
    Ok(())
}
