//! The apt repository: a pool of .debs, per-architecture `Packages` indexes (plain,
//! gzip, xz, and by-hash copies), a `Release` listing every index with its SHA-256,
//! `InRelease` and `Release.gpg` signed with the release's OpenPGP key, the public key
//! as a binary keyring and a deb822 `.sources` snippet for users.
//!
//! ```text
//! pool/main/h/hello/hello_1.2.3_amd64.deb
//! dists/stable/main/binary-amd64/Packages{,.gz,.xz}
//! dists/stable/main/binary-amd64/by-hash/SHA256/<digest>
//! dists/stable/{Release,InRelease,Release.gpg}
//! hello-archive-keyring.gpg
//! hello.sources
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crateship_sign::PgpKey;
use crateship_support::date;

use crate::deb::{self, Deb};
use crate::output::{FileDigests, Output, sha256_of};
use crate::{RepoError, compress, previous, settings};

/// The settings of an apt repository. [`AptConfig::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AptConfig {
    /// Names the keyring (`NAME-archive-keyring.gpg`) and the snippet (`NAME.sources`).
    pub name: String,
    /// Where users reach the repository directory, e.g. `https://example.org/apt`
    /// (the `.sources` snippet's `URIs:`).
    pub base_url: String,
    /// `Suite` and the `dists/` directory (default `stable`).
    pub suite: String,
    /// `Codename` (default: the suite).
    pub codename: String,
    /// The one component (default `main`).
    pub component: String,
    /// `Origin` (default: the name); users can pin by it.
    pub origin: String,
    /// `Label` (default: the name).
    pub label: String,
    /// `Description` of the Release file, if any.
    pub description: Option<String>,
    /// Where users put the keyring, written as the snippet's `Signed-By:` (default
    /// `/etc/apt/keyrings/NAME-archive-keyring.gpg`).
    pub keyring_path: String,
}

impl AptConfig {
    /// The defaults for a repository called `name` served at `base_url`.
    pub fn new(name: &str, base_url: &str) -> AptConfig {
        AptConfig {
            name: name.to_owned(),
            base_url: base_url.to_owned(),
            suite: "stable".to_owned(),
            codename: "stable".to_owned(),
            component: "main".to_owned(),
            origin: name.to_owned(),
            label: name.to_owned(),
            description: None,
            keyring_path: format!("/etc/apt/keyrings/{name}-archive-keyring.gpg"),
        }
    }

    /// The keyring's file name at the repository root, `NAME-archive-keyring.gpg`.
    pub fn keyring_file_name(&self) -> String {
        format!("{}-archive-keyring.gpg", self.name)
    }

    /// The snippet's file name at the repository root, `NAME.sources`.
    pub fn sources_file_name(&self) -> String {
        format!("{}.sources", self.name)
    }

    fn validate(&self) -> Result<(), RepoError> {
        settings::file_name("name", &self.name)?;
        settings::http_url("base_url", &self.base_url)?;
        settings::segment("suite", &self.suite)?;
        settings::segment("codename", &self.codename)?;
        settings::segment("component", &self.component)?;
        settings::single_line("origin", &self.origin)?;
        settings::single_line("label", &self.label)?;
        if let Some(description) = &self.description {
            settings::single_line("description", description)?;
        }
        settings::absolute_path("keyring_path", &self.keyring_path)
    }
}

/// Writes the apt repository of `debs` (this release's packages) plus every .deb in
/// the pool of `previous` (an earlier repository written by this function, so older
/// versions stay installable) into `out`, signed with `key` at `epoch`
/// (`SOURCE_DATE_EPOCH`, also the `Date:`). A package of this release replaces a
/// previous one with the same name, version and architecture.
///
/// Every input is read and checked before anything is written: a bad package, a
/// `previous` that is not a repository or a bad setting is an error and `out` stays
/// as it was. Returns every file written, sorted. Same inputs give the same bytes.
pub fn write_apt_repo(
    config: &AptConfig,
    debs: &[PathBuf],
    previous: Option<&Path>,
    key: &PgpKey,
    epoch: i64,
    out: &Path,
) -> Result<Vec<PathBuf>, RepoError> {
    config.validate()?;
    let created = settings::signature_time(epoch)?;
    let chosen = choose(config, debs, previous)?;
    if chosen.is_empty() {
        return Err(RepoError::NoPackages { kind: ".deb" });
    }

    let mut output = Output::new(out);
    let mut pool = Vec::new();
    for (rel, deb) in chosen {
        let digests = output.copy(&rel, &deb.path, true)?;
        pool.push(Pooled { deb, rel, digests });
    }

    let dist = format!("dists/{}", config.suite);
    let archs = architectures(&pool);
    let mut indexes = Vec::new();
    for arch in &archs {
        let text = packages_index(&pool, arch);
        let dir = format!("{}/binary-{arch}", config.component);
        let target = output.path(&format!("{dist}/{dir}/Packages"));
        let compress_err = |e| crateship_support::IoError::new("cannot compress", &target, e);
        let forms = [
            ("Packages", text.clone().into_bytes()),
            (
                "Packages.gz",
                compress::gzip(text.as_bytes()).map_err(compress_err)?,
            ),
            (
                "Packages.xz",
                compress::xz(text.as_bytes()).map_err(compress_err)?,
            ),
        ];
        for (file, bytes) in forms {
            let sha256 = sha256_of(&bytes);
            output.write(&format!("{dist}/{dir}/{file}"), &bytes)?;
            output.write(&format!("{dist}/{dir}/by-hash/SHA256/{sha256}"), &bytes)?;
            indexes.push((format!("{dir}/{file}"), sha256, bytes.len()));
        }
    }

    let release = release_text(config, epoch, &archs, &indexes);
    let in_release = format!("{dist}/InRelease");
    let release_gpg = format!("{dist}/Release.gpg");
    let keyring = config.keyring_file_name();
    let sign_err = |rel: &str| {
        let path = output.path(rel);
        move |source| RepoError::Sign { path, source }
    };
    let clearsigned = key
        .clearsign(&release, Some(created))
        .map_err(sign_err(&in_release))?;
    let detached = key
        .sign_armored(release.as_bytes(), Some(created))
        .map_err(sign_err(&release_gpg))?;
    let public_key = key.public_key_binary().map_err(sign_err(&keyring))?;
    output.write(&format!("{dist}/Release"), release.as_bytes())?;
    output.write(&in_release, clearsigned.as_bytes())?;
    output.write(&release_gpg, detached.as_bytes())?;
    output.write(&keyring, &public_key)?;
    output.write(&config.sources_file_name(), sources_text(config).as_bytes())?;
    Ok(output.finish())
}

