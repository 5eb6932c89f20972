//! What is inside each artifact: every member is read once
//! (`crateship-unpack`); binaries are checked against their target and the
//! policy, every file is scanned for build-host paths, and the version each
//! format records is compared with the release's.

use std::collections::BTreeSet;
use std::io::Read;

use sha2::Digest;
use std::path::Path;

use crateship_inspect::{Binary, Expected, FileType, Kind, OsVersion};
use crateship_sbom::AuditedCrate;
use crateship_unpack::{Container, Metadata};

use super::{Level, Policy, REBUILD, Results};
use crate::manifest::{DistManifest, ManifestArtifact};

/// What reading one artifact found, for the supply-chain and previous-release checks.
#[derive(Debug, Default)]
pub(super) struct ArtifactFacts {
    /// The manifest's entry path.
    pub path: String,
    /// The manifest's format name.
    pub format: String,
    /// The manifest's target triple.
    pub target: String,
    /// The package metadata, when the artifact was opened.
    pub metadata: Option<Metadata>,
    /// Every crate the binaries inside embed in their dependency list.
    pub crates: BTreeSet<(String, String)>,
}

/// A binary member bigger than this is not read into memory (it is reported).
const MAX_BINARY: u64 = 4 << 30;
/// Text members whose versions are compared are read up to this size.
const MAX_TEXT: u64 = 4 << 20;

/// Opens every artifact of the release in `dir` and adds the content,
/// binary, signature and version results. Artifacts are read on every core
/// (one job each on the ordered pool); the results keep the manifest's order.
pub(super) fn check(
    dir: &Path,
    manifest: &DistManifest,
    policy: &Policy,
    results: &mut Results,
) -> Vec<ArtifactFacts> {
    let versions = crate::plan::format_versions(&manifest.app.version);
    let version = manifest.app.version.clone();
    let (dir, policy) = (dir.to_path_buf(), policy.clone());
    super::each_artifact(manifest, move |entry| {
        let mut artifact_results = Results::default();
        let facts = check_artifact(
            &dir,
            entry,
            &policy,
            &versions,
            &version,
            &mut artifact_results,
        );
        (artifact_results, facts)
    })
    .into_iter()
    .map(|(mut artifact_results, facts)| {
        results.0.append(&mut artifact_results.0);
        facts
    })
    .collect()
}

/// Every content, binary, signature and version result of one artifact.
fn check_artifact(
    dir: &Path,
    entry: &ManifestArtifact,
    policy: &Policy,
    versions: &crate::plan::FormatVersions,
    version: &str,
    results: &mut Results,
) -> ArtifactFacts {
    let path = dir.join(&entry.path);
    let mut walk = Walk::new(entry, policy);
    if let Ok(found) = crateship_inspect::host_paths_in_file(&path) {
        walk.leaks.extend(found);
    }
    let mut facts = ArtifactFacts {
        path: entry.path.clone(),
        format: entry.format.clone(),
        target: entry.target.clone(),
        ..ArtifactFacts::default()
    };
    match Container::of(&entry.format) {
        Some(container) => {
            let read = crateship_unpack::read(&path, container, &mut |name, reader| {
                walk.member(name, reader)
            });
            match read {
                Ok(metadata) => {
                    results.add(
                        "content.members",
                        Level::Blocking,
                        &entry.path,
                        Ok(format!("{} files read", walk.files)),
                    );
                    facts.metadata = Some(metadata);
                }
                Err(e) => results.add(
                    "content.members",
                    Level::Blocking,
                    &entry.path,
                    Err((e.to_string(), REBUILD.to_owned())),
                ),
            }
        }
        None if entry.format == "pkg" => results.add(
            "content.members",
            Level::Audit,
            &entry.path,
            Err((
                "its members are not opened: check does not read pkg payloads yet".to_owned(),
                "verify it on macOS (`pkgutil --check-signature`, `pkgutil --expand`)".to_owned(),
            )),
        ),
        None => {}
    }
    if matches!(entry.format.as_str(), "dmg" | "pkg") && policy.apple_signed {
        apple_image_signature(&path, entry, policy, results);
    }
    if policy.notarized && entry.format == "pkg" {
        let stapled = crateship_sign::pkg_stapled_ticket(&path)
            .map(|t| t.map(|t| crateship_sign::is_ticket(&t)));
        ticket_result(entry, stapled.unwrap_or(None), "its XAR trailer", results);
    }
    if walk.seals_bundle() && facts.metadata.is_some() {
        bundle_seal_result(entry, &walk.bundle, results);
        if policy.notarized {
            ticket_result(
                entry,
                walk.bundle.stapled,
                "Contents/CodeResources",
                results,
            );
        }
    }
    host_path_result(entry, &walk.leaks, results);
    results.0.append(&mut walk.results.0);
    version_results(entry, &facts, &walk, versions, version, results);
    linux_desktop_results(entry, &walk, results);
    if entry.format == "appimage" {
        appimage_signature(&path, entry, policy, results);
    }
    if entry.format == "rpm"
        && let Some(metadata) = &facts.metadata
    {
        rpm_signature(entry, metadata, policy, results);
    }
    if entry.format == "msi" && policy.authenticode {
        let info = crateship_sign::authenticode_of_file(&path).map_err(|e| e.to_string());
        signature_results("signature.authenticode", &entry.path, info, policy, results);
    }
    facts.crates = walk.crates;
    facts
}

