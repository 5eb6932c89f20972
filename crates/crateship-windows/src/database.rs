//! The MSI database proper: summary information and every table row, built in memory
//! (tables are small; the payload lives in the cabinets, which the repack step streams in).

use std::io::{Cursor, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};
use msi::{Insert, Package, PackageType, Value};

use crate::cabinet::Cabinets;
use crate::layout::{INSTALLDIR, Layout};
use crate::upgrade::{self, NEWER_FOUND, OLDER_FOUND};
use crate::validate::{Checked, scope};
use crate::{MsiError, MsiPackage, guid, schema};

/// Windows Installer schema version (500 is needed for the Arm64 platform).
const SCHEMA: i32 = 500;
/// Language of the package (en-US).
const LANGUAGE: u16 = 1033;
/// Summary word count: long file names, compressed payload.
const WORD_COUNT_COMPRESSED: i32 = 2;
/// Summary word count bit: no elevation needed (per-user packages).
const WORD_COUNT_NO_ELEVATION: i32 = 8;
/// Component attribute: the key path is a registry value.
const COMPONENT_REGISTRY_KEY_PATH: i32 = 4;
/// Component attribute: 64-bit component.
const COMPONENT_64BIT: i32 = 256;
/// File attribute: vital.
const FILE_VITAL: i32 = 512;
/// Registry root `-1`: HKLM for per-machine installs, HKCU for per-user ones.
const REGISTRY_ROOT_BY_SCOPE: i32 = -1;
/// The single feature.
const FEATURE: &str = "Complete";
/// Icon table key (must end in `.ico` for shortcuts to use it).
const ICON: &str = "ProductIcon.ico";

