//! Reading a .deb for an apt index: its `control` paragraph and the names its pool
//! path is made of. Only the `control.tar*` member is read into memory (at most
//! [`MAX_CONTROL_MEMBER`]); the data member is skipped by seeking, whatever its size.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crateship_support::IoError;

use crate::RepoError;
use crate::deb822::Paragraph;
use crateship_unpack::ar::{self, ArError};

/// The largest `control.tar*` member read (real ones are a few KiB).
pub(crate) const MAX_CONTROL_MEMBER: u64 = 16 << 20;
/// The largest `control` file read.
const MAX_CONTROL_FILE: u64 = 1 << 20;

/// A .deb as an apt index sees it.
#[derive(Debug, Clone)]
pub(crate) struct Deb {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its control paragraph.
    pub control: Paragraph,
    /// `Package`.
    pub name: String,
    /// `Version` (with any epoch).
    pub version: String,
    /// `Architecture`.
    pub arch: String,
}

impl Deb {
    /// `name version arch`, for messages.
    pub fn label(&self) -> String {
        format!("{} {} ({})", self.name, self.version, self.arch)
    }

    /// Its path in the pool of `component`:
    /// `pool/main/h/hello/hello_1.2.3_amd64.deb` (`lib` packages get a four-letter
    /// directory, `pool/main/libf/libfoo/`, as in Debian's archive).
    pub fn pool_path(&self, component: &str) -> String {
        let prefix_len = if self.name.starts_with("lib") && self.name.len() > 3 {
            4
        } else {
            1
        };
        let prefix = &self.name[..prefix_len];
        let version = self
            .version
            .split_once(':')
            .map_or(self.version.as_str(), |(_, v)| v);
        format!(
            "pool/{component}/{prefix}/{name}/{name}_{version}_{arch}.deb",
            name = self.name,
            arch = self.arch
        )
    }
}

/// Reads the control data of the .deb at `path`.
pub(crate) fn read(path: &Path) -> Result<Deb, RepoError> {
    let io = |e| IoError::new("cannot read", path, e);
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    read_from(file, len, path)
}

/// Reads the control data of the .deb `file` of `len` bytes, called `path` in errors.
fn read_from(mut file: impl Read + Seek, len: u64, path: &Path) -> Result<Deb, RepoError> {
    let not_a_deb = |reason: String| RepoError::NotADeb {
        path: path.to_path_buf(),
        reason,
    };
    let io = |e| IoError::new("cannot read", path, e);
    let members = ar::members(&mut file, len).map_err(|e| match e {
        ArError::Io(e) => RepoError::Io(io(e)),
        ArError::Format(reason) => not_a_deb(reason),
    })?;
    match members.first() {
        Some(first) if first.name == "debian-binary" => {
            let mut version = Vec::new();
            file.seek(SeekFrom::Start(first.offset)).map_err(io)?;
            (&mut file)
                .take(first.size.min(16))
                .read_to_end(&mut version)
                .map_err(io)?;
            if !version.starts_with(b"2.") {
                return Err(not_a_deb(format!(
                    "its format version is {:?}, not 2.x",
                    String::from_utf8_lossy(&version).trim()
                )));
            }
        }
        _ => return Err(not_a_deb("its first member is not `debian-binary`".into())),
    }
    if !members.iter().any(|m| m.name.starts_with("data.tar")) {
        return Err(not_a_deb("it has no data.tar member".into()));
    }
    let no_control = |reason: String| RepoError::NoControl {
        path: path.to_path_buf(),
        reason,
    };
    let Some(member) = members.iter().find(|m| m.name.starts_with("control.tar")) else {
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        return Err(no_control(format!("its members are {}", names.join(", "))));
    };
    if member.size > MAX_CONTROL_MEMBER {
        return Err(not_a_deb(format!(
            "its {} member is {} bytes, more than a control archive can be ({MAX_CONTROL_MEMBER})",
            member.name, member.size
        )));
    }
    let mut packed = Vec::new();
    file.seek(SeekFrom::Start(member.offset)).map_err(io)?;
    (&mut file)
        .take(member.size)
        .read_to_end(&mut packed)
        .map_err(io)?;
    let text = control_file(&member.name, &packed).map_err(|reason| match reason {
        ControlError::Missing => no_control(format!("{} holds no ./control file", member.name)),
        ControlError::Unreadable(reason) => {
            not_a_deb(format!("its {} cannot be read: {reason}", member.name))
        }
    })?;
    let bad = |reason: String| RepoError::BadControl {
        path: path.to_path_buf(),
        reason,
    };
    let control = Paragraph::parse(&text).map_err(bad)?;
    let field = |name: &str, valid: fn(&str) -> bool, what: &str| {
        let value = control
            .get(name)
            .ok_or_else(|| bad(format!("has no {name} field")))?;
        if !valid(value) {
            return Err(bad(format!("has {name}: {value:?}, which is not {what}")));
        }
        Ok(value.to_owned())
    };
    Ok(Deb {
        path: path.to_path_buf(),
        name: field(
            "Package",
            valid_name,
            "a Debian package name (lower-case letters, digits, `+-.`)",
        )?,
        version: field(
            "Version",
            valid_version,
            "a Debian version (letters, digits, `.+~-:`)",
        )?,
        arch: field(
            "Architecture",
            valid_arch,
            "a Debian architecture (e.g. amd64, arm64, all)",
        )?,
        control,
    })
}

