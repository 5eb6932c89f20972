//! .deb packages: the `ar` members `control.tar.*` (its `control` file becomes
//! the metadata; every control file is visited as `DEBIAN/NAME`) and
//! `data.tar.*` (every installed file).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::ar::{self, ArError};
use crate::{Metadata, UnpackError, Visitor};

/// Visits the control files and installed files of the .deb at `path`.
/// Without a visitor only the control member is read.
pub(crate) fn read(
    path: &Path,
    mut visit: Option<&mut Visitor<'_>>,
) -> Result<Metadata, UnpackError> {
    let io = UnpackError::io(path);
    let bad = UnpackError::format(path, ".deb");
    let mut file = File::open(path).map_err(&io)?;
    let len = file.metadata().map_err(&io)?.len();
    let members = ar::members(&mut file, len).map_err(|e| match e {
        ArError::Io(e) => io(e),
        ArError::Format(reason) => bad(reason),
    })?;
    let mut metadata = Metadata::default();
    let mut seen_control = false;
    for member in &members {
        let control = member.name.starts_with("control.tar");
        if !control && (visit.is_none() || !member.name.starts_with("data.tar")) {
            continue;
        }
        file.seek(SeekFrom::Start(member.offset)).map_err(&io)?;
        let raw = BufReader::new((&mut file).take(member.size));
        let tar = crate::decoder(&member.name, raw).map_err(&bad)?;
        let result = if control {
            seen_control = true;
            crate::tar_members(tar, &mut |name, reader| {
                if name == "control" {
                    let mut text = String::new();
                    reader.take(1 << 20).read_to_string(&mut text)?;
                    metadata.fields = fields(&text);
                    match visit.as_mut() {
                        Some(visit) => visit("DEBIAN/control", &mut text.as_bytes()),
                        None => Ok(()),
                    }
                } else {
                    match visit.as_mut() {
                        Some(visit) => visit(&format!("DEBIAN/{name}"), reader),
                        None => Ok(()),
                    }
                }
            })
        } else {
            match visit.as_mut() {
                Some(visit) => crate::tar_members(tar, visit),
                None => Ok(()),
            }
        };
        result.map_err(|e| bad(format!("its {} cannot be read: {e}", member.name)))?;
    }
    if !seen_control || metadata.fields.is_empty() {
        return Err(bad(
            "it has no control.tar member with a control file".into()
        ));
    }
    Ok(metadata)
}

/// The fields of a deb822 paragraph (continuation lines joined with `\n`).
fn fields(text: &str) -> std::collections::BTreeMap<String, String> {
    let mut fields = std::collections::BTreeMap::new();
    let mut last: Option<String> = None;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(value) = last.as_ref().and_then(|k| fields.get_mut(k)) {
                let value: &mut String = value;
                value.push('\n');
                value.push_str(line.trim());
            }
        } else if let Some((key, value)) = line.split_once(':') {
            fields.insert(key.trim().to_owned(), value.trim().to_owned());
            last = Some(key.trim().to_owned());
        }
    }
    fields
}
