//! The flat product archive (`.pkg`) writer: a XAR holding `Distribution` and
//! `COMPONENT.pkg/{Bom,PackageInfo,Payload}`, which installs the app into
//! `/Applications` (or another location).
//!
//! The payload (gzip of an odc cpio archive of `./NAME.app/...`) is streamed to
//! an anonymous temp file while its SHA-1, the per-file `cksum` CRCs for the
//! Bom and the sizes are computed in the same pass; the XAR is then written to
//! the caller's `Write`. Memory stays bounded by the number of paths, not
//! their size.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::{Digest, Sha1};

use crate::MacosError;
use crate::bom::{BomEntry, BomKind, write_bom};
use crate::cksum::Cksum;
use crate::cpio::{MAX_FILE_SIZE, OdcWriter};
use crate::error::{read_err, write_err};
use crate::macho::{MachArch, MachKind, macho_kind};
use crate::tree::{Entry, Kind, walk_app};
use crateship_template::{UserTemplate, xml_escape};

use crate::xar::{XarData, XarNode, write_xar};

/// Settings of a `.pkg` that are not in the app bundle itself.
#[derive(Debug, Clone)]
pub struct PkgInfo {
    /// Title shown by Installer.app (`<title>` in Distribution), e.g. `Hello Desktop`.
    pub title: String,
    /// Where the app is installed, `/Applications` by default.
    pub install_location: String,
    /// `<allowed-os-versions>` minimum, e.g. `11.0`; `None` omits the check.
    pub minimum_system_version: Option<String>,
    /// A `preinstall` script (must start with `#!`), run as root before the payload.
    pub preinstall: Option<PathBuf>,
    /// A `postinstall` script (must start with `#!`), run as root after the payload.
    pub postinstall: Option<PathBuf>,
    /// A user's `PackageInfo` template instead of `templates/PackageInfo.xml`.
    pub package_info_template: Option<UserTemplate>,
    /// A user's `Distribution` template instead of `templates/Distribution.xml`.
    pub distribution_template: Option<UserTemplate>,
    /// Timestamp of every entry (seconds since the Unix epoch).
    pub source_date_epoch: u64,
}

impl PkgInfo {
    /// A pkg titled `title` installing into `/Applications`.
    pub fn new(title: impl Into<String>, source_date_epoch: u64) -> Self {
        Self {
            title: title.into(),
            install_location: "/Applications".into(),
            minimum_system_version: None,
            preinstall: None,
            postinstall: None,
            package_info_template: None,
            distribution_template: None,
            source_date_epoch,
        }
    }
}

/// Counts and hashes what goes through it.
struct HashingWriter<W> {
    inner: W,
    sha1: Sha1,
    len: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha1.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct BundleFacts {
    identifier: String,
    short_version: String,
    build_version: String,
    executable: String,
}

fn bundle_facts(app_dir: &Path) -> Result<BundleFacts, MacosError> {
    let path = app_dir.join("Contents/Info.plist");
    let value = plist::Value::from_file(&path).map_err(|e| MacosError::NotAnApp {
        path: app_dir.to_path_buf(),
        reason: format!("Contents/Info.plist does not parse: {e}"),
    })?;
    let dict = value.as_dictionary();
    let get = |k: &str| -> Result<String, MacosError> {
        dict.and_then(|d| d.get(k))
            .and_then(plist::Value::as_string)
            .map(str::to_owned)
            .ok_or_else(|| MacosError::NotAnApp {
                path: app_dir.to_path_buf(),
                reason: format!("Contents/Info.plist has no string `{k}`"),
            })
    };
    Ok(BundleFacts {
        identifier: get("CFBundleIdentifier")?,
        short_version: get("CFBundleShortVersionString")?,
        build_version: get("CFBundleVersion")?,
        executable: get("CFBundleExecutable")?,
    })
}

fn host_architectures(app_dir: &Path, exe: &str) -> Result<String, MacosError> {
    let path = app_dir.join("Contents/MacOS").join(exe);
    let mut head = Vec::new();
    File::open(&path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(read_err(&path))?;
    let what = format!("executable `{}`", path.display());
    let mut archs: Vec<&str> = match macho_kind(&head, &what)? {
        MachKind::Thin(a) => vec![arch_name(a)],
        MachKind::Universal(v) => v.into_iter().map(arch_name).collect(),
    };
    archs.sort_unstable();
    archs.dedup();
    Ok(archs.join(","))
}

fn arch_name(a: MachArch) -> &'static str {
    match a {
        MachArch::Arm64 => "arm64",
        MachArch::X86_64 => "x86_64",
        MachArch::Other(_) => "unknown",
    }
}

/// Adds the Mach-O slice sizes of a file (or its whole size to CPU 0) to `sizes`.
fn count_arch(head: &[u8], size: u64, sizes: &mut BTreeMap<u32, u64>) {
    let be = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_be_bytes(b.try_into().unwrap_or_default()))
    };
    let le = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()))
    };
    if le(0) == Some(0xfeed_facf) {
        if let Some(cpu) = le(4) {
            *sizes.entry(cpu).or_default() += size;
            return;
        }
    } else if be(0) == Some(0xcafe_babe) {
        let n = be(4).unwrap_or(0).min(30) as usize;
        let slices: Option<Vec<(u32, u32)>> = (0..n)
            .map(|i| Some((be(8 + 20 * i)?, be(8 + 20 * i + 12)?)))
            .collect();
        if let Some(slices) = slices.filter(|s| !s.is_empty()) {
            for (cpu, len) in slices {
                *sizes.entry(cpu).or_default() += u64::from(len);
            }
            return;
        }
    }
    *sizes.entry(0).or_default() += size;
}

