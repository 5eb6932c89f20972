//! A WiX v3 source (as msitools' `wixl -a x64` accepts it) that installs every
//! file of a tree under `ProgramFiles64Folder\SamplePayload`: the input the MSI
//! bench hands to its peer. One component per file, GUIDs UUIDv5 of the path;
//! `Source=` paths are relative to the `.wxs` (wixl refuses absolute ones), so
//! run wixl from the `.wxs`'s directory.

use std::fmt::Write as _;
use std::path::Path;

use crateship_support::IoError;
use crateship_support::walk::{EntryKind, Symlinks, walk};

use crate::PayloadError;

/// Namespace of the component GUIDs.
const NAMESPACE: uuid::Uuid = uuid::uuid!("6f1c3c0e-0000-4000-8000-000000000001");

fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Writes the `.wxs` for the tree at `dir` to `wxs`; returns the component count.
pub fn write_wxs(dir: &Path, wxs: &Path) -> Result<usize, PayloadError> {
    let entries = walk(dir, Symlinks::Keep).map_err(|e| {
        PayloadError::Io(IoError::new(
            "cannot walk",
            dir,
            std::io::Error::other(e.to_string()),
        ))
    })?;
    let wxs_dir = wxs.parent().unwrap_or(Path::new("."));
    let base = relative(dir, wxs_dir);
    let mut body = String::new();
    let mut components = Vec::new();
    let mut dir_count = 0;
    // `walk` lists each directory right before its contents; files come in
    // name order within a directory, but WiX wants a directory's files before
    // its subdirectories, so emit files of each directory first.
    let mut by_dir: std::collections::BTreeMap<String, (Vec<String>, Vec<String>)> =
        Default::default();
    for e in &entries {
        let (parent, name) = e.rel.rsplit_once('/').unwrap_or(("", e.rel.as_str()));
        let slot = by_dir.entry(parent.to_owned()).or_default();
        match e.kind {
            EntryKind::Dir => slot.1.push(name.to_owned()),
            EntryKind::File { .. } | EntryKind::Symlink { .. } => slot.0.push(name.to_owned()),
        }
    }
    fn emit(
        rel: &str,
        depth: usize,
        by_dir: &std::collections::BTreeMap<String, (Vec<String>, Vec<String>)>,
        base: &str,
        body: &mut String,
        components: &mut Vec<String>,
        dir_count: &mut usize,
    ) {
        let indent = " ".repeat(10 + depth * 2);
        let Some((files, dirs)) = by_dir.get(rel) else {
            return;
        };
        for name in files {
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let id = format!("c{:05}", components.len());
            let guid = uuid::Uuid::new_v5(&NAMESPACE, path.as_bytes())
                .to_string()
                .to_uppercase();
            let _ = writeln!(
                body,
                "{indent}<Component Id=\"{id}\" Guid=\"{{{guid}}}\" Win64=\"yes\">\n{indent}  <File Id=\"f{}\" Name=\"{}\" Source=\"{}\" KeyPath=\"yes\"/>\n{indent}</Component>",
                &id[1..],
                xml_attr(name),
                xml_attr(&format!("{base}/{path}")),
            );
            components.push(id);
        }
        for name in dirs {
            *dir_count += 1;
            let _ = writeln!(
                body,
                "{indent}<Directory Id=\"dir{:04}\" Name=\"{}\">",
                *dir_count,
                xml_attr(name)
            );
            let child = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            emit(&child, depth + 1, by_dir, base, body, components, dir_count);
            let _ = writeln!(body, "{indent}</Directory>");
        }
    }
    emit(
        "",
        0,
        &by_dir,
        &base,
        &mut body,
        &mut components,
        &mut dir_count,
    );
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
<Wix xmlns=\"http://schemas.microsoft.com/wix/2006/wi\">\n\
  <Product Id=\"{8A1F0E2B-1C1D-4E3A-9B5C-000000000123}\" Name=\"SamplePayload\" Language=\"1033\"\n\
           Version=\"1.2.3\" Manufacturer=\"Sample Author\" UpgradeCode=\"{8A1F0E2B-1C1D-4E3A-9B5C-000000000001}\">\n\
    <Package InstallerVersion=\"500\" Compressed=\"yes\" InstallScope=\"perMachine\"/>\n\
    <Media Id=\"1\" Cabinet=\"payload.cab\" EmbedCab=\"yes\"/>\n\
    <Directory Id=\"TARGETDIR\" Name=\"SourceDir\">\n\
      <Directory Id=\"ProgramFiles64Folder\">\n\
        <Directory Id=\"INSTALLDIR\" Name=\"SamplePayload\">\n",
    );
    out.push_str(&body);
    out.push_str(
        "        </Directory>\n      </Directory>\n    </Directory>\n    <Feature Id=\"Main\" Level=\"1\">\n",
    );
    for c in &components {
        let _ = writeln!(out, "      <ComponentRef Id=\"{c}\"/>");
    }
    out.push_str("    </Feature>\n  </Product>\n</Wix>\n");
    crateship_support::atomic::write(wxs, out.as_bytes())?;
    Ok(components.len())
}

/// `target` relative to `from` (both made absolute), `/`-separated.
fn relative(target: &Path, from: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (target, from) = (abs(target), abs(from));
    let t: Vec<_> = target.components().collect();
    let f: Vec<_> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), f.len() - common).collect();
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_relative_to_the_wxs() {
        assert_eq!(
            relative(Path::new("/a/b/payload"), Path::new("/a/b")),
            "payload"
        );
        assert_eq!(relative(Path::new("/a/p"), Path::new("/a/b/c")), "../../p");
    }
}