/// A package copied into the pool.
struct Pooled {
    deb: Deb,
    rel: String,
    digests: FileDigests,
}

/// Every package to publish by pool path: the previous pool's, then this release's
/// on top. Reads (and so checks) every input.
fn choose(
    config: &AptConfig,
    debs: &[PathBuf],
    previous: Option<&Path>,
) -> Result<BTreeMap<String, Deb>, RepoError> {
    let mut chosen = BTreeMap::new();
    if let Some(dir) = previous {
        for path in previous::apt_pool(dir)? {
            let deb = deb::read(&path)?;
            chosen.insert(deb.pool_path(&config.component), deb);
        }
    }
    let mut current: BTreeMap<String, Deb> = BTreeMap::new();
    for path in debs {
        let deb = deb::read(path)?;
        let rel = deb.pool_path(&config.component);
        if let Some(first) = current.get(&rel).filter(|first| first.path != deb.path) {
            return Err(RepoError::Duplicate {
                first: first.path.clone(),
                second: deb.path,
                package: first.label(),
            });
        }
        current.insert(rel, deb);
    }
    chosen.extend(current);
    Ok(chosen)
}

/// The architectures with an index: those of the packages; `all` packages go into
/// each of them, or into `binary-all` when there is no other.
fn architectures(pool: &[Pooled]) -> Vec<String> {
    let archs: BTreeSet<&str> = pool
        .iter()
        .map(|p| p.deb.arch.as_str())
        .filter(|a| *a != "all")
        .collect();
    if archs.is_empty() {
        vec!["all".to_owned()]
    } else {
        archs.into_iter().map(str::to_owned).collect()
    }
}

/// The `Packages` index of `arch`: one stanza per package, by pool path.
fn packages_index(pool: &[Pooled], arch: &str) -> String {
    let stanzas: Vec<String> = pool
        .iter()
        .filter(|p| p.deb.arch == arch || p.deb.arch == "all")
        .map(|p| {
            let mut stanza = p.deb.control.clone();
            for field in ["SHA1", "SHA512", "Description-md5"] {
                stanza.remove(field);
            }
            stanza.set("Filename", p.rel.as_str());
            stanza.set("Size", p.digests.size.to_string());
            stanza.set("MD5sum", p.digests.md5.clone().unwrap_or_default());
            stanza.set("SHA256", p.digests.sha256.as_str());
            stanza.render()
        })
        .collect();
    stanzas.join("\n")
}

fn release_text(
    config: &AptConfig,
    epoch: i64,
    archs: &[String],
    indexes: &[(String, String, usize)],
) -> String {
    let mut text = format!(
        "Origin: {}\nLabel: {}\nSuite: {}\nCodename: {}\nDate: {}\nArchitectures: {}\nComponents: {}\n",
        config.origin,
        config.label,
        config.suite,
        config.codename,
        date::rfc2822(epoch),
        archs.join(" "),
        config.component,
    );
    if let Some(description) = &config.description {
        text.push_str(&format!("Description: {description}\n"));
    }
    text.push_str("Acquire-By-Hash: yes\nSHA256:\n");
    let mut sorted: Vec<_> = indexes.iter().collect();
    sorted.sort();
    for (path, sha256, size) in sorted {
        text.push_str(&format!(" {sha256} {size:>16} {path}\n"));
    }
    text
}

fn sources_text(config: &AptConfig) -> String {
    format!(
        "Types: deb\nURIs: {}\nSuites: {}\nComponents: {}\nSigned-By: {}\n",
        config.base_url, config.suite, config.component, config.keyring_path
    )
}