/// Streams one file into the cpio archive, returning its cksum CRC.
fn copy_file<W: Write>(
    e: &Entry,
    size: u64,
    cpio: &mut OdcWriter<W>,
    sizes: &mut BTreeMap<u32, u64>,
    spool: &Path,
) -> Result<u32, MacosError> {
    let mut f = File::open(&e.source).map_err(read_err(&e.source))?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut crc = Cksum::default();
    let mut done = 0u64;
    let mut first = true;
    loop {
        let n = f.read(&mut buf).map_err(read_err(&e.source))?;
        if n == 0 {
            break;
        }
        if first {
            count_arch(&buf[..n], size, sizes);
            first = false;
        }
        done += n as u64;
        if done > size {
            break;
        }
        crc.update(&buf[..n]);
        cpio.data()
            .write_all(&buf[..n])
            .map_err(write_err("the .pkg payload", spool))?;
    }
    if done != size {
        return Err(MacosError::Read {
            path: e.source.clone(),
            source: io::Error::other(format!(
                "the file changed size while being packaged ({size} → {done} bytes); \
                 do not modify the bundle during packaging"
            )),
        });
    }
    Ok(crc.finish())
}

/// Reads the install scripts and checks each starts with a shebang line.
fn read_scripts(pkg: &PkgInfo) -> Result<Vec<(&'static str, Vec<u8>)>, MacosError> {
    let mut out = Vec::new();
    for (name, path) in [
        ("preinstall", &pkg.preinstall),
        ("postinstall", &pkg.postinstall),
    ] {
        let Some(path) = path else { continue };
        let data = std::fs::read(path).map_err(read_err(path))?;
        if !data.starts_with(b"#!") {
            return Err(MacosError::InvalidField {
                field: name,
                value: path.display().to_string(),
                reason: "an install script must start with a `#!` line (e.g. #!/bin/sh)".into(),
            });
        }
        out.push((name, data));
    }
    Ok(out)
}

/// The `Scripts` archive: gzip of an odc cpio holding `./preinstall` etc. (0755).
fn scripts_archive(scripts: &[(&str, Vec<u8>)], epoch: u64) -> io::Result<Vec<u8>> {
    let mut cpio = OdcWriter::new(GzEncoder::new(Vec::new(), Compression::new(9)));
    cpio.header(".", 0o040755, epoch, 0)?;
    for (name, data) in scripts {
        cpio.header(&format!("./{name}"), 0o100755, epoch, data.len() as u64)?;
        cpio.data().write_all(data)?;
    }
    cpio.finish()?.finish()
}

fn component_name(app_name: &str) -> String {
    let stem = app_name.trim_end_matches(".app");
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{clean}.pkg")
}

fn validate(pkg: &PkgInfo) -> Result<(), MacosError> {
    let bad = |field, value: &str, reason: &str| MacosError::InvalidField {
        field,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    if pkg.title.trim().is_empty() || pkg.title.chars().any(char::is_control) {
        return Err(bad(
            "title",
            &pkg.title,
            "must be non-empty text without control characters",
        ));
    }
    let loc = &pkg.install_location;
    if !loc.starts_with('/') || loc.split('/').any(|c| c == "..") || loc.contains('\0') {
        return Err(bad(
            "install_location",
            loc,
            "must be an absolute path without `..` (e.g. /Applications)",
        ));
    }
    if let Some(v) = &pkg.minimum_system_version {
        let ok = v.split('.').count() <= 3
            && v.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(bad(
                "minimum_system_version",
                v,
                "expected a macOS version such as 11.0",
            ));
        }
    }
    Ok(())
}