/// Builds the database and returns the compound-file bytes.
pub(crate) fn build(
    pkg: &MsiPackage,
    checked: &Checked,
    layout: &Layout,
    cabinets: &Cabinets,
) -> Result<Vec<u8>, MsiError> {
    let mut package = Package::create(PackageType::Installer, Cursor::new(Vec::new()))
        .map_err(|source| db_error("(package)", source))?;
    schema::create_all(&mut package)?;

    let upgrade_code = guid::braced(checked.upgrade_code);
    let product_code = guid::braced(checked.product_code);
    let package_code = package_code(pkg, checked, layout, cabinets);
    write_summary(&mut package, pkg, package_code);

    let bits = if pkg.arch.is_64bit() {
        COMPONENT_64BIT
    } else {
        0
    };
    let mut components: Vec<Vec<Value>> = Vec::new();
    let mut feature_components = Vec::new();
    let mut files = Vec::new();
    let mut hashes = Vec::new();
    for (index, (entry, md5)) in layout.files.iter().zip(&cabinets.md5).enumerate() {
        components.push(vec![
            entry.component.as_str().into(),
            guid::braced(entry.component_guid).into(),
            entry.dir_id.as_str().into(),
            bits.into(),
            Value::Null,
            entry.key.as_str().into(),
        ]);
        feature_components.push(vec![FEATURE.into(), entry.component.as_str().into()]);
        let size = i32::try_from(entry.size).expect("sizes are checked against MAX_FILE_SIZE");
        files.push(vec![
            entry.key.as_str().into(),
            entry.component.as_str().into(),
            entry.name.as_str().into(),
            size.into(),
            Value::Null,
            Value::Null,
            FILE_VITAL.into(),
            sequence(index + 1).into(),
        ]);
        let mut row: Vec<Value> = vec![entry.key.as_str().into(), 0.into()];
        row.extend(
            md5.chunks_exact(4).map(|part| {
                Value::from(i32::from_le_bytes(part.try_into().expect("4-byte chunks")))
            }),
        );
        hashes.push(row);
    }

    let mut directories: Vec<Vec<Value>> = vec![row3("TARGETDIR", None, "SourceDir")];
    if pkg.per_user {
        directories.push(row3("LocalAppDataFolder", Some("TARGETDIR"), "."));
        directories.push(row3(
            "UserProgramsFolder",
            Some("LocalAppDataFolder"),
            "Programs",
        ));
        directories.push(row3(
            INSTALLDIR,
            Some("UserProgramsFolder"),
            &pkg.product_name,
        ));
    } else {
        let program_files = if pkg.arch.is_64bit() {
            "ProgramFiles64Folder"
        } else {
            "ProgramFilesFolder"
        };
        directories.push(row3(program_files, Some("TARGETDIR"), "."));
        directories.push(row3(INSTALLDIR, Some(program_files), &pkg.product_name));
    }
    directories.push(row3("ProgramMenuFolder", Some("TARGETDIR"), "."));
    if pkg.desktop_shortcut {
        directories.push(row3("DesktopFolder", Some("TARGETDIR"), "."));
    }
    for dir in &layout.dirs {
        directories.push(row3(&dir.id, Some(&dir.parent), &dir.name));
    }

    // Shortcuts: one component each, kept by an HKCU/HKLM value (shortcuts cannot be key paths).
    let main = &layout.files[layout.main_exe];
    let registry_key = format!("Software\\{}\\{}", pkg.manufacturer, pkg.product_name);
    let mut shortcut_places = vec![("StartMenuShortcut", "ProgramMenuFolder")];
    if pkg.desktop_shortcut {
        shortcut_places.push(("DesktopShortcut", "DesktopFolder"));
    }
    let mut registry = Vec::new();
    let mut shortcuts = Vec::new();
    for (id, folder) in shortcut_places {
        let value_id = format!("{id}Installed");
        components.push(vec![
            id.into(),
            guid::braced(guid::derive(&[
                "component",
                &upgrade_code,
                pkg.arch.as_str(),
                scope(pkg),
                id,
            ]))
            .into(),
            folder.into(),
            (COMPONENT_REGISTRY_KEY_PATH | bits).into(),
            Value::Null,
            value_id.as_str().into(),
        ]);
        feature_components.push(vec![FEATURE.into(), id.into()]);
        registry.push(vec![
            value_id.as_str().into(),
            REGISTRY_ROOT_BY_SCOPE.into(),
            registry_key.as_str().into(),
            id.into(),
            "#1".into(),
            id.into(),
        ]);
        shortcuts.push(vec![
            id.into(),
            folder.into(),
            pkg.product_name.as_str().into(),
            id.into(),
            format!("[#{}]", main.key).into(),
            Value::Null,
            optional(&truncate(&pkg.description, 255)),
            Value::Null,
            if checked.icon.is_some() {
                ICON.into()
            } else {
                Value::Null
            },
            if checked.icon.is_some() {
                0.into()
            } else {
                Value::Null
            },
            Value::Null,
            main.dir_id.as_str().into(),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ]);
    }

    let mut properties: Vec<(&str, String)> = vec![
        ("ProductCode", product_code),
        ("ProductName", pkg.product_name.clone()),
        ("ProductVersion", checked.version.to_string()),
        ("ProductLanguage", LANGUAGE.to_string()),
        ("Manufacturer", pkg.manufacturer.clone()),
        ("UpgradeCode", upgrade_code.clone()),
        (
            "SecureCustomProperties",
            format!("{NEWER_FOUND};{OLDER_FOUND}"),
        ),
        ("ARPNOMODIFY", "1".into()),
    ];
    if !pkg.per_user {
        properties.push(("ALLUSERS", "1".into()));
    }
    if checked.icon.is_some() {
        properties.push(("ARPPRODUCTICON", ICON.into()));
    }
    if let Some(homepage) = &pkg.homepage {
        properties.push(("ARPURLINFOABOUT", homepage.clone()));
        properties.push(("ARPHELPLINK", homepage.clone()));
    }
    if !pkg.description.is_empty() {
        properties.push(("ARPCOMMENTS", pkg.description.clone()));
    }
    properties.sort();

    let media = cabinets
        .cabinets
        .iter()
        .enumerate()
        .map(|(i, cab)| {
            vec![
                Value::from(i32::try_from(i + 1).expect("cabinet count fits")),
                sequence(cab.last_sequence).into(),
                Value::Null,
                format!("#{}", cab.stream).into(),
                Value::Null,
                Value::Null,
            ]
        })
        .collect();

    let tables: Vec<(&str, Vec<Vec<Value>>)> = vec![
        (
            "Property",
            properties
                .into_iter()
                .map(|(k, v)| vec![k.into(), v.into()])
                .collect(),
        ),
        ("Directory", directories),
        ("Component", components),
        ("File", files),
        ("MsiFileHash", hashes),
        ("Media", media),
        (
            "Feature",
            vec![vec![
                FEATURE.into(),
                Value::Null,
                truncate(&pkg.product_name, 64).into(),
                optional(&truncate(&pkg.description, 255)),
                1.into(),
                1.into(),
                INSTALLDIR.into(),
                0.into(),
            ]],
        ),
        ("FeatureComponents", feature_components),
        ("Registry", registry),
        ("Shortcut", shortcuts),
        (
            "Upgrade",
            upgrade::upgrade_rows(&upgrade_code, checked.version),
        ),
        (
            "LaunchCondition",
            vec![upgrade::downgrade_condition(
                &pkg.product_name,
                checked.version,
            )],
        ),
        (
            "InstallExecuteSequence",
            upgrade::sequence_rows(upgrade::INSTALL_EXECUTE),
        ),
        (
            "InstallUISequence",
            upgrade::sequence_rows(upgrade::INSTALL_UI),
        ),
        (
            "AdminExecuteSequence",
            upgrade::sequence_rows(upgrade::ADMIN_EXECUTE),
        ),
    ];
    for (table, rows) in tables {
        package
            .insert_rows(Insert::into(table).rows(rows))
            .map_err(|source| db_error(table, source))?;
    }
    if let Some(icon) = &checked.icon {
        package
            .insert_rows(Insert::into("Icon").row(vec![ICON.into(), Value::Binary]))
            .map_err(|source| db_error("Icon", source))?;
        let stream = format!("Icon.{ICON}");
        let mut writer = package
            .write_stream(&stream)
            .map_err(|source| db_error(&stream, source))?;
        writer
            .write_all(icon)
            .map_err(|source| db_error(&stream, source))?;
    }
    package
        .flush()
        .map_err(|source| db_error("(flush)", source))?;
    let cursor = package
        .into_inner()
        .map_err(|source| db_error("(finish)", source))?;
    Ok(cursor.into_inner())
}