enum ControlError {
    Missing,
    Unreadable(String),
}

/// The `./control` file inside the (compressed) control tarball `packed`.
fn control_file(member: &str, packed: &[u8]) -> Result<String, ControlError> {
    let unreadable = |e: std::io::Error| ControlError::Unreadable(e.to_string());
    let tar = crateship_unpack::decoder(member, packed).map_err(ControlError::Unreadable)?;
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries().map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let is_control = entry
            .path()
            .map(|p| {
                let mut parts = p
                    .components()
                    .filter(|c| !matches!(c, std::path::Component::CurDir));
                parts.next().is_some_and(|c| c.as_os_str() == "control") && parts.next().is_none()
            })
            .unwrap_or(false);
        if !is_control {
            continue;
        }
        let mut text = Vec::new();
        entry
            .take(MAX_CONTROL_FILE + 1)
            .read_to_end(&mut text)
            .map_err(unreadable)?;
        if text.len() as u64 > MAX_CONTROL_FILE {
            return Err(ControlError::Unreadable(format!(
                "its control file is larger than {MAX_CONTROL_FILE} bytes"
            )));
        }
        return String::from_utf8(text)
            .map_err(|_| ControlError::Unreadable("its control file is not UTF-8".into()));
    }
    Err(ControlError::Missing)
}

/// Debian policy 5.6.1: lower-case letters, digits, `+ - .`, starting alphanumeric.
fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
}

/// Debian policy 5.6.12 characters, so the version can go into a file name.
fn valid_version(version: &str) -> bool {
    version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".+~-:".contains(&b))
}

fn valid_arch(arch: &str) -> bool {
    !arch.is_empty()
        && arch
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use std::io::{self, Write};

    use super::*;

    /// A virtual .deb of `len` bytes: `head` (ar magic, debian-binary, the control
    /// member and the data member's header), then zeros; counts the bytes read.
    struct Virtual {
        head: Vec<u8>,
        len: u64,
        at: u64,
        read: u64,
    }

    impl Read for Virtual {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = (buf.len() as u64).min(self.len.saturating_sub(self.at)) as usize;
            for (i, b) in buf[..n].iter_mut().enumerate() {
                *b = self
                    .head
                    .get((self.at + i as u64) as usize)
                    .copied()
                    .unwrap_or(0);
            }
            self.at += n as u64;
            self.read += n as u64;
            Ok(n)
        }
    }

    impl Seek for Virtual {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.at = match pos {
                SeekFrom::Start(at) => at,
                SeekFrom::End(d) => self.len.saturating_add_signed(d),
                SeekFrom::Current(d) => self.at.saturating_add_signed(d),
            };
            Ok(self.at)
        }
    }

    fn member_header(name: &str, size: u64) -> Vec<u8> {
        format!(
            "{name:<16}{:<12}{:<6}{:<6}{:<8}{size:<10}`\n",
            0, 0, 0, 100644
        )
        .into_bytes()
    }

    #[test]
    fn a_deb_over_4_gib_is_read_without_reading_its_data_member() {
        let control = "Package: big\nVersion: 1.0\nArchitecture: amd64\nDescription: big\n";
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(control.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "./control", control.as_bytes())
            .unwrap();
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
        xz.write_all(&tar.into_inner().unwrap()).unwrap();
        let packed = xz.finish().unwrap();

        let mut head = b"!<arch>\n".to_vec();
        head.extend(member_header("debian-binary", 4));
        head.extend(b"2.0\n");
        head.extend(member_header("control.tar.xz", packed.len() as u64));
        head.extend(&packed);
        if packed.len() % 2 == 1 {
            head.push(b'\n');
        }
        let data_size = 5u64 << 30;
        head.extend(member_header("data.tar.xz", data_size));
        let len = head.len() as u64 + data_size;
        let mut file = Virtual {
            head,
            len,
            at: 0,
            read: 0,
        };
        let deb = read_from(&mut file, len, Path::new("big.deb")).unwrap();
        assert_eq!((deb.name.as_str(), deb.version.as_str()), ("big", "1.0"));
        assert!(file.read < 4096, "read {} of {len} bytes", file.read);
    }

    #[test]
    fn pool_paths_follow_debian() {
        let deb = |name: &str, version: &str| Deb {
            path: PathBuf::new(),
            control: Paragraph::parse("Package: x\n").unwrap(),
            name: name.into(),
            version: version.into(),
            arch: "amd64".into(),
        };
        assert_eq!(
            deb("hello", "1.2.3").pool_path("main"),
            "pool/main/h/hello/hello_1.2.3_amd64.deb"
        );
        assert_eq!(
            deb("libfoo1", "2:1.0-1").pool_path("contrib"),
            "pool/contrib/libf/libfoo1/libfoo1_1.0-1_amd64.deb"
        );
        assert_eq!(
            deb("lib", "1").pool_path("main"),
            "pool/main/l/lib/lib_1_amd64.deb"
        );
    }

    #[test]
    fn names_and_versions_that_cannot_be_paths_are_invalid() {
        assert!(valid_name("hello-world2.0+x"));
        assert!(!valid_name("../etc") && !valid_name("Hello") && !valid_name(""));
        assert!(valid_version("1:1.2.3~beta.1-1"));
        assert!(!valid_version("1.0/../../x") && !valid_version("v1"));
        assert!(valid_arch("amd64") && !valid_arch("amd 64"));
    }
}
