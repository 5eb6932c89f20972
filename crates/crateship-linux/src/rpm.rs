//! The .rpm writer, on top of the `rpm` crate (rpm-rs).
//!
//! Reproducible: build time and every file mtime are `source_date_epoch`, the build
//! host is the fixed string [`BUILD_HOST`], files are added in path order, owner
//! root:root. The payload is gzip (pure Rust, read by every rpm version).
//! rpm-rs holds the compressed payload in memory while it builds the headers.
//!
//! Signing ([`sign_rpm`]) adds an OpenPGP header signature to a finished package, the
//! way `rpmsign --addsign` does (rpm-rs parses and writes the headers); the
//! signature bytes come from a caller-supplied function (crateship-sign's OpenPGP key),
//! so this crate holds no key material.
//!
//! The package owns only the directories that are its own (a path component equals
//! the package name, e.g. `/usr/share/doc/hello`), never system directories such as
//! `/usr/bin`.

use std::io::Write;
use std::path::Path;

use ::rpm as rpmrs;
use crateship_support::AtomicFile;

use crate::package::{Arch, FileSource, LinuxPackage, parent_dirs, validate};
use crate::{LinuxError, elf, version};

/// The build host recorded in every rpm (never the real host name).
pub const BUILD_HOST: &str = "localhost";

/// The conventional file name: `hello-1.2.3-1.x86_64.rpm`.
pub fn rpm_file_name(name: &str, version: &str, arch: Arch) -> String {
    format!(
        "{name}-{}-{}.{}.rpm",
        version::rpm_version(version),
        version::RPM_RELEASE,
        arch.rpm_name()
    )
}

fn rpm_err(e: rpmrs::Error) -> LinuxError {
    LinuxError::Rpm(e.to_string())
}

fn parse_dependency(spec: &str) -> Result<rpmrs::Dependency, LinuxError> {
    let parts: Vec<&str> = spec.split_whitespace().collect();
    Ok(match parts.as_slice() {
        [name] => rpmrs::Dependency::any(*name),
        [name, ">=", v] => rpmrs::Dependency::greater_eq(*name, *v),
        [name, ">", v] => rpmrs::Dependency::greater(*name, *v),
        [name, "=", v] => rpmrs::Dependency::eq(*name, *v),
        [name, "<=", v] => rpmrs::Dependency::less_eq(*name, *v),
        [name, "<", v] => rpmrs::Dependency::less(*name, *v),
        _ => {
            return Err(LinuxError::InvalidField {
                field: "rpm relationship",
                value: spec.to_owned(),
                reason: "write `name` or `name OP version` with OP one of >= > = <= <".into(),
            });
        }
    })
}