fn db_error(table: &str, source: std::io::Error) -> MsiError {
    MsiError::Database {
        table: table.to_owned(),
        source,
    }
}

fn row3(key: &str, parent: Option<&str>, value: &str) -> Vec<Value> {
    vec![
        key.into(),
        parent.map_or(Value::Null, Value::from),
        value.into(),
    ]
}

fn optional(text: &str) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        text.into()
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

fn sequence(n: usize) -> i32 {
    i32::try_from(n).expect("file count fits in File.Sequence")
}

/// Summary information: titles, platform, schema, codes and the fixed timestamps.
fn write_summary(
    package: &mut Package<Cursor<Vec<u8>>>,
    pkg: &MsiPackage,
    package_code: uuid::Uuid,
) {
    let time = epoch_time(pkg.source_date_epoch);
    let summary = package.summary_info_mut();
    summary.set_title("Installation Database");
    summary.set_subject(pkg.product_name.clone());
    summary.set_author(pkg.manufacturer.clone());
    summary.set_keywords(&["Installer".to_owned()]);
    summary.set_comments(if pkg.description.is_empty() {
        format!(
            "This installer database contains the logic and data required to install {}.",
            pkg.product_name
        )
    } else {
        pkg.description.clone()
    });
    summary.set_arch(pkg.arch.template_platform());
    summary.set_languages(&[msi::LanguageId::from_id(LANGUAGE)]);
    summary.set_uuid(package_code);
    summary.set_creation_time(time);
    summary.set_last_save_time(time);
    summary.set_page_count(SCHEMA);
    summary.set_word_count(
        WORD_COUNT_COMPRESSED
            | if pkg.per_user {
                WORD_COUNT_NO_ELEVATION
            } else {
                0
            },
    );
    summary.set_creating_application(format!("crateship {}", env!("CARGO_PKG_VERSION")));
    summary.set_doc_security(2);
}

/// `source_date_epoch` as a `SystemTime` (negative values count back from 1970).
pub(crate) fn epoch_time(source_date_epoch: i64) -> SystemTime {
    let offset = Duration::from_secs(source_date_epoch.unsigned_abs());
    if source_date_epoch >= 0 {
        UNIX_EPOCH + offset
    } else {
        UNIX_EPOCH - offset
    }
}

/// PackageCode: different for every different package, identical for identical input.
/// Derived from everything that ends up in the package except host paths.
fn package_code(
    pkg: &MsiPackage,
    checked: &Checked,
    layout: &Layout,
    cabinets: &Cabinets,
) -> uuid::Uuid {
    let mut fingerprint = Md5::new();
    let mut field = |bytes: &[u8]| {
        fingerprint.update((bytes.len() as u64).to_le_bytes());
        fingerprint.update(bytes);
    };
    for text in [
        &pkg.product_name,
        &pkg.manufacturer,
        &pkg.description,
        pkg.homepage.as_deref().unwrap_or(""),
        &pkg.main_exe,
        &pkg.source_date_epoch.to_string(),
        &format!("{}/{}", pkg.desktop_shortcut, pkg.per_user),
    ] {
        field(text.as_bytes());
    }
    field(checked.icon.as_deref().unwrap_or(&[]));
    for (entry, md5) in layout.files.iter().zip(&cabinets.md5) {
        field(entry.dest.as_bytes());
        field(&entry.size.to_le_bytes());
        field(md5);
    }
    let digest: [u8; 16] = fingerprint.finalize().into();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    guid::derive(&["package-code", &guid::braced(checked.product_code), &hex])
}
