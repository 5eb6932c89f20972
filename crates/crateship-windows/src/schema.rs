//! Table schemas, written in the IDT column-type notation `msiinfo export` prints
//! (`s72` string of up to 72 characters, `S` nullable, `l`/`L` localizable, `i2`/`i4`
//! integers, `v0` binary stream). The column types match what WiX and wixl write.

use std::io;

use msi::{Column, Package};

/// One table: name, primary-key column count (keys come first), columns.
pub(crate) struct TableDef {
    /// Table name.
    pub name: &'static str,
    /// The first `keys` columns form the primary key.
    pub keys: usize,
    /// `(column name, IDT type)`.
    pub columns: &'static [(&'static str, &'static str)],
}

/// Every table this crate writes.
pub(crate) const TABLES: &[TableDef] = &[
    TableDef {
        name: "Property",
        keys: 1,
        columns: &[("Property", "s72"), ("Value", "l0")],
    },
    TableDef {
        name: "Directory",
        keys: 1,
        columns: &[
            ("Directory", "s72"),
            ("Directory_Parent", "S72"),
            ("DefaultDir", "l255"),
        ],
    },
    TableDef {
        name: "Component",
        keys: 1,
        columns: &[
            ("Component", "s72"),
            ("ComponentId", "S38"),
            ("Directory_", "s72"),
            ("Attributes", "i2"),
            ("Condition", "S255"),
            ("KeyPath", "S72"),
        ],
    },
    TableDef {
        name: "File",
        keys: 1,
        columns: &[
            ("File", "s72"),
            ("Component_", "s72"),
            ("FileName", "l255"),
            ("FileSize", "i4"),
            ("Version", "S72"),
            ("Language", "S20"),
            ("Attributes", "I2"),
            ("Sequence", "i4"),
        ],
    },
    TableDef {
        name: "MsiFileHash",
        keys: 1,
        columns: &[
            ("File_", "s72"),
            ("Options", "i2"),
            ("HashPart1", "i4"),
            ("HashPart2", "i4"),
            ("HashPart3", "i4"),
            ("HashPart4", "i4"),
        ],
    },
    TableDef {
        name: "Media",
        keys: 1,
        columns: &[
            ("DiskId", "i2"),
            ("LastSequence", "i4"),
            ("DiskPrompt", "L64"),
            ("Cabinet", "S255"),
            ("VolumeLabel", "S32"),
            ("Source", "S72"),
        ],
    },
    TableDef {
        name: "Feature",
        keys: 1,
        columns: &[
            ("Feature", "s38"),
            ("Feature_Parent", "S38"),
            ("Title", "L64"),
            ("Description", "L255"),
            ("Display", "I2"),
            ("Level", "i2"),
            ("Directory_", "S72"),
            ("Attributes", "i2"),
        ],
    },
    TableDef {
        name: "FeatureComponents",
        keys: 2,
        columns: &[("Feature_", "s38"), ("Component_", "s72")],
    },
    TableDef {
        name: "Registry",
        keys: 1,
        columns: &[
            ("Registry", "s72"),
            ("Root", "i2"),
            ("Key", "l255"),
            ("Name", "L255"),
            ("Value", "L0"),
            ("Component_", "s72"),
        ],
    },
    TableDef {
        name: "Shortcut",
        keys: 1,
        columns: &[
            ("Shortcut", "s72"),
            ("Directory_", "s72"),
            ("Name", "l128"),
            ("Component_", "s72"),
            ("Target", "s72"),
            ("Arguments", "S255"),
            ("Description", "L255"),
            ("Hotkey", "I2"),
            ("Icon_", "S72"),
            ("IconIndex", "I2"),
            ("ShowCmd", "I2"),
            ("WkDir", "S72"),
            ("DisplayResourceDLL", "S255"),
            ("DisplayResourceId", "I2"),
            ("DescriptionResourceDLL", "S255"),
            ("DescriptionResourceId", "I2"),
        ],
    },
    TableDef {
        name: "Icon",
        keys: 1,
        columns: &[("Name", "s72"), ("Data", "v0")],
    },
    TableDef {
        name: "Upgrade",
        keys: 5,
        columns: &[
            ("UpgradeCode", "s38"),
            ("VersionMin", "S20"),
            ("VersionMax", "S20"),
            ("Language", "S255"),
            ("Attributes", "i4"),
            ("Remove", "S255"),
            ("ActionProperty", "s72"),
        ],
    },
    TableDef {
        name: "LaunchCondition",
        keys: 1,
        columns: &[("Condition", "s255"), ("Description", "l255")],
    },
    TableDef {
        name: "InstallExecuteSequence",
        keys: 1,
        columns: &[("Action", "s72"), ("Condition", "S255"), ("Sequence", "I2")],
    },
    TableDef {
        name: "InstallUISequence",
        keys: 1,
        columns: &[("Action", "s72"), ("Condition", "S255"), ("Sequence", "I2")],
    },
    TableDef {
        name: "AdminExecuteSequence",
        keys: 1,
        columns: &[("Action", "s72"), ("Condition", "S255"), ("Sequence", "I2")],
    },
];

/// Turns an IDT type such as `S72` into a column.
fn column(name: &str, idt: &str, key: bool) -> Column {
    let mut builder = Column::build(name);
    let (kind, width) = idt.split_at(1);
    let width: usize = width.parse().expect("IDT widths in TABLES are numbers");
    if kind.chars().all(|c| c.is_ascii_uppercase()) {
        builder = builder.nullable();
    }
    if matches!(kind, "l" | "L") {
        builder = builder.localizable();
    }
    if key {
        builder = builder.primary_key();
    }
    match kind {
        "s" | "S" | "l" | "L" => builder.string(width),
        "i" | "I" if width == 2 => builder.int16(),
        "i" | "I" => builder.int32(),
        "v" | "V" => builder.binary(),
        _ => unreachable!("unknown IDT type {idt} in TABLES"),
    }
}

/// Creates every table of [`TABLES`] in `package`.
pub(crate) fn create_all<F: io::Read + io::Write + io::Seek>(
    package: &mut Package<F>,
) -> Result<(), crate::MsiError> {
    for table in TABLES {
        let columns = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (name, idt))| column(name, idt, i < table.keys))
            .collect();
        package
            .create_table(table.name, columns)
            .map_err(|source| crate::MsiError::Database {
                table: table.name.to_owned(),
                source,
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_parses() {
        for table in TABLES {
            assert!(
                table.keys >= 1 && table.keys <= table.columns.len(),
                "{}",
                table.name
            );
            for (i, (name, idt)) in table.columns.iter().enumerate() {
                let col = column(name, idt, i < table.keys);
                assert_eq!(
                    col.is_nullable(),
                    idt.starts_with(|c: char| c.is_ascii_uppercase())
                );
            }
        }
    }
}
