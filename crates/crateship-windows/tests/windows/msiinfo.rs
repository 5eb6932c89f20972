//! `msiinfo` (msitools) sees the expected summary, tables, rows and streams.

use tempfile::TempDir;

use crate::support::{build_sample, export, run_ok};

#[test]
fn summary_information_is_complete_and_fixed_in_time() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let info = run_ok("msiinfo", &[&"suminfo", &msi]);
    for expected in [
        "Title: Installation Database",
        "Subject: Hello Desktop",
        "Author: Example Corp",
        "Keywords: Installer",
        "Comments: Says hello",
        "Template: x64;1033",
        "Version: 500",
        "Source: 2",
        "Application: crateship",
        "Created: Tue Nov 14",
        "Last saved: Tue Nov 14",
    ] {
        assert!(info.contains(expected), "missing {expected:?} in:\n{info}");
    }
    assert!(info.contains("Revision number (UUID): {"), "{info}");
}

#[test]
fn all_tables_are_present() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let tables = run_ok("msiinfo", &[&"tables", &msi]);
    for table in [
        "Property",
        "Directory",
        "Component",
        "File",
        "MsiFileHash",
        "Media",
        "Feature",
        "FeatureComponents",
        "Registry",
        "Shortcut",
        "Icon",
        "Upgrade",
        "LaunchCondition",
        "InstallExecuteSequence",
        "InstallUISequence",
    ] {
        assert!(
            tables.lines().any(|l| l.trim() == table),
            "missing table {table} in:\n{tables}"
        );
    }
}

#[test]
fn properties_carry_product_identity_and_arp_entries() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let rows = export(&msi, "Property");
    let get = |name: &str| {
        rows.iter()
            .find(|r| r[0] == name)
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no {name}: {rows:?}"))
    };
    assert_eq!(get("ProductName"), "Hello Desktop");
    assert_eq!(get("ProductVersion"), "1.2.3");
    assert_eq!(get("Manufacturer"), "Example Corp");
    assert_eq!(get("ALLUSERS"), "1");
    assert_eq!(get("ARPPRODUCTICON"), "ProductIcon.ico");
    assert_eq!(get("ARPNOMODIFY"), "1");
    assert_eq!(get("ARPURLINFOABOUT"), "https://example.org/hello");
    assert_eq!(get("ARPHELPLINK"), "https://example.org/hello");
    assert_eq!(get("SecureCustomProperties"), "NEWERFOUND;OLDERFOUND");
    for code in ["ProductCode", "UpgradeCode"] {
        let value = get(code);
        assert!(
            value.len() == 38 && value.starts_with('{') && value == value.to_uppercase(),
            "{code} = {value}"
        );
    }
}

#[test]
fn one_64bit_component_per_file_with_the_file_as_key_path() {
    let dir = TempDir::new().unwrap();
    let (pkg, msi) = build_sample(dir.path());
    let files = export(&msi, "File");
    let components = export(&msi, "Component");
    assert_eq!(files.len(), pkg.files.len());
    for file in &files {
        let component = components
            .iter()
            .find(|c| c[0] == file[1])
            .expect("component of file");
        assert_eq!(component[5], file[0], "key path is the file");
        assert_eq!(component[3], "256", "64-bit component");
    }
    // Sequences 1..=n; sizes as on disk; names without folders.
    let mut sequences: Vec<i64> = files.iter().map(|f| f[7].parse().unwrap()).collect();
    sequences.sort();
    assert_eq!(sequences, (1..=files.len() as i64).collect::<Vec<_>>());
    assert!(
        files
            .iter()
            .any(|f| f[2] == "naïve café ✓.txt" && f[3] == "21")
    );
    assert!(files.iter().any(|f| f[2] == "leaf.bin" && f[3] == "70000"));
    // Every unversioned file has a hash.
    assert_eq!(export(&msi, "MsiFileHash").len(), files.len());
}

#[test]
fn directory_table_follows_the_tree() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let dirs = export(&msi, "Directory");
    let parent_of = |name: &str| {
        let row = dirs
            .iter()
            .find(|d| d[2] == name)
            .unwrap_or_else(|| panic!("no {name}: {dirs:?}"));
        dirs.iter()
            .find(|d| d[0] == row[1])
            .map(|d| d[2].clone())
            .unwrap_or_default()
    };
    assert_eq!(parent_of("deepest"), "deeper");
    assert_eq!(parent_of("deeper"), "deep");
    assert_eq!(parent_of("deep"), "data");
    assert_eq!(parent_of("data"), "Hello Desktop");
    assert_eq!(parent_of("Grüße"), "Hello Desktop");
    assert!(
        dirs.iter()
            .any(|d| d[0] == "INSTALLDIR" && d[1] == "ProgramFiles64Folder")
    );
}

#[test]
fn shortcuts_point_at_the_exe_and_are_not_advertised() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let files = export(&msi, "File");
    let exe = files.iter().find(|f| f[2] == "hello.exe").unwrap();
    let shortcuts = export(&msi, "Shortcut");
    assert_eq!(shortcuts.len(), 2, "{shortcuts:?}");
    for shortcut in &shortcuts {
        assert_eq!(shortcut[2], "Hello Desktop");
        // Non-advertised: the target is a formatted path, not a feature.
        assert_eq!(shortcut[4], format!("[#{}]", exe[0]));
        assert_eq!(shortcut[8], "ProductIcon.ico");
    }
    let folders: Vec<&str> = shortcuts.iter().map(|s| s[1].as_str()).collect();
    assert!(folders.contains(&"ProgramMenuFolder") && folders.contains(&"DesktopFolder"));
}

#[test]
fn major_upgrade_rows_find_older_and_refuse_newer() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let upgrade = export(&msi, "Upgrade");
    assert!(
        upgrade
            .iter()
            .any(|r| r[1].is_empty() && r[2] == "1.2.3" && r[6] == "OLDERFOUND"),
        "{upgrade:?}"
    );
    assert!(
        upgrade
            .iter()
            .any(|r| r[1] == "1.2.3" && r[2].is_empty() && r[4] == "2" && r[6] == "NEWERFOUND"),
        "{upgrade:?}"
    );
    let conditions = export(&msi, "LaunchCondition");
    assert!(
        conditions.iter().any(|r| r[0].contains("NOT NEWERFOUND")
            && r[1].contains("A newer version of Hello Desktop"))
    );
    let sequence = export(&msi, "InstallExecuteSequence");
    let at = |a: &str| {
        sequence
            .iter()
            .find(|r| r[0] == a)
            .map(|r| r[2].parse::<i32>().unwrap())
            .unwrap()
    };
    assert!(at("FindRelatedProducts") < at("LaunchConditions"));
    assert!(at("InstallValidate") < at("RemoveExistingProducts"));
    assert!(at("RemoveExistingProducts") < at("InstallInitialize"));
}

#[test]
fn cabinet_and_icon_streams_are_embedded() {
    let dir = TempDir::new().unwrap();
    let (_, msi) = build_sample(dir.path());
    let streams = run_ok("msiinfo", &[&"streams", &msi]);
    assert!(streams.lines().any(|l| l == "cab1.cab"), "{streams}");
    assert!(
        streams.lines().any(|l| l == "Icon.ProductIcon.ico"),
        "{streams}"
    );
    let media = export(&msi, "Media");
    assert_eq!(media, vec![vec!["1", "7", "", "#cab1.cab", "", ""]]);
}