/// The package metadata of every artifact of an earlier release (members are
/// not read), for the previous-release checks.
pub(super) fn read_facts(dir: &Path, manifest: &DistManifest) -> Vec<ArtifactFacts> {
    manifest
        .artifacts
        .iter()
        .map(|entry| ArtifactFacts {
            path: entry.path.clone(),
            format: entry.format.clone(),
            target: entry.target.clone(),
            metadata: Container::of(&entry.format)
                .and_then(|c| crateship_unpack::metadata(&dir.join(&entry.path), c).ok()),
            ..ArtifactFacts::default()
        })
        .collect()
}

const SIGN_FIX: &str = "sign it with crateship (signing.windows-* or signing.apple-*), keep a \
     timestamp URL reachable, and never change the file after signing";

/// The walk over one artifact's members.
struct Walk<'a> {
    entry: &'a ManifestArtifact,
    policy: &'a Policy,
    expected: Option<Expected>,
    files: usize,
    leaks: Vec<String>,
    results: Results,
    crates: BTreeSet<(String, String)>,
    /// The versions recorded inside: Info.plist, AppStream, VERSIONINFO.
    info_plist: Option<Result<crateship_unpack::facts::PlistVersions, String>>,
    metainfo: Option<Result<Option<String>, String>>,
    product_versions: Vec<(String, String)>,
    /// The `NxN` hicolor icon sizes shipped as files.
    icon_sizes: BTreeSet<u32>,
    /// Each `.desktop` entry: its name and text.
    desktop_entries: Vec<(String, String)>,
    /// A signed `.app`'s seal, as read back.
    bundle: BundleSeal,
}

/// What a signed `.app`'s seal is checked against: every file below
/// `Contents/` by its SHA-256, the Info.plist and CodeResources bytes, each
/// program's special-slot hashes, and whether a ticket is stapled.
#[derive(Default)]
struct BundleSeal {
    files: std::collections::BTreeMap<String, [u8; 32]>,
    info_plist: Option<Vec<u8>>,
    code_resources: Option<Vec<u8>>,
    /// Each program (path below `Contents/`) with its first slice's special slots.
    programs: Vec<(String, Vec<[u8; 32]>)>,
    /// `Some(is a ticket)` when `Contents/CodeResources` is there.
    stapled: Option<bool>,
}

/// The path of a `.app.zip` member below its bundle's `Contents/`.
fn bundle_rel(name: &str) -> Option<&str> {
    name.split_once(".app/Contents/").map(|(_, rel)| rel)
}