/// Writes a flat product archive installing `app_dir` (a bundle written by
/// [`crate::write_app`]) to `out`, and returns `out`.
///
/// The caller makes the output atomic (temp file beside the target, rename).
/// Errors name the bundle entry or field at fault.
pub fn write_pkg<W: Write>(app_dir: &Path, pkg: &PkgInfo, out: W) -> Result<W, MacosError> {
    validate(pkg)?;
    let scripts = read_scripts(pkg)?;
    let entries = walk_app(app_dir, ".pkg")?;
    let facts = bundle_facts(app_dir)?;
    let host_archs = host_architectures(app_dir, &facts.executable)?;
    let app_name = entries[0].parts[0].clone();
    let epoch = pkg.source_date_epoch;
    let spool_name = PathBuf::from("<temp payload>");

    // Payload: gzip(odc cpio) spooled to a temp file, hashed as it is written.
    let spool = tempfile::tempfile().map_err(write_err("the .pkg payload spool", &spool_name))?;
    let hashing = HashingWriter {
        inner: io::BufWriter::new(spool),
        sha1: Sha1::new(),
        len: 0,
    };
    let gz = GzEncoder::new(hashing, Compression::new(6));
    let mut cpio = OdcWriter::new(gz);
    let mut bom = vec![BomEntry {
        parts: Vec::new(),
        kind: BomKind::Dir,
        mode: 0o040755,
        size: 0,
    }];
    let werr = || write_err("the .pkg payload", &spool_name);
    cpio.header(".", 0o040755, epoch, 0).map_err(werr())?;
    let mut sizes = BTreeMap::new();
    let mut install_bytes = 0u64;
    for e in &entries {
        let name = format!("./{}", e.rel());
        let (kind, size) = match &e.kind {
            Kind::Dir => {
                cpio.header(&name, e.st_mode(), epoch, 0).map_err(werr())?;
                (BomKind::Dir, 0)
            }
            Kind::Symlink(target) => {
                cpio.header(&name, e.st_mode(), epoch, target.len() as u64)
                    .map_err(werr())?;
                cpio.data().write_all(target.as_bytes()).map_err(werr())?;
                (
                    BomKind::Link {
                        target: target.clone(),
                    },
                    target.len() as u64,
                )
            }
            Kind::File { size } => {
                if *size > MAX_FILE_SIZE {
                    return Err(MacosError::Unsupported {
                        path: e.source.clone(),
                        format: ".pkg",
                        reason: "files over 8 GiB do not fit an odc cpio payload".into(),
                    });
                }
                cpio.header(&name, e.st_mode(), epoch, *size)
                    .map_err(werr())?;
                let crc = copy_file(e, *size, &mut cpio, &mut sizes, &spool_name)?;
                install_bytes += size;
                (BomKind::File { crc }, *size)
            }
        };
        bom.push(BomEntry {
            parts: e.parts.clone(),
            kind,
            mode: e.st_mode(),
            size,
        });
    }
    let gz = cpio.finish().map_err(werr())?;
    let hashing = gz.finish().map_err(werr())?;
    let payload_len = hashing.len;
    let payload_sha1: [u8; 20] = hashing.sha1.finalize().into();
    let mut spool = hashing
        .inner
        .into_inner()
        .map_err(|e| werr()(e.into_error()))?;
    spool.rewind().map_err(werr())?;

    let bom_bytes = write_bom(&bom, epoch.min(u64::from(u32::MAX)) as u32, &sizes);
    let install_kb = install_bytes.div_ceil(1024);
    let component = component_name(&app_name);
    let package_info = package_info_xml(&facts, pkg, &app_name, bom.len(), install_kb, &scripts)?;
    let distribution =
        distribution_xml(&facts, pkg, &component, &app_name, &host_archs, install_kb)?;

    let mut component_files = vec![
        XarNode::File("Bom".into(), XarData::Bytes(bom_bytes)),
        XarNode::File(
            "PackageInfo".into(),
            XarData::Bytes(package_info.into_bytes()),
        ),
        XarNode::File(
            "Payload".into(),
            XarData::Spooled {
                file: spool,
                len: payload_len,
                sha1: payload_sha1,
            },
        ),
    ];
    if !scripts.is_empty() {
        let archive = scripts_archive(&scripts, epoch).map_err(werr())?;
        component_files.push(XarNode::File("Scripts".into(), XarData::Bytes(archive)));
    }
    let mut nodes = vec![
        XarNode::File(
            "Distribution".into(),
            XarData::Bytes(distribution.into_bytes()),
        ),
        XarNode::Dir(component, component_files),
    ];
    write_xar(&mut nodes, epoch, out).map_err(write_err("the .pkg", Path::new("<output>")))
}