/// Writes the package as an .rpm to `out` and returns `out`.
///
/// Requires: `glibc >= glibc_floor`, `rpm_requires`, and (if `rpm_auto_requires`)
/// `libfoo.so.N()(64bit)` / `libc.so.6(GLIBC_2.x)(64bit)` read from the ELF files.
/// Files under `usr/share/doc/` are `%doc`, `license_text` becomes
/// `/usr/share/licenses/NAME/LICENSE` (`%license`), `conffiles` are
/// `%config(noreplace)`. Every ELF file must be built for `pkg.arch`.
pub fn write_rpm<W: Write>(pkg: &LinuxPackage, mut out: W) -> Result<W, LinuxError> {
    let files = validate(pkg)?;
    let needs = if pkg.rpm_auto_requires {
        Some(elf::elf_needs(&pkg.files, pkg.arch)?)
    } else {
        for file in &files {
            elf::check_file_arch(pkg.arch, file)?;
        }
        None
    };
    // `validate` has checked the range.
    let sde = u32::try_from(pkg.source_date_epoch).unwrap_or_default();
    let ts = rpmrs::Timestamp::from(sde);
    let config = rpmrs::BuildConfig::v4()
        .compression(rpmrs::CompressionType::Gzip)
        .source_date(sde);
    let license = pkg.license.as_deref().unwrap_or("LicenseRef-Proprietary");
    let mut b = rpmrs::PackageBuilder::new(
        &pkg.name,
        &version::rpm_version(&pkg.version),
        license,
        pkg.arch.rpm_name(),
        pkg.summary.trim(),
    );
    b.using_config(config)
        .release(version::RPM_RELEASE)
        .description(description(pkg))
        .packager(pkg.maintainer.clone())
        .build_host(BUILD_HOST)
        .group("Applications/System");
    if let Some(url) = &pkg.homepage {
        b.url(url.clone());
    }
    if let Some(vendor) = &pkg.vendor {
        b.vendor(vendor.clone());
    }

    for entry in pkg.effective_changelog() {
        let date = u32::try_from(entry.date).unwrap_or(sde);
        let changes: Vec<String> = entry
            .changes
            .iter()
            .map(|c| format!("- {}", c.trim()))
            .collect();
        b.add_changelog_entry(
            format!(
                "{} - {}-{}",
                entry.author,
                version::rpm_version(&entry.version),
                version::RPM_RELEASE
            ),
            changes.join("\n"),
            rpmrs::Timestamp::from(date),
        );
    }

    let mut requires: Vec<String> = Vec::new();
    if let Some(needs) = &needs {
        requires.extend(needs.rpm_requires());
    }
    for spec in &requires {
        b.requires(rpmrs::Dependency::any(spec.as_str()));
    }
    if let Some(floor) = &pkg.glibc_floor {
        b.requires(rpmrs::Dependency::greater_eq("glibc", floor.as_str()));
    }
    for spec in &pkg.rpm_requires {
        b.requires(parse_dependency(spec)?);
    }
    let relations = &pkg.rpm_relations;
    for spec in &relations.recommends {
        b.recommends(parse_dependency(spec)?);
    }
    for spec in &relations.suggests {
        b.suggests(parse_dependency(spec)?);
    }
    for spec in &relations.conflicts {
        b.conflicts(parse_dependency(spec)?);
    }
    for spec in &relations.provides {
        b.provides(parse_dependency(spec)?);
    }
    for spec in &relations.obsoletes {
        b.obsoletes(parse_dependency(spec)?);
    }

    // Like rpmbuild: the interpreter is explicit and required for the scriptlet's phase.
    let sh = |body: &String| rpmrs::Scriptlet::new(body.as_str()).prog(vec!["/bin/sh"]);
    let scripts = &crate::systemd::scripts_with_units(pkg, crate::systemd::Flavor::Rpm);
    if let Some(s) = &scripts.pre_install {
        b.pre_install_script(sh(s))
            .requires(rpmrs::Dependency::script_pre("/bin/sh"));
    }
    if let Some(s) = &scripts.post_install {
        b.post_install_script(sh(s))
            .requires(rpmrs::Dependency::script_post("/bin/sh"));
    }
    if let Some(s) = &scripts.pre_remove {
        b.pre_uninstall_script(sh(s))
            .requires(rpmrs::Dependency::script_preun("/bin/sh"));
    }
    if let Some(s) = &scripts.post_remove {
        b.post_uninstall_script(sh(s))
            .requires(rpmrs::Dependency::script_postun("/bin/sh"));
    }

    let license_dest = format!("usr/share/licenses/{}/LICENSE", pkg.name);
    let license_file = pkg
        .license_text
        .as_ref()
        .filter(|_| !files.iter().any(|f| f.dest == license_dest))
        .map(|t| (license_dest.clone(), t.clone()));
    let mut all_dests: Vec<&str> = files
        .iter()
        .map(|f| f.dest.as_str())
        .chain(pkg.symlinks.iter().map(|l| l.dest.as_str()))
        .collect();
    if let Some((dest, _)) = &license_file {
        all_dests.push(dest);
    }
    for dir in parent_dirs(all_dests.iter().copied()) {
        if dir.split('/').any(|c| c == pkg.name) {
            b.with_dir_entry(
                rpmrs::FileOptions::dir(format!("/{dir}"))
                    .permissions(0o755)
                    .modified_at(ts),
            )
            .map_err(rpm_err)?;
        }
    }
    let doc_prefix = "usr/share/doc/";
    for file in files {
        let mut opts = rpmrs::FileOptions::new(format!("/{}", file.dest))
            .mode(rpmrs::FileMode::regular((file.mode & 0o777) as u16))
            .modified_at(ts);
        // Like rpmbuild: man and info pages are documentation too.
        if [doc_prefix, "usr/share/man/", "usr/share/info/"]
            .iter()
            .any(|p| file.dest.starts_with(p))
        {
            opts = opts.doc();
        }
        if pkg.conffiles.contains(&file.dest) {
            opts = opts.config().noreplace();
        }
        match &file.source {
            FileSource::Path(path) => {
                b.with_file(path, opts).map_err(|e| match e {
                    rpmrs::Error::Io(source) => LinuxError::ReadSource {
                        path: path.clone(),
                        dest: file.dest.clone(),
                        source,
                    },
                    other => rpm_err(other),
                })?;
            }
            FileSource::Bytes(bytes) => {
                b.with_file_contents(bytes.clone(), opts).map_err(rpm_err)?;
            }
        }
    }
    for link in &pkg.symlinks {
        b.with_symlink(
            rpmrs::FileOptions::symlink(format!("/{}", link.dest), link.target.clone())
                .modified_at(ts),
        )
        .map_err(rpm_err)?;
    }
    if let Some((dest, text)) = license_file {
        let opts = rpmrs::FileOptions::new(format!("/{dest}"))
            .mode(rpmrs::FileMode::regular(0o644))
            .modified_at(ts)
            .license();
        b.with_file_contents(text.into_bytes(), opts)
            .map_err(rpm_err)?;
    }

    let package = b.build().map_err(rpm_err)?;
    package.write(&mut out).map_err(|e| match e {
        rpmrs::Error::Io(source) => LinuxError::Write {
            format: "rpm",
            what: "package",
            source,
        },
        other => rpm_err(other),
    })?;
    out.flush().map_err(|source| LinuxError::Write {
        format: "rpm",
        what: "package",
        source,
    })?;
    Ok(out)
}

