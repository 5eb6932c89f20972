//! The dnf/yum repository: the rpms under `Packages/`, `repodata/` with `primary`,
//! `filelists` and `other` (gzip, named by their SHA-256 as createrepo_c does) and
//! `repomd.xml` listing them with checksums, sizes and the release time,
//! `repomd.xml.asc` signed with the release's OpenPGP key, the armoured public key
//! and a `.repo` file for users (`gpgcheck=1`, `repo_gpgcheck=1`).
//!
//! ```text
//! Packages/hello-1.2.3-1.x86_64.rpm
//! repodata/<sha256>-primary.xml.gz   (and -filelists, -other)
//! repodata/repomd.xml
//! repodata/repomd.xml.asc
//! RPM-GPG-KEY-hello
//! hello.repo
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crateship_sign::PgpKey;
use crateship_support::IoError;

use crate::output::{Output, sha256_of};
use crate::rpm_header::{self, Dep, PathKind, RpmInfo};
use crate::xml::text;
use crate::{RepoError, compress, previous, settings};

/// The settings of a dnf/yum repository. [`RpmConfig::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmConfig {
    /// The repository id: `[NAME]` in `NAME.repo`, and `RPM-GPG-KEY-NAME`.
    pub name: String,
    /// The `name=` line users see (default: the name).
    pub title: String,
    /// Where users reach the repository directory, e.g. `https://example.org/rpm`.
    pub base_url: String,
    /// The `gpgkey=` URL (default: `BASE_URL/RPM-GPG-KEY-NAME`).
    pub gpgkey_url: String,
}

impl RpmConfig {
    /// The defaults for a repository called `name` served at `base_url`.
    pub fn new(name: &str, base_url: &str) -> RpmConfig {
        RpmConfig {
            name: name.to_owned(),
            title: name.to_owned(),
            base_url: base_url.to_owned(),
            gpgkey_url: format!("{}/RPM-GPG-KEY-{name}", base_url.trim_end_matches('/')),
        }
    }

    /// The public key's file name at the repository root, `RPM-GPG-KEY-NAME`.
    pub fn key_file_name(&self) -> String {
        format!("RPM-GPG-KEY-{}", self.name)
    }

    /// The `.repo` file's name at the repository root, `NAME.repo`.
    pub fn repo_file_name(&self) -> String {
        format!("{}.repo", self.name)
    }

    fn validate(&self) -> Result<(), RepoError> {
        settings::file_name("name", &self.name)?;
        settings::single_line("title", &self.title)?;
        settings::http_url("base_url", &self.base_url)?;
        settings::url("gpgkey_url", &self.gpgkey_url)
    }
}

/// Writes the dnf/yum repository of `rpms` (this release's packages) plus every .rpm
/// of `previous` (an earlier repository written by this function, so older versions
/// stay installable) into `out`; `repomd.xml` is signed with `key` and dated `epoch`
/// (`SOURCE_DATE_EPOCH`). A package of this release replaces a previous one with the
/// same name, version, release and architecture. The rpms should carry their own
/// signatures (`gpgcheck=1`): this function does not sign packages.
///
/// Every input is read and checked before anything is written: a bad package, a
/// `previous` that is not a repository or a bad setting is an error and `out` stays
/// as it was. Returns every file written, sorted. Same inputs give the same bytes.
pub fn write_rpm_repo(
    config: &RpmConfig,
    rpms: &[PathBuf],
    previous: Option<&Path>,
    key: &PgpKey,
    epoch: i64,
    out: &Path,
) -> Result<Vec<PathBuf>, RepoError> {
    config.validate()?;
    let created = settings::signature_time(epoch)?;
    let chosen = choose(rpms, previous)?;
    if chosen.is_empty() {
        return Err(RepoError::NoPackages { kind: ".rpm" });
    }

    let mut output = Output::new(out);
    let mut packages = Vec::new();
    for (href, info) in chosen {
        let digests = output.copy(&href, &info.path, false)?;
        packages.push(Listed {
            info,
            href,
            sha256: digests.sha256,
            size: digests.size,
        });
    }

    let mut data = Vec::new();
    for (kind, xml) in [
        ("primary", primary_xml(&packages)),
        ("filelists", filelists_xml(&packages)),
        ("other", other_xml(&packages)),
    ] {
        let gz = compress::gzip(xml.as_bytes())
            .map_err(|e| IoError::new("cannot compress", output.path("repodata"), e))?;
        let sha256 = sha256_of(&gz);
        let href = format!("repodata/{sha256}-{kind}.xml.gz");
        output.write(&href, &gz)?;
        data.push(Metadata {
            kind,
            href,
            sha256,
            size: gz.len(),
            open_sha256: sha256_of(xml.as_bytes()),
            open_size: xml.len(),
        });
    }
    let repomd = repomd_xml(&data, epoch);
    let signature_path = "repodata/repomd.xml.asc";
    let signature = key
        .sign_armored(repomd.as_bytes(), Some(created))
        .map_err(|source| RepoError::Sign {
            path: output.path(signature_path),
            source,
        })?;
    let public_key = key.public_key_armored().map_err(|source| RepoError::Sign {
        path: output.path(&config.key_file_name()),
        source,
    })?;
    output.write("repodata/repomd.xml", repomd.as_bytes())?;
    output.write(signature_path, signature.as_bytes())?;
    output.write(&config.key_file_name(), public_key.as_bytes())?;
    output.write(&config.repo_file_name(), repo_file(config).as_bytes())?;
    Ok(output.finish())
}