/// The built-in PackageInfo template (`templates/PackageInfo.xml`).
pub const PACKAGE_INFO_TEMPLATE: &str = include_str!("../../../templates/PackageInfo.xml");
/// The built-in Distribution template (`templates/Distribution.xml`).
pub const DISTRIBUTION_TEMPLATE: &str = include_str!("../../../templates/Distribution.xml");

/// Renders `user` (or `builtin`, named `default_name`) and checks the result is
/// well-formed XML, so a broken user template fails before anything is written.
fn render_xml(
    user: Option<&UserTemplate>,
    default_name: &str,
    builtin: &str,
    values: &[(&str, String)],
) -> Result<String, MacosError> {
    let (name, text) = user.map_or((default_name, builtin), |t| {
        (t.name.as_str(), t.text.as_str())
    });
    let xml = crateship_template::render(name, text, values)?;
    crateship_template::check_xml(name, &xml)?;
    Ok(xml)
}

/// Fills the pkg's own Distribution and PackageInfo templates (if it has
/// them) with sample values and applies the checks writing applies (placeholders,
/// well-formed XML, the `pkg-ref` Installer needs), so `crateship plan` refuses
/// a broken template before anything is built.
pub fn check_pkg_templates(pkg: &PkgInfo) -> Result<(), MacosError> {
    let facts = BundleFacts {
        identifier: "org.example.App".into(),
        short_version: "1.0.0".into(),
        build_version: "1.0.0".into(),
        executable: "app".into(),
    };
    let app_name = "App.app";
    let scripts: [(&str, Vec<u8>); 1] = [("postinstall", Vec::new())];
    if pkg.package_info_template.is_some() {
        package_info_xml(&facts, pkg, app_name, 1, 1, &scripts)?;
    }
    if pkg.distribution_template.is_some() {
        let component = component_name(app_name);
        distribution_xml(&facts, pkg, &component, app_name, "x86_64,arm64", 1)?;
    }
    Ok(())
}

fn package_info_xml(
    f: &BundleFacts,
    pkg: &PkgInfo,
    app_name: &str,
    files: usize,
    install_kb: u64,
    scripts: &[(&str, Vec<u8>)],
) -> Result<String, MacosError> {
    let scripts = if scripts.is_empty() {
        String::new()
    } else {
        let lines: String = scripts
            .iter()
            .map(|(name, _)| format!("        <{name} file=\"./{name}\"/>\n"))
            .collect();
        format!("    <scripts>\n{lines}    </scripts>")
    };
    let values = [
        ("identifier", xml_escape(&f.identifier)),
        ("short_version", xml_escape(&f.short_version)),
        ("bundle_version", xml_escape(&f.build_version)),
        ("install_location", xml_escape(&pkg.install_location)),
        ("app", xml_escape(app_name)),
        ("number_of_files", files.to_string()),
        ("install_kbytes", install_kb.to_string()),
        ("scripts", scripts),
    ];
    render_xml(
        pkg.package_info_template.as_ref(),
        "PackageInfo.xml",
        PACKAGE_INFO_TEMPLATE,
        &values,
    )
}

fn distribution_xml(
    f: &BundleFacts,
    pkg: &PkgInfo,
    component: &str,
    app_name: &str,
    host_archs: &str,
    install_kb: u64,
) -> Result<String, MacosError> {
    let volume_check = pkg.minimum_system_version.as_ref().map_or(String::new(), |v| {
        format!(
            "    <volume-check>\n        <allowed-os-versions>\n            <os-version min=\"{}\"/>\n        </allowed-os-versions>\n    </volume-check>",
            xml_escape(v)
        )
    });
    let values = [
        ("title", xml_escape(&pkg.title)),
        ("identifier", xml_escape(&f.identifier)),
        ("short_version", xml_escape(&f.short_version)),
        ("bundle_version", xml_escape(&f.build_version)),
        ("app", xml_escape(app_name)),
        ("component", xml_escape(component)),
        ("host_architectures", host_archs.to_owned()),
        ("install_kbytes", install_kb.to_string()),
        ("volume_check", volume_check),
    ];
    let xml = render_xml(
        pkg.distribution_template.as_ref(),
        "Distribution.xml",
        DISTRIBUTION_TEMPLATE,
        &values,
    )?;
    let pkg_ref = format!(">#{}</pkg-ref>", xml_escape(component));
    if !xml.contains(&pkg_ref) {
        return Err(MacosError::Template {
            template: pkg
                .distribution_template
                .as_ref()
                .map_or("Distribution.xml".into(), |t| t.name.clone()),
            reason: format!(
                "it has no `<pkg-ref …{pkg_ref}`; Installer finds the component only \
                 through it: keep `#{{{{component}}}}` in the pkg-ref"
            ),
        });
    }
    Ok(xml)
}