impl<'a> Walk<'a> {
    fn new(entry: &'a ManifestArtifact, policy: &'a Policy) -> Walk<'a> {
        Walk {
            entry,
            policy,
            expected: Expected::from_triple(&entry.target).ok(),
            files: 0,
            leaks: Vec::new(),
            results: Results::default(),
            crates: BTreeSet::new(),
            info_plist: None,
            metainfo: None,
            product_versions: Vec::new(),
            icon_sizes: BTreeSet::new(),
            desktop_entries: Vec::new(),
            bundle: BundleSeal::default(),
        }
    }

    /// Whether the `.app` inside (an `.app.zip`'s or a `.dmg`'s) is checked as
    /// signed, its members hashed for its seal (Apple signing configured).
    fn seals_bundle(&self) -> bool {
        self.policy.apple_signed && matches!(self.entry.format.as_str(), "app" | "dmg")
    }

    /// One member: a binary is read whole and checked; anything else streams
    /// through the host-path scanner (and is kept when it records a version).
    fn member(&mut self, name: &str, reader: &mut dyn Read) -> std::io::Result<()> {
        self.files += 1;
        let mut head = Vec::with_capacity(4096);
        reader.take(4096).read_to_end(&mut head)?;
        let sealed = bundle_rel(name).filter(|_| self.seals_bundle());
        if sealed == Some("CodeResources") {
            self.bundle.stapled = Some(crateship_sign::is_ticket(&head));
        }
        let mut hasher = sealed.map(|_| sha2::Sha256::new());
        if is_binary(&head) {
            let mut bytes = head;
            reader.take(MAX_BINARY).read_to_end(&mut bytes)?;
            if let Some(rel) = sealed {
                self.bundle
                    .files
                    .insert(rel.to_owned(), sha2::Sha256::digest(&bytes).into());
            }
            self.leaks.extend(
                crateship_inspect::host_paths(&bytes)
                    .into_iter()
                    .map(|p| format!("{p} (in {name})")),
            );
            self.binary(name, &bytes);
            return Ok(());
        }
        if let Some(size) = hicolor_size(name) {
            self.icon_sizes.insert(size);
        }
        let plist = name.ends_with("Contents/Info.plist");
        let metainfo = name.starts_with("usr/share/metainfo/") && name.ends_with(".xml");
        let desktop = name.starts_with("usr/share/applications/") && name.ends_with(".desktop");
        let seal_text = matches!(sealed, Some("Info.plist" | "_CodeSignature/CodeResources"));
        let mut scanner = crateship_inspect::HostPathScanner::new();
        scanner.feed(&head);
        if let Some(hasher) = &mut hasher {
            hasher.update(&head);
        }
        if plist || metainfo || desktop || seal_text {
            let mut text = head;
            reader.take(MAX_TEXT).read_to_end(&mut text)?;
            scanner.feed(&text[4096.min(text.len())..]);
            if let Some(hasher) = &mut hasher {
                hasher.update(&text[4096.min(text.len())..]);
            }
            match sealed {
                Some("Info.plist") => self.bundle.info_plist = Some(text.clone()),
                Some("_CodeSignature/CodeResources") => {
                    self.bundle.code_resources = Some(text.clone());
                }
                _ => {}
            }
            if desktop {
                self.desktop_entries
                    .push((name.to_owned(), String::from_utf8_lossy(&text).into_owned()));
            } else if plist {
                self.info_plist = Some(crateship_unpack::facts::info_plist_versions(&text));
            } else if metainfo {
                self.metainfo = Some(crateship_unpack::facts::metainfo_release(
                    &String::from_utf8_lossy(&text),
                ));
            }
        } else {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut buffer)?;
                if n == 0 {
                    break;
                }
                scanner.feed(&buffer[..n]);
                if let Some(hasher) = &mut hasher {
                    hasher.update(&buffer[..n]);
                }
            }
        }
        if let (Some(rel), Some(hasher)) = (sealed, hasher) {
            self.bundle
                .files
                .insert(rel.to_owned(), hasher.finalize().into());
        }
        self.leaks.extend(
            scanner
                .finish()
                .into_iter()
                .map(|p| format!("{p} (in {name})")),
        );
        Ok(())
    }

    /// The binary checks on one binary member.
    fn binary(&mut self, name: &str, bytes: &[u8]) {
        let label = format!("{}:{name}", self.entry.path);
        let binary = match crateship_inspect::inspect_bytes(Path::new(name), bytes) {
            Ok(binary) => binary,
            Err(e) => {
                self.results.add(
                    "binary.target",
                    Level::Blocking,
                    &label,
                    Err((e.to_string(), REBUILD.to_owned())),
                );
                return;
            }
        };
        if binary_file_type(&binary) == Some(FileType::Executable)
            && let Some(expected) = &self.expected
        {
            let outcome = crateship_inspect::check_binary(&binary, expected)
                .map(|()| binary.describe())
                .map_err(|e| (e.to_string(), REBUILD.to_owned()));
            self.results
                .add("binary.target", Level::Blocking, &label, outcome);
        }
        self.results.add(
            "binary.stripped",
            Level::Blocking,
            &label,
            match &binary.debug_info {
                None => Ok("no debug information".to_owned()),
                Some(debug) => Err((
                    format!("carries {debug}"),
                    "ship stripped binaries: `[profile.release] strip = true` (crateship's own \
                     builds strip), or strip prebuilt ones before `--no-build`"
                        .to_owned(),
                )),
            },
        );
        self.glibc(&label, &binary);
        self.macos(&label, &binary);
        if let Kind::Pe(_) = &binary.kind {
            self.windows(&label, name, &binary, bytes);
        }
        if let Kind::MachO(_) = &binary.kind
            && self.seals_bundle()
        {
            self.apple(&label, name, bytes);
        }
        // A binary without (or with an unreadable) list adds nothing; the
        // advisory check falls back to the SBOMs when no binary has one.
        if let Ok(Some(crates)) = crateship_sbom::read_auditable(bytes) {
            self.crates.extend(
                crates
                    .into_iter()
                    .filter(|c: &AuditedCrate| c.kind.as_deref() != Some("build"))
                    .map(|c| (c.name, c.version)),
            );
        }
    }

    fn glibc(&mut self, label: &str, binary: &Binary) {
        let Some(floor) = binary.glibc_floor() else {
            return;
        };
        let (ceiling, source) = match self.policy.glibc_ceiling {
            Some(c) => (
                Some(c),
                "the configured ceiling (linux.glibc / linux.max-glibc)",
            ),
            None => (
                self.entry
                    .requirements
                    .glibc
                    .as_deref()
                    .and_then(|g| g.parse().ok()),
                "what the manifest declares",
            ),
        };
        let Some(ceiling) = ceiling else {
            return;
        };
        let outcome = if (floor.major, floor.minor) <= (ceiling.major, ceiling.minor) {
            Ok(format!("needs glibc {floor}, within {ceiling} ({source})"))
        } else {
            Err((
                format!("needs glibc {floor}, above {ceiling} ({source})"),
                format!(
                    "build against an older glibc (`linux.glibc = \"{ceiling}\"` builds with cargo zigbuild --target {}.{ceiling})",
                    self.entry.target
                ),
            ))
        };
        self.results
            .add("binary.glibc", Level::Blocking, label, outcome);
    }

    fn macos(&mut self, label: &str, binary: &Binary) {
        let Some(minimum) = binary.macos_minimum() else {
            return;
        };
        let limit = self
            .policy
            .macos_minimum
            .as_deref()
            .or(self.entry.requirements.macos.as_deref())
            .and_then(|v| v.parse::<OsVersion>().ok());
        let Some(limit) = limit else {
            return;
        };
        let outcome = if minimum <= limit {
            Ok(format!("needs macOS {minimum}, within {limit}"))
        } else {
            Err((
                format!("needs macOS {minimum}, above the configured minimum {limit}"),
                format!(
                    "build with MACOSX_DEPLOYMENT_TARGET={limit} (crateship sets it from macos.minimum-system-version)"
                ),
            ))
        };
        self.results
            .add("binary.macos-minimum", Level::Blocking, label, outcome);
    }

    /// `signature.apple`: every slice carries a CMS signature by a Developer ID
    /// Application certificate (the one the manifest records, when it does)
    /// over a CodeDirectory that seals the slice's code as it is now.
    fn apple(&mut self, label: &str, name: &str, bytes: &[u8]) {
        let expected = self.entry.signature.as_ref().map(|s| s.subject.as_str());
        for (index, signature) in crateship_macos::macho_signatures(bytes)
            .into_iter()
            .enumerate()
        {
            if index == 0
                && let (Some(rel), Some(signature)) = (bundle_rel(name), &signature)
            {
                self.bundle
                    .programs
                    .push((rel.to_owned(), signature.special_slots.clone()));
            }
            let info = apple_signer(signature.as_ref(), "Developer ID Application", expected);
            let label = if index == 0 {
                label.to_owned()
            } else {
                format!("{label} (slice {})", index + 1)
            };
            signature_results(
                "signature.apple",
                &label,
                info,
                self.policy,
                &mut self.results,
            );
        }
    }

    fn windows(&mut self, label: &str, name: &str, binary: &Binary, bytes: &[u8]) {
        let program = binary_file_type(binary) == Some(FileType::Executable);
        if program && self.policy.windowed {
            let outcome = crateship_inspect::require_gui(binary)
                .map(|()| "uses the GUI subsystem".to_owned())
                .map_err(|e| (e.to_string(), "see the message".to_owned()));
            self.results
                .add("binary.gui-subsystem", Level::Blocking, label, outcome);
        }
        if self.policy.authenticode {
            let info = crateship_sign::authenticode_of_pe(bytes);
            signature_results(
                "signature.authenticode",
                label,
                info,
                self.policy,
                &mut self.results,
            );
        }
        if program && let Some(version) = crateship_unpack::facts::pe_product_version(bytes) {
            self.product_versions.push((name.to_owned(), version));
        }
    }
}

