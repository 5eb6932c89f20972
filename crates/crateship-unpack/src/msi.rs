//! MSI packages: the Property table gives the metadata; each cabinet named in
//! the Media table (`#NAME`, an embedded stream) holds the files, stored under
//! their File-table keys and visited under their long file names.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::{Metadata, UnpackError, Visitor};

/// Visits the files of the MSI at `path`.
/// Without a visitor only the tables are read.
pub(crate) fn read(path: &Path, visit: Option<&mut Visitor<'_>>) -> Result<Metadata, UnpackError> {
    let bad = UnpackError::format(path, "MSI");
    let mut package = msi::open(path).map_err(|e| bad(e.to_string()))?;
    let mut metadata = Metadata {
        signed: package.has_digital_signature(),
        ..Metadata::default()
    };
    let rows = |package: &mut msi::Package<std::fs::File>, table: &str, columns: [&str; 2]| {
        let mut pairs = Vec::new();
        if package.has_table(table) {
            for row in package
                .select_rows(msi::Select::table(table))
                .map_err(|e| bad(format!("its {table} table cannot be read: {e}")))?
            {
                let text = |c: &str| row[c].as_str().unwrap_or_default().to_owned();
                pairs.push((text(columns[0]), text(columns[1])));
            }
        }
        Ok::<_, UnpackError>(pairs)
    };
    metadata.fields = rows(&mut package, "Property", ["Property", "Value"])?
        .into_iter()
        .collect();
    let Some(visit) = visit else {
        return Ok(metadata);
    };
    let names: BTreeMap<String, String> = rows(&mut package, "File", ["File", "FileName"])?
        .into_iter()
        .map(|(key, name)| {
            let long = name.rsplit('|').next().unwrap_or(&name).to_owned();
            (key, long)
        })
        .collect();
    let cabinets: Vec<String> = rows(&mut package, "Media", ["DiskId", "Cabinet"])?
        .into_iter()
        .filter_map(|(_, cabinet)| cabinet.strip_prefix('#').map(str::to_owned))
        .collect();
    for stream in cabinets {
        let open = |package: &mut msi::Package<std::fs::File>| {
            package
                .read_stream(&stream)
                .map_err(|e| bad(format!("its cabinet stream `{stream}` cannot be read: {e}")))
        };
        let cabinet = cab::Cabinet::new(open(&mut package)?)
            .map_err(|e| bad(format!("its cabinet `{stream}` is damaged: {e}")))?;
        let one_pass = cabinet.folder_entries().all(|f| {
            matches!(
                f.compression_type(),
                cab::CompressionType::None | cab::CompressionType::MsZip
            )
        });
        let long_name = |key: &str| names.get(key).cloned().unwrap_or_else(|| key.to_owned());
        if one_pass {
            crate::cabinet::members(open(&mut package)?, &long_name, visit)
                .map_err(|e| bad(format!("its cabinet `{stream}` cannot be read: {e}")))?;
            continue;
        }
        let mut cabinet = cabinet;
        let keys: Vec<String> = cabinet
            .folder_entries()
            .flat_map(|folder| folder.file_entries().map(|f| f.name().to_owned()))
            .collect();
        for key in keys {
            let mut file = cabinet
                .read_file(&key)
                .map_err(|e| bad(format!("`{key}` in cabinet `{stream}` cannot be read: {e}")))?;
            let name = long_name(&key);
            visit(&name, &mut file as &mut dyn Read)
                .map_err(|e| bad(format!("`{name}` cannot be read: {e}")))?;
        }
    }
    Ok(metadata)
}