/// A package copied into the repository.
struct Listed {
    info: RpmInfo,
    href: String,
    sha256: String,
    size: u64,
}

/// One compressed metadata file, as `repomd.xml` lists it.
struct Metadata {
    kind: &'static str,
    href: String,
    sha256: String,
    size: usize,
    open_sha256: String,
    open_size: usize,
}

/// Every package to publish by location: the previous repository's, then this
/// release's on top. Reads (and so checks) every input.
fn choose(
    rpms: &[PathBuf],
    previous: Option<&Path>,
) -> Result<BTreeMap<String, RpmInfo>, RepoError> {
    let href = |info: &RpmInfo| format!("Packages/{}", info.file_name());
    let mut chosen = BTreeMap::new();
    if let Some(dir) = previous {
        for path in previous::rpm_packages(dir)? {
            let info = rpm_header::read(&path)?;
            chosen.insert(href(&info), info);
        }
    }
    let mut current: BTreeMap<String, RpmInfo> = BTreeMap::new();
    for path in rpms {
        let info = rpm_header::read(path)?;
        let at = href(&info);
        if let Some(first) = current.get(&at).filter(|first| first.path != info.path) {
            return Err(RepoError::Duplicate {
                first: first.path.clone(),
                second: info.path,
                package: first.label(),
            });
        }
        current.insert(at, info);
    }
    chosen.extend(current);
    Ok(chosen)
}

fn version_element(info: &RpmInfo) -> String {
    format!(
        "<version epoch=\"{}\" ver=\"{}\" rel=\"{}\"/>",
        info.epoch,
        text(&info.version),
        text(&info.release)
    )
}

/// The paths primary.xml lists (what dnf resolves file requires against without
/// downloading filelists): anything in a `bin/` directory, under `/etc/`, and
/// `/usr/lib/sendmail`.
fn is_primary_file(path: &str) -> bool {
    path.starts_with("/etc/") || path.contains("bin/") || path == "/usr/lib/sendmail"
}

fn file_element(out: &mut String, indent: &str, path: &str, kind: PathKind) {
    let kind = match kind {
        PathKind::File => "",
        PathKind::Dir => " type=\"dir\"",
        PathKind::Ghost => " type=\"ghost\"",
    };
    let _ = writeln!(out, "{indent}<file{kind}>{}</file>", text(path));
}

fn deps_element(out: &mut String, tag: &str, deps: &[Dep]) {
    if deps.is_empty() {
        return;
    }
    let _ = writeln!(out, "    <rpm:{tag}>");
    for dep in deps {
        let _ = write!(out, "      <rpm:entry name=\"{}\"", text(&dep.name));
        if !dep.flags.is_empty() {
            let _ = write!(out, " flags=\"{}\"", dep.flags);
        }
        for (attr, value) in [("epoch", &dep.epoch), ("ver", &dep.ver), ("rel", &dep.rel)] {
            if let Some(value) = value {
                let _ = write!(out, " {attr}=\"{}\"", text(value));
            }
        }
        if dep.pre {
            out.push_str(" pre=\"1\"");
        }
        out.push_str("/>\n");
    }
    let _ = writeln!(out, "    </rpm:{tag}>");
}