fn description(pkg: &LinuxPackage) -> String {
    let lines = crate::text::wrap_paragraphs(&pkg.description, 79);
    if lines.is_empty() {
        pkg.summary.trim().to_owned()
    } else {
        lines.join("\n")
    }
}

/// Signature-header tags (rpm's `rpmtag.h`).
const SIGTAG_DSA: u32 = 267;
const SIGTAG_RSA: u32 = 268;
const SIGTAG_OPENPGP: u32 = 278;
const SIGTAG_RESERVEDSPACE: u32 = 1008;

/// The public-key algorithm of a v4 OpenPGP signature packet (RFC 4880 §5.2.3).
fn pgp_signature_algorithm(packet: &[u8]) -> Option<u8> {
    let first = *packet.first()?;
    let body_at = if first & 0x40 != 0 {
        match *packet.get(1)? {
            0..=191 => 2,
            192..=223 => 3,
            255 => 6,
            _ => return None,
        }
    } else {
        match first & 0x03 {
            0 => 2,
            1 => 3,
            2 => 5,
            _ => return None,
        }
    };
    let body = packet.get(body_at..)?;
    (body.first() == Some(&4)).then(|| body.get(2).copied())?
}

/// Signs the .rpm `input` into `output` (may equal `input`), the way `rpmsign
/// --addsign` does for v4 packages: `sign(header, time)` must return a binary v4
/// OpenPGP signature packet over the header bytes, made at `time` (here `timestamp`,
/// e.g. `SOURCE_DATE_EPOCH`, for reproducible output). It goes into the signature
/// header as `RSAHEADER` (RSA keys) or `DSAHEADER` (DSA, ECDSA, EdDSA keys), replacing
/// any earlier signature; the payload is streamed, not loaded. Written through an
/// [`AtomicFile`]: on error nothing changes.
pub fn sign_rpm<F>(input: &Path, output: &Path, timestamp: u32, sign: F) -> Result<(), LinuxError>
where
    F: Fn(&[u8], u32) -> Result<Vec<u8>, String>,
{
    let failed =
        |reason: String| LinuxError::Rpm(format!("signing `{}` failed: {reason}", input.display()));
    let read_err = |source| LinuxError::ReadSource {
        path: input.to_owned(),
        dest: "(the package itself)".into(),
        source,
    };
    let mut reader = std::io::BufReader::new(std::fs::File::open(input).map_err(read_err)?);
    let mut meta = rpmrs::PackageMetadata::parse(&mut reader).map_err(|e| match e {
        rpmrs::Error::Io(source) => read_err(source),
        other => failed(format!("it is not a readable rpm package ({other})")),
    })?;
    let header = meta.header_bytes().map_err(|e| failed(e.to_string()))?;
    let signature = sign(&header, timestamp).map_err(&failed)?;
    let tag = match pgp_signature_algorithm(&signature) {
        Some(1..=3) => SIGTAG_RSA,
        Some(17 | 19 | 22 | 27 | 28) => SIGTAG_DSA,
        Some(other) => {
            return Err(failed(format!(
                "rpm cannot verify OpenPGP public-key algorithm {other}; use an RSA or Ed25519 key"
            )));
        }
        None => {
            return Err(failed(
                "the signer did not return a v4 OpenPGP signature packet (rpm 4 needs v4 keys)"
                    .into(),
            ));
        }
    };
    let entries = meta
        .signature
        .get_all_entries()
        .map_err(|e| failed(e.to_string()))?;
    // Room the signature header reserves for signatures (like rpmsign, the new signature
    // takes its place, so re-signing keeps the same layout); 16 = one index entry.
    let mut room = None;
    let mut rebuilt: Vec<rpmrs::HeaderEntry> = Vec::new();
    for (t, data) in entries {
        match (t, data) {
            (rpmrs::HEADER_SIGNATURES | SIGTAG_OPENPGP, _) => {}
            (SIGTAG_DSA | SIGTAG_RSA, rpmrs::IndexData::Bin(old)) => {
                *room.get_or_insert(0) += old.len() + 16;
            }
            (SIGTAG_RESERVEDSPACE, rpmrs::IndexData::Bin(space)) => {
                *room.get_or_insert(0) += space.len() + 16;
            }
            (t, data) => rebuilt.push(rpmrs::HeaderEntry::new(t, data)),
        }
    }
    let left = room.and_then(|r: usize| r.checked_sub(signature.len() + 32));
    if let Some(left) = left.filter(|l| *l > 0) {
        rebuilt.push(rpmrs::HeaderEntry::new(
            SIGTAG_RESERVEDSPACE,
            rpmrs::IndexData::Bin(vec![0; left]),
        ));
    }
    rebuilt.push(rpmrs::HeaderEntry::new(
        tag,
        rpmrs::IndexData::Bin(signature),
    ));
    meta.signature =
        rpmrs::Header::from_entries(rebuilt, rpmrs::IndexSignatureTag::HEADER_SIGNATURES);

    let write_err = |source| LinuxError::Write {
        format: "rpm",
        what: "signed package",
        source,
    };
    let permissions = std::fs::metadata(input).map_err(read_err)?.permissions();
    let mut signed = AtomicFile::create(output)?;
    let mut out = std::io::BufWriter::new(signed.file());
    meta.write(&mut out).map_err(|e| match e {
        rpmrs::Error::Io(source) => write_err(source),
        other => rpm_err(other),
    })?;
    std::io::copy(&mut reader, &mut out).map_err(write_err)?;
    out.flush().map_err(write_err)?;
    drop(out);
    signed.set_permissions(permissions)?;
    signed.commit()?;
    Ok(())
}