/// `signature.apple` for a .dmg (the koly trailer's code signature) or a .pkg
/// (the XAR's CMS signature): signed by the identity the manifest records
/// (else a Developer ID Application / Installer certificate).
fn apple_image_signature(
    path: &Path,
    entry: &ManifestArtifact,
    policy: &Policy,
    results: &mut Results,
) {
    let (signature, kind) = if entry.format == "pkg" {
        (
            crateship_macos::pkg_signature(path),
            "Developer ID Installer",
        )
    } else {
        (
            crateship_macos::dmg_signature(path),
            "Developer ID Application",
        )
    };
    let expected = entry.signature.as_ref().map(|s| s.subject.as_str());
    let info = signature
        .map_err(|e| e.to_string())
        .and_then(|signature| apple_signer(signature.as_ref(), kind, expected));
    signature_results("signature.apple", &entry.path, info, policy, results);
}

/// `signature.apple` for a signed `.app`'s resources (in the `.app.zip` or the `.dmg`): the main program's
/// signature seals the Info.plist and CodeResources, and CodeResources every
/// other file, as they are now.
fn bundle_seal_result(entry: &ManifestArtifact, bundle: &BundleSeal, results: &mut Results) {
    let label = format!("{} (bundle seal)", entry.path);
    let (Some(info_plist), Some(code_resources)) = (&bundle.info_plist, &bundle.code_resources)
    else {
        let found = "has no Contents/Info.plist or no Contents/_CodeSignature/CodeResources, so its resources are not sealed".to_owned();
        return results.add(
            "signature.apple",
            Level::Blocking,
            &label,
            Err((found, SIGN_FIX.to_owned())),
        );
    };
    let executable = crateship_unpack::facts::info_plist_versions(info_plist)
        .ok()
        .and_then(|v| v.executable);
    let main = executable.and_then(|exe| {
        bundle
            .programs
            .iter()
            .find(|(rel, _)| *rel == format!("MacOS/{exe}"))
    });
    let outcome = match main {
        None => {
            Err("its main executable (CFBundleExecutable) carries no code signature".to_owned())
        }
        Some((_, slots)) => {
            crateship_macos::verify_bundle_seal(info_plist, code_resources, slots, &bundle.files)
                .map(|()| format!("{} files match their seal", bundle.files.len()))
        }
    };
    results.add(
        "signature.apple",
        Level::Blocking,
        &label,
        outcome.map_err(|found| (found, SIGN_FIX.to_owned())),
    );
}