fn primary_xml(packages: &[Listed]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"{}\">\n",
        packages.len()
    );
    for p in packages {
        let i = &p.info;
        let _ = write!(
            out,
            "<package type=\"rpm\">\n  <name>{}</name>\n  <arch>{}</arch>\n  {}\n  <checksum type=\"sha256\" pkgid=\"YES\">{}</checksum>\n  <summary>{}</summary>\n  <description>{}</description>\n  <packager>{}</packager>\n  <url>{}</url>\n  <time file=\"{}\" build=\"{}\"/>\n  <size package=\"{}\" installed=\"{}\" archive=\"{}\"/>\n  <location href=\"{}\"/>\n  <format>\n    <rpm:license>{}</rpm:license>\n    <rpm:vendor>{}</rpm:vendor>\n    <rpm:group>{}</rpm:group>\n    <rpm:buildhost>{}</rpm:buildhost>\n    <rpm:sourcerpm>{}</rpm:sourcerpm>\n    <rpm:header-range start=\"{}\" end=\"{}\"/>\n",
            text(&i.name),
            text(&i.arch),
            version_element(i),
            p.sha256,
            text(&i.summary),
            text(&i.description),
            text(&i.packager),
            text(&i.url),
            i.build_time,
            i.build_time,
            p.size,
            i.installed_size,
            i.archive_size,
            text(&p.href),
            text(&i.license),
            text(&i.vendor),
            text(&i.group),
            text(&i.build_host),
            text(&i.source_rpm),
            i.header_range.0,
            i.header_range.1,
        );
        for (tag, deps) in [
            ("provides", &i.provides),
            ("requires", &i.requires),
            ("conflicts", &i.conflicts),
            ("obsoletes", &i.obsoletes),
            ("suggests", &i.suggests),
            ("enhances", &i.enhances),
            ("recommends", &i.recommends),
            ("supplements", &i.supplements),
        ] {
            deps_element(&mut out, tag, deps);
        }
        for (path, kind) in &i.files {
            if is_primary_file(path) {
                file_element(&mut out, "    ", path, *kind);
            }
        }
        out.push_str("  </format>\n</package>\n");
    }
    out.push_str("</metadata>\n");
    out
}

fn filelists_xml(packages: &[Listed]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\" packages=\"{}\">\n",
        packages.len()
    );
    for p in packages {
        let i = &p.info;
        let _ = writeln!(
            out,
            "<package pkgid=\"{}\" name=\"{}\" arch=\"{}\">\n  {}",
            p.sha256,
            text(&i.name),
            text(&i.arch),
            version_element(i)
        );
        for (path, kind) in &i.files {
            file_element(&mut out, "  ", path, *kind);
        }
        out.push_str("</package>\n");
    }
    out.push_str("</filelists>\n");
    out
}

fn other_xml(packages: &[Listed]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<otherdata xmlns=\"http://linux.duke.edu/metadata/other\" packages=\"{}\">\n",
        packages.len()
    );
    for p in packages {
        let i = &p.info;
        let _ = writeln!(
            out,
            "<package pkgid=\"{}\" name=\"{}\" arch=\"{}\">\n  {}",
            p.sha256,
            text(&i.name),
            text(&i.arch),
            version_element(i)
        );
        for change in &i.changelog {
            let _ = writeln!(
                out,
                "  <changelog author=\"{}\" date=\"{}\">{}</changelog>",
                text(&change.author),
                change.date,
                text(&change.text)
            );
        }
        out.push_str("</package>\n");
    }
    out.push_str("</otherdata>\n");
    out
}

fn repomd_xml(data: &[Metadata], epoch: i64) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n  <revision>{epoch}</revision>\n"
    );
    for d in data {
        let _ = write!(
            out,
            "  <data type=\"{}\">\n    <checksum type=\"sha256\">{}</checksum>\n    <open-checksum type=\"sha256\">{}</open-checksum>\n    <location href=\"{}\"/>\n    <timestamp>{epoch}</timestamp>\n    <size>{}</size>\n    <open-size>{}</open-size>\n  </data>\n",
            d.kind, d.sha256, d.open_sha256, d.href, d.size, d.open_size
        );
    }
    out.push_str("</repomd>\n");
    out
}

fn repo_file(config: &RpmConfig) -> String {
    format!(
        "[{}]\nname={}\nbaseurl={}\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey={}\n",
        config.name, config.title, config.base_url, config.gpgkey_url
    )
}
