//! Extracts the squashfs payload (all of it, or the entries matching a glob).

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Component, Path};
use std::time::{Duration, UNIX_EPOCH};

use backhand::InnerNode;

/// Shell-style glob (`*`, `?`, no classes) as `fnmatch(3)` without flags: `*`
/// also matches `/`, like the reference runtime.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

fn err(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{}: {e}", path.display()))
}

/// Extracts the squashfs at `offset` in `image` into `dest`; with a pattern,
/// only matching entries (paths relative to the root, e.g. `usr/bin/*`).
/// Returns the number of entries written.
pub fn extract(image: &Path, offset: u64, dest: &Path, pattern: Option<&str>) -> io::Result<usize> {
    let file = File::open(image).map_err(|e| err(image, e))?;
    let fs = crate::decompress::reader(BufReader::new(file), offset)
        .map_err(|e| err(image, format_args!("cannot read the squashfs payload: {e}")))?;
    fs::create_dir_all(dest).map_err(|e| err(dest, e))?;
    let mut dirs = Vec::new();
    let mut count = 0;
    for node in fs.files() {
        let rel = node.fullpath.strip_prefix("/").unwrap_or(&node.fullpath);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(err(rel, "unsafe path in the squashfs payload"));
        }
        if let Some(pattern) = pattern
            && !glob_match(pattern.as_bytes(), rel.as_os_str().as_encoded_bytes())
        {
            continue;
        }
        let target = dest.join(rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| err(parent, e))?;
        }
        let mode = u32::from(node.header.permissions) & 0o7777;
        let mtime = UNIX_EPOCH + Duration::from_secs(u64::from(node.header.mtime));
        match &node.inner {
            InnerNode::Dir(_) => {
                fs::create_dir_all(&target).map_err(|e| err(&target, e))?;
                dirs.push((target, mode, mtime));
            }
            InnerNode::File(f) => {
                remove_existing(&target)?;
                let out = File::create(&target).map_err(|e| err(&target, e))?;
                let mut writer = BufWriter::new(out);
                io::copy(&mut fs.file(f).reader(), &mut writer).map_err(|e| err(&target, e))?;
                let out = writer.into_inner().map_err(|e| err(&target, e.error()))?;
                out.set_permissions(fs::Permissions::from_mode(mode))
                    .map_err(|e| err(&target, e))?;
                out.set_modified(mtime).map_err(|e| err(&target, e))?;
            }
            InnerNode::Symlink(link) => {
                remove_existing(&target)?;
                symlink(&link.link, &target).map_err(|e| err(&target, e))?;
            }
            // Device nodes, FIFOs and sockets have no place in an AppImage.
            _ => continue,
        }
        count += 1;
    }
    // Directories last (deepest first): their modes may forbid writing into them.
    for (dir, mode, mtime) in dirs.into_iter().rev() {
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).map_err(|e| err(&dir, e))?;
        if let Ok(handle) = File::open(&dir) {
            let _ = handle.set_modified(mtime);
        }
    }
    Ok(count)
}

fn remove_existing(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path).map_err(|e| err(path, e)),
        Ok(_) => fs::remove_file(path).map_err(|e| err(path, e)),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob_matches_like_fnmatch_without_flags() {
        assert!(glob_match(b"*.desktop", b"org.example.Hello.desktop"));
        assert!(glob_match(b"usr/*", b"usr/bin/hello"));
        assert!(glob_match(b"usr/bin/hell?", b"usr/bin/hello"));
        assert!(!glob_match(b"usr/bin/hell?", b"usr/bin/hell"));
        assert!(glob_match(b"AppRun", b"AppRun"));
        assert!(!glob_match(b"AppRun", b"AppRun2"));
        assert!(glob_match(b"*", b""));
    }
}