/// `signature.notarization`: with notarization configured, a ticket is stapled
/// (`Some(true)`), so Gatekeeper accepts the artifact offline.
fn ticket_result(
    entry: &ManifestArtifact,
    stapled: Option<bool>,
    place: &str,
    results: &mut Results,
) {
    let outcome = match stapled {
        Some(true) => Ok(format!("a notarization ticket is stapled ({place})")),
        Some(false) => Err(format!(
            "{place} is there but is not a notarization ticket (no `s8ch` magic)"
        )),
        None => Err(
            "carries no stapled notarization ticket although notarization is configured".to_owned(),
        ),
    };
    results.add(
        "signature.notarization",
        Level::Blocking,
        &entry.path,
        outcome.map_err(|found| {
            (
                found,
                "release with signing.apple.notarize reachable (crateship staples the ticket), or staple it with `xcrun stapler staple`".to_owned(),
            )
        }),
    );
}

/// Who made an Apple code signature, once it is shown to be one: present and
/// not ad-hoc, sealing the bytes as they are, its CMS verifying over what it
/// signs, and made by `expected` (else by a `kind` certificate).
fn apple_signer(
    signature: Option<&crateship_macos::CodeSignature>,
    kind: &str,
    expected: Option<&str>,
) -> Result<Option<crateship_sign::AuthenticodeInfo>, String> {
    let signature = signature.filter(|s| !s.cms.is_empty()).ok_or_else(|| {
        format!(
            "carries no {kind} signature (unsigned or ad-hoc) although Apple signing is configured"
        )
    })?;
    if let Some(problem) = &signature.seal_problem {
        return Err(problem.clone());
    }
    let info = crateship_sign::cms_signer(&signature.cms, &signature.signed)?;
    let matches = match expected {
        Some(subject) => info.subject == subject,
        None => info.subject.contains(kind),
    };
    if matches {
        Ok(Some(info))
    } else {
        Err(format!(
            "is signed by {}, not the configured {kind} identity",
            info.subject
        ))
    }
}

/// The size of a `…/icons/hicolor/NxN/apps/NAME.png` member.
fn hicolor_size(name: &str) -> Option<u32> {
    let rest = name.split("/icons/hicolor/").nth(1)?;
    let (dir, file) = rest.split_once("/apps/")?;
    let (w, h) = dir.split_once('x')?;
    (w == h && file.ends_with(".png") && !file.contains('/')).then(|| w.parse().ok())?
}

