//! The install tree: payload files sorted by destination, the Directory rows derived
//! from their paths (any depth), and the stable table keys and component GUIDs.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::PathBuf;

use uuid::Uuid;

use crate::cabinet::MAX_FILE_SIZE;
use crate::validate::{Checked, file_name_problem, scope};
use crate::{MsiError, MsiPackage, guid};

/// Directory id of the install folder (a public property, so `INSTALLDIR=...` works).
pub(crate) const INSTALLDIR: &str = "INSTALLDIR";

/// One Directory row below the install folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dir {
    /// Directory key.
    pub id: String,
    /// Parent directory key.
    pub parent: String,
    /// Folder name.
    pub name: String,
}

/// One payload file with everything the tables need.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Destination relative to the install folder, `/`-separated.
    pub dest: String,
    /// Source on the build host.
    pub source: PathBuf,
    /// Size when examined.
    pub size: u64,
    /// File key (also the cabinet member name).
    pub key: String,
    /// Component key.
    pub component: String,
    /// Component GUID.
    pub component_guid: Uuid,
    /// Key of the directory that holds it.
    pub dir_id: String,
    /// File name.
    pub name: String,
}

/// The whole install tree.
#[derive(Debug)]
pub(crate) struct Layout {
    /// Folders below the install folder, parents before children.
    pub dirs: Vec<Dir>,
    /// Files in File.Sequence order (sorted by destination).
    pub files: Vec<Entry>,
    /// Index into `files` of the shortcut target.
    pub main_exe: usize,
}

impl Layout {
    /// Validates every destination, examines every source, and derives keys.
    pub(crate) fn build(pkg: &MsiPackage, checked: &Checked) -> Result<Layout, MsiError> {
        let mut sorted: Vec<_> = pkg.files.iter().collect();
        sorted.sort_by(|a, b| a.dest.cmp(&b.dest));

        let mut seen: HashMap<String, &str> = HashMap::new();
        let mut dirs: BTreeMap<String, Dir> = BTreeMap::new();
        let mut files = Vec::with_capacity(sorted.len());
        let upgrade = guid::braced(checked.upgrade_code);
        for file in sorted {
            let dest = file.dest.as_str();
            let parts = split_dest(dest)?;
            let folded = dest.to_lowercase();
            if let Some(first) = seen.insert(folded, dest) {
                return Err(MsiError::DuplicateDest {
                    first: first.to_owned(),
                    second: dest.to_owned(),
                });
            }
            let (name, folders) = parts
                .split_last()
                .expect("split_dest returns at least one part");
            let mut parent = INSTALLDIR.to_owned();
            let mut path = String::new();
            for folder in folders {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(folder);
                let dir = dirs.entry(path.clone()).or_insert_with(|| Dir {
                    id: format!("d{}", guid::key_fragment(guid::derive(&["dir", &path]))),
                    parent: parent.clone(),
                    name: (*folder).to_owned(),
                });
                parent = dir.id.clone();
            }
            let meta = fs::metadata(&file.source).map_err(|source| MsiError::ReadInput {
                what: "payload file",
                path: file.source.clone(),
                source,
            })?;
            if !meta.is_file() {
                return Err(MsiError::NotAFile {
                    path: file.source.clone(),
                });
            }
            if meta.len() > MAX_FILE_SIZE {
                return Err(MsiError::FileTooLarge {
                    path: file.source.clone(),
                    size: meta.len(),
                    max: MAX_FILE_SIZE,
                });
            }
            let fragment = guid::key_fragment(guid::derive(&["file", dest]));
            files.push(Entry {
                dest: dest.to_owned(),
                source: file.source.clone(),
                size: meta.len(),
                key: format!("f{fragment}"),
                component: format!("c{fragment}"),
                component_guid: guid::derive(&[
                    "component",
                    &upgrade,
                    pkg.arch.as_str(),
                    scope(pkg),
                    &dest.to_lowercase(),
                ]),
                dir_id: parent,
                name: (*name).to_owned(),
            });
        }
        // A file whose path is also a folder of another file (case-insensitively).
        let folders: HashMap<String, &str> = dirs
            .keys()
            .map(|d| (d.to_lowercase(), d.as_str()))
            .collect();
        for entry in &files {
            if folders.contains_key(&entry.dest.to_lowercase()) {
                let child = files
                    .iter()
                    .find(|e| {
                        e.dest
                            .to_lowercase()
                            .starts_with(&format!("{}/", entry.dest.to_lowercase()))
                    })
                    .map_or_else(String::new, |e| e.dest.clone());
                return Err(MsiError::FileDirConflict {
                    dest: entry.dest.clone(),
                    child,
                });
            }
        }
        let main_exe = files
            .iter()
            .position(|e| e.dest == pkg.main_exe)
            .ok_or_else(|| MsiError::MainExeMissing {
                main_exe: pkg.main_exe.clone(),
            })?;
        // BTreeMap order puts "a" before "a/b": parents come first.
        Ok(Layout {
            dirs: dirs.into_values().collect(),
            files,
            main_exe,
        })
    }
}

/// Splits a destination into checked components.
fn split_dest(dest: &str) -> Result<Vec<&str>, MsiError> {
    let invalid = |reason: String| MsiError::InvalidDest {
        dest: dest.to_owned(),
        reason,
    };
    if dest.starts_with('/') {
        return Err(invalid(
            "it is absolute; give it relative to the install folder".into(),
        ));
    }
    if dest.contains('\\') {
        return Err(invalid(
            "it contains `\\`; separate folders with `/`".into(),
        ));
    }
    let parts: Vec<&str> = dest.split('/').collect();
    for part in &parts {
        if let Some(reason) = file_name_problem(part) {
            return Err(invalid(format!("{reason}; rename it")));
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_checked() {
        assert_eq!(split_dest("a/b c/d.txt").unwrap(), ["a", "b c", "d.txt"]);
        for bad in ["/abs", "a//b", "a/../b", "a\\b", "a/b:c", "", "a/"] {
            assert!(split_dest(bad).is_err(), "{bad}");
        }
    }
}