/// `content.desktop-entry` and `content.icons` for the Linux packages that ship
/// a desktop entry (.deb, .rpm, AppImage): each entry is a well-formed
/// `[Desktop Entry]` with `Type`, `Name` and `Exec`, and every hicolor size is there.
fn linux_desktop_results(entry: &ManifestArtifact, walk: &Walk<'_>, results: &mut Results) {
    if !matches!(entry.format.as_str(), "deb" | "rpm" | "appimage") {
        return;
    }
    for (name, text) in &walk.desktop_entries {
        let outcome = desktop_entry_problem(text).map_or_else(
            || Ok(format!("{name} is a well-formed desktop entry")),
            |problem| {
                Err((
                    format!("{name}: {problem}"),
                    "fix the linux.desktop-template (or the shipped .desktop asset), then rebuild"
                        .to_owned(),
                ))
            },
        );
        results.add(
            "content.desktop-entry",
            Level::Blocking,
            &entry.path,
            outcome,
        );
    }
    if walk.desktop_entries.is_empty() {
        return;
    }
    let missing: Vec<String> = crateship_icons::HICOLOR_SIZES
        .iter()
        .filter(|s| !walk.icon_sizes.contains(s))
        .map(|s| format!("{s}x{s}"))
        .collect();
    results.add(
        "content.icons",
        Level::Blocking,
        &entry.path,
        if missing.is_empty() {
            Ok(format!(
                "every hicolor size ({} sizes)",
                crateship_icons::HICOLOR_SIZES.len()
            ))
        } else {
            Err((
                format!("lacks the hicolor icon sizes {}", missing.join(", ")),
                "rebuild with crateship (it renders every size from `icon`)".to_owned(),
            ))
        },
    );
}

/// What is wrong with a desktop entry's text, if anything: the first group must
/// be `[Desktop Entry]` with `Type`, `Name` and (for applications) `Exec`, and
/// every other line a comment, a group header or `Key=Value`.
fn desktop_entry_problem(text: &str) -> Option<String> {
    let mut group = None;
    let mut keys = BTreeSet::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            if group.is_none() && line != "[Desktop Entry]" {
                return Some(format!("the first group is {line}, not [Desktop Entry]"));
            }
            group = Some(line.to_owned());
            continue;
        }
        let Some((key, _)) = line.split_once('=') else {
            return Some(format!(
                "line {} is neither a group, a comment nor Key=Value",
                number + 1
            ));
        };
        if group.is_none() {
            return Some(format!("line {} comes before [Desktop Entry]", number + 1));
        }
        if group.as_deref() == Some("[Desktop Entry]") {
            keys.insert(key.trim().to_owned());
        }
    }
    let application = text.lines().any(|l| l.trim() == "Type=Application");
    let needed: &[&str] = if application {
        &["Type", "Name", "Exec"]
    } else {
        &["Type", "Name"]
    };
    needed
        .iter()
        .find(|k| !keys.contains(**k))
        .map(|k| format!("[Desktop Entry] has no {k} key"))
}

/// Whether the bytes start like an ELF, PE or Mach-O (thin or fat) file.
fn is_binary(head: &[u8]) -> bool {
    head.starts_with(b"\x7fELF")
        || head.starts_with(b"MZ")
        || [
            [0xfe, 0xed, 0xfa, 0xce],
            [0xfe, 0xed, 0xfa, 0xcf],
            [0xce, 0xfa, 0xed, 0xfe],
            [0xcf, 0xfa, 0xed, 0xfe],
            [0xca, 0xfe, 0xba, 0xbe],
        ]
        .iter()
        .any(|magic| head.starts_with(magic))
}

/// What a binary is for (a fat Mach-O by its first slice).
fn binary_file_type(binary: &Binary) -> Option<FileType> {
    match &binary.kind {
        Kind::Elf(elf) => Some(elf.file_type.clone()),
        Kind::Pe(pe) => Some(pe.file_type.clone()),
        Kind::MachO(macho) => macho.slices.first().map(|s| s.file_type.clone()),
    }
}

/// The results of one signed file: `id` (`signature.authenticode` or
/// `signature.apple`; blocking: present, digest intact, certificate not expired),
/// `signature.timestamp` and `signature.cert-expiry` (warnings).
fn signature_results(
    id: &'static str,
    label: &str,
    info: Result<Option<crateship_sign::AuthenticodeInfo>, String>,
    policy: &Policy,
    results: &mut Results,
) {
    let fail = |found: String| Err((found, SIGN_FIX.to_owned()));
    let info = match info {
        Err(e) => return results.add(id, Level::Blocking, label, fail(e)),
        Ok(None) => {
            let found = "carries no Authenticode signature although signing is configured".into();
            return results.add(id, Level::Blocking, label, fail(found));
        }
        Ok(Some(info)) => info,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let outcome = if info.digest_matches == Some(false) {
        fail(format!(
            "is signed by {}, but its bytes changed after signing (the signed digest does not match)",
            info.subject
        ))
    } else if info.not_after <= now {
        fail(format!(
            "is signed by {}, whose certificate has expired",
            info.subject
        ))
    } else {
        Ok(format!("signed by {}", info.subject))
    };
    let valid = outcome.is_ok();
    results.add(id, Level::Blocking, label, outcome);
    if !valid {
        return;
    }
    results.add(
        "signature.timestamp",
        Level::Warning,
        label,
        if info.timestamped {
            Ok("timestamped".to_owned())
        } else {
            Err((
                "is not timestamped: the signature stops being valid when the certificate expires"
                    .to_owned(),
                "set signing.timestamp-urls to an RFC 3161 server reachable from the release job"
                    .to_owned(),
            ))
        },
    );
    let days = (info.not_after - now) / 86_400;
    results.add(
        "signature.cert-expiry",
        Level::Warning,
        label,
        if days >= u64::from(policy.cert_expiry_days) {
            Ok(format!("the certificate expires in {days} days"))
        } else {
            Err((
                format!(
                    "the certificate expires in {days} days (check.cert-expiry-days = {})",
                    policy.cert_expiry_days
                ),
                "renew the code-signing certificate before it expires".to_owned(),
            ))
        },
    );
}

/// `signature.appimage`: with AppImage signing configured the AppImage is
/// signed; with `check.pgp-public-key` an embedded signature verifies.
fn appimage_signature(
    path: &Path,
    entry: &ManifestArtifact,
    policy: &Policy,
    results: &mut Results,
) {
    let key = match &policy.pgp_public_key {
        Some(key_path) => match std::fs::read_to_string(key_path) {
            Ok(key) => Some(key),
            Err(e) => {
                let found = format!("the public key {} cannot be read: {e}", key_path.display());
                let fix = "point check.pgp-public-key at the armoured public key".to_owned();
                return results.add(
                    "signature.appimage",
                    Level::Blocking,
                    &entry.path,
                    Err((found, fix)),
                );
            }
        },
        None => None,
    };
    if key.is_none() && !policy.appimage_signed {
        return;
    }
    // Without a key only the signature's presence is checked.
    let outcome = match crateship_sign::verify_appimage(path, key.as_deref()) {
        Ok(None) if policy.appimage_signed => {
            Err("carries no embedded signature although AppImage signing is configured".to_owned())
        }
        Ok(None) => Ok("unsigned (AppImage signing is not configured)".to_owned()),
        Ok(Some(true)) => {
            Ok("its embedded signature verifies with check.pgp-public-key".to_owned())
        }
        Ok(Some(false)) => {
            Ok("carries an embedded signature (not verified: set check.pgp-public-key)".to_owned())
        }
        Err(e) => Err(e),
    };
    results.add(
        "signature.appimage",
        Level::Blocking,
        &entry.path,
        outcome.map_err(|found| {
            (found, "sign it with crateship (signing.pgp-key-env, sign-appimage) and never change it afterwards".to_owned())
        }),
    );
}

/// `signature.rpm`: with rpm signing configured the package carries a header
/// signature; with `check.pgp-public-key` it verifies over the header.
fn rpm_signature(
    entry: &ManifestArtifact,
    metadata: &Metadata,
    policy: &Policy,
    results: &mut Results,
) {
    if policy.pgp_public_key.is_none() && !policy.rpm_signed {
        return;
    }
    let outcome = match (&metadata.header_signature, &policy.pgp_public_key) {
        (None, _) if policy.rpm_signed => {
            Err("carries no header signature although rpm signing is configured".to_owned())
        }
        (None, _) => Ok("unsigned (rpm signing is not configured)".to_owned()),
        (Some(_), None) => {
            Ok("carries a header signature (not verified: set check.pgp-public-key)".to_owned())
        }
        (Some(signed), Some(key_path)) => std::fs::read_to_string(key_path)
            .map_err(|e| format!("the public key {} cannot be read: {e}", key_path.display()))
            .and_then(|key| {
                crateship_sign::verify_binary_pgp(&key, &signed.signature, &signed.signed)
            })
            .map(|()| "its header signature verifies with check.pgp-public-key".to_owned()),
    };
    results.add(
        "signature.rpm",
        Level::Blocking,
        &entry.path,
        outcome.map_err(|found| {
            (found, "sign it with crateship (signing.pgp-key-env, sign-rpm) and never change it afterwards".to_owned())
        }),
    );
}

/// `content.host-path`: one result per artifact.
fn host_path_result(entry: &ManifestArtifact, leaks: &[String], results: &mut Results) {
    let outcome = match leaks.first() {
        None => Ok("no build-host path".to_owned()),
        Some(first) => Err((
            format!(
                "contains the build-host path `{first}`{}",
                match leaks.len() {
                    1 => String::new(),
                    n => format!(" and {} more", n - 1),
                }
            ),
            "build with crateship (it remaps host paths), and keep host paths out of \
             release notes, templates and resources"
                .to_owned(),
        )),
    };
    results.add("content.host-path", Level::Blocking, &entry.path, outcome);
}

/// `consistency.version`: what each format records equals the release's version.
fn version_results(
    entry: &ManifestArtifact,
    facts: &ArtifactFacts,
    walk: &Walk<'_>,
    versions: &crate::plan::FormatVersions,
    version: &str,
    results: &mut Results,
) {
    let mut seen: Vec<(String, Option<String>, String)> = Vec::new();
    if let Some(metadata) = &facts.metadata {
        let field = |k: &str| metadata.fields.get(k).cloned();
        match entry.format.as_str() {
            "deb" => seen.push((
                "deb control Version".into(),
                field("Version"),
                versions.deb.clone(),
            )),
            "rpm" => seen.push((
                "rpm header Version-Release".into(),
                field("Version")
                    .zip(field("Release"))
                    .map(|(v, r)| format!("{v}-{r}")),
                versions.rpm.clone(),
            )),
            "msi" => {
                if let Some(msi) = &versions.msi {
                    seen.push((
                        "MSI ProductVersion".into(),
                        field("ProductVersion"),
                        msi.clone(),
                    ));
                }
            }
            _ => {}
        }
    }
    match &walk.info_plist {
        Some(Ok(crateship_unpack::facts::PlistVersions { short, bundle, .. })) => {
            if let Some(expected) = &versions.macos {
                seen.push((
                    "Info.plist CFBundleShortVersionString".into(),
                    short.clone(),
                    expected.short.clone(),
                ));
                seen.push((
                    "Info.plist CFBundleVersion".into(),
                    bundle.clone(),
                    expected.bundle.clone(),
                ));
            }
        }
        Some(Err(reason)) => malformed(entry, "Info.plist", reason, results),
        None => {}
    }
    match &walk.metainfo {
        Some(Ok(release)) => seen.push((
            "AppStream release".into(),
            release.clone(),
            version.to_owned(),
        )),
        Some(Err(reason)) => malformed(entry, "the AppStream metainfo", reason, results),
        None => {}
    }
    for (name, found) in &walk.product_versions {
        seen.push((
            format!("VERSIONINFO ProductVersion of {name}"),
            Some(found.clone()),
            version.to_owned(),
        ));
    }
    for (what, found, expected) in seen {
        let outcome = match found {
            Some(found) if found == expected => Ok(format!("{what} is {found}")),
            Some(found) => Err((
                format!("{what} is {found}, but release {version} needs {expected}"),
                "publish artifacts of one `crateship dist` run only; never mix artifacts of two builds"
                    .to_owned(),
            )),
            None => Err((format!("{what} is missing"), REBUILD.to_owned())),
        };
        results.add("consistency.version", Level::Blocking, &entry.path, outcome);
    }
}

fn malformed(entry: &ManifestArtifact, what: &str, reason: &str, results: &mut Results) {
    results.add(
        "content.metadata",
        Level::Blocking,
        &entry.path,
        Err((
            format!("{what} inside is malformed: {reason}"),
            "check the macos.info-plist / linux.metainfo-template you configured, then rebuild"
                .to_owned(),
        )),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_entries_and_icon_paths_are_read_as_the_spec_says() {
        let good = "[Desktop Entry]\nType=Application\nName=Hello\nExec=hello %U\n# c\n\n[Desktop Action New]\nName=New\n";
        assert_eq!(desktop_entry_problem(good), None);
        let cases = [
            ("[Other]\nType=Application\n", "not [Desktop Entry]"),
            ("Name=x\n[Desktop Entry]\n", "before [Desktop Entry]"),
            (
                "[Desktop Entry]\nType=Application\nName=x\nnot a pair\n",
                "line 4",
            ),
            ("[Desktop Entry]\nType=Application\nName=x\n", "no Exec"),
            ("[Desktop Entry]\nName=x\n", "no Type"),
        ];
        for (text, expected) in cases {
            let problem = desktop_entry_problem(text).unwrap_or_default();
            assert!(problem.contains(expected), "{text:?}: {problem}");
        }
        assert_eq!(
            hicolor_size("usr/share/icons/hicolor/48x48/apps/hello.png"),
            Some(48)
        );
        assert_eq!(
            hicolor_size("usr/share/icons/hicolor/48x48@2/apps/hello.png"),
            None
        );
        assert_eq!(
            hicolor_size("usr/share/icons/hicolor/scalable/apps/hello.svg"),
            None
        );
    }
}
