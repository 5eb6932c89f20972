//! Our own ad-hoc code signature for an app bundle (apple-codesign cannot be
//! used in this workspace: its `apple-xar → xz2 → lzma-sys` links the same
//! native `lzma` as `liblzma-sys`, which cargo refuses).
//!
//! [`sign_app_adhoc`] seals the bundle the way `codesign -s -` does:
//! * `Contents/_CodeSignature/CodeResources`: an XML plist with the standard
//!   `rules`/`rules2` and, per resource, `files` (SHA-1) and `files2` (SHA-1 +
//!   SHA-256, or the target of a symlink);
//! * the main executable (every slice of a universal binary): any existing
//!   signature is dropped, an `LC_CODE_SIGNATURE` points at a SuperBlob appended
//!   to `__LINKEDIT` holding a SHA-256 CodeDirectory (version 0x20400, flags
//!   `adhoc` [+ `runtime`], 4 KiB pages, special slots for Info.plist, the empty
//!   requirements and CodeResources, exec-segment = `__TEXT`), an empty
//!   requirements blob and an empty CMS wrapper.
//!
//! Not done: nested code (frameworks, helper executables in Resources) is sealed
//! as plain resources, not signed; entitlements are not embedded.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use plist::Value;
use sha1::{Digest, Sha1};
use sha2::Sha256;

use crate::MacosError;
use crate::error::{read_err, write_err};
use crate::tree::{Kind, walk_app};

/// Options for [`sign_app_adhoc`].
#[derive(Debug, Clone, Default)]
pub struct AdHocOptions {
    /// Set the hardened-runtime flag (`CS_RUNTIME`) on the executable.
    pub hardened_runtime: bool,
    /// Modification time of the files written (seconds since the Unix epoch).
    pub source_date_epoch: u64,
}

const PAGE_LOG2: u8 = 12;
const PAGE: usize = 1 << PAGE_LOG2;
const LC_SEGMENT_64: u32 = 0x19;
const LC_CODE_SIGNATURE: u32 = 0x1d;
const MH_MAGIC_64: u32 = 0xfeed_facf;
const FAT_MAGIC: u32 = 0xcafe_babe;
pub(crate) const CS_ADHOC: u32 = 0x2;
pub(crate) const CS_RUNTIME: u32 = 0x1_0000;
const CS_EXECSEG_MAIN_BINARY: u64 = 0x1;

fn macho_err(what: &Path, reason: impl Into<String>) -> MacosError {
    MacosError::MachO {
        what: format!("`{}`", what.display()),
        reason: reason.into(),
    }
}

fn rd32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn rd64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn wr32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn wr64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

pub(crate) fn be32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn be64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Everything one executable's signature depends on besides its bytes.
pub(crate) struct Seal<'a> {
    /// The CodeDirectory identifier (the bundle identifier).
    pub(crate) ident: &'a str,
    /// The Team ID (identity signatures only).
    pub(crate) team: Option<&'a str>,
    /// CodeDirectory flags (`CS_ADHOC`, `CS_RUNTIME`).
    pub(crate) flags: u32,
    /// Special slot hashes for slots 1..=n, in slot order (index 0 = slot 1).
    pub(crate) special: Vec<[u8; 32]>,
    /// The other blobs of the SuperBlob besides the CodeDirectory and the CMS
    /// wrapper, `(slot, bytes)` sorted by slot.
    pub(crate) blobs: Vec<(u32, Vec<u8>)>,
    /// Makes the CMS blob over a CodeDirectory; `None` = ad-hoc (empty wrapper).
    pub(crate) signer: Option<&'a CmsSigner<'a>>,
    /// Bytes reserved for the CMS blob (the signature size is hashed before signing).
    pub(crate) cms_reserve: usize,
}

/// Signs a CodeDirectory blob, returning the DER CMS.
pub(crate) type CmsSigner<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, MacosError> + 'a;

/// The empty requirement set (`0xfade0c01`, no requirements).
pub(crate) fn empty_requirements() -> Vec<u8> {
    let mut r = Vec::new();
    be32(&mut r, 0xfade_0c01);
    be32(&mut r, 12);
    be32(&mut r, 0);
    r
}

/// A CodeDirectory (SHA-256) over `code` split in pages of `1 << page_log2`
/// bytes (`page_log2 == 0`: one hash over everything).
pub(crate) struct CodeDirectory<'a> {
    /// Version (0x20100 for disk images, 0x20400 for Mach-O).
    pub(crate) version: u32,
    /// Flags.
    pub(crate) flags: u32,
    /// Identifier.
    pub(crate) ident: &'a str,
    /// Team ID (needs version >= 0x20200).
    pub(crate) team: Option<&'a str>,
    /// Special slots 1..=n in slot order.
    pub(crate) special: &'a [[u8; 32]],
    /// Hashes of the code pages.
    pub(crate) code_hashes: Vec<[u8; 32]>,
    /// Code limit (bytes covered).
    pub(crate) code_limit: u32,
    /// log2 of the page size; 0 for a single hash.
    pub(crate) page_log2: u8,
    /// `(base, limit, flags)` of the executable segment (version 0x20400).
    pub(crate) exec_seg: (u64, u64, u64),
}

impl CodeDirectory<'_> {
    /// The blob bytes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let header = match self.version {
            v if v >= 0x20400 => 88,
            v if v >= 0x20300 => 64,
            v if v >= 0x20200 => 52,
            _ => 48,
        };
        let ident_off = header;
        let team_off = ident_off + self.ident.len() + 1;
        let team_len = self.team.map_or(0, |t| t.len() + 1);
        let hash_off = team_off + team_len + self.special.len() * 32;
        let cd_len = hash_off + self.code_hashes.len() * 32;
        let mut cd = Vec::with_capacity(cd_len);
        be32(&mut cd, 0xfade_0c02);
        be32(&mut cd, cd_len as u32);
        be32(&mut cd, self.version);
        be32(&mut cd, self.flags);
        be32(&mut cd, hash_off as u32);
        be32(&mut cd, ident_off as u32);
        be32(&mut cd, self.special.len() as u32);
        be32(&mut cd, self.code_hashes.len() as u32);
        be32(&mut cd, self.code_limit);
        cd.extend_from_slice(&[32, 2, 0, self.page_log2]); // hashSize, SHA-256, platform, page
        be32(&mut cd, 0); // spare2
        if header > 44 {
            be32(&mut cd, 0); // scatterOffset
        }
        if header > 48 {
            be32(
                &mut cd,
                if self.team.is_some() {
                    team_off as u32
                } else {
                    0
                },
            );
        }
        if header > 52 {
            be32(&mut cd, 0); // spare3
            be64(&mut cd, 0); // codeLimit64
        }
        if header > 64 {
            be64(&mut cd, self.exec_seg.0);
            be64(&mut cd, self.exec_seg.1);
            be64(&mut cd, self.exec_seg.2);
        }
        debug_assert_eq!(cd.len(), header);
        cd.extend_from_slice(self.ident.as_bytes());
        cd.push(0);
        if let Some(t) = self.team {
            cd.extend_from_slice(t.as_bytes());
            cd.push(0);
        }
        // Special slots in memory order -n .. -1.
        for h in self.special.iter().rev() {
            cd.extend_from_slice(h);
        }
        for h in &self.code_hashes {
            cd.extend_from_slice(h);
        }
        debug_assert_eq!(cd.len(), cd_len);
        cd
    }
}

/// The SuperBlob of `cd`, `blobs` (sorted by slot) and the CMS wrapper, padded
/// with zeros to `size` (when larger).
pub(crate) fn super_blob(cd: &[u8], blobs: &[(u32, Vec<u8>)], cms: &[u8], size: usize) -> Vec<u8> {
    let count = blobs.len() + 2;
    let mut wrapper = Vec::with_capacity(8 + cms.len());
    be32(&mut wrapper, 0xfade_0b01);
    be32(&mut wrapper, (8 + cms.len()) as u32);
    wrapper.extend_from_slice(cms);
    let mut entries: Vec<(u32, &[u8])> = vec![(0, cd)];
    entries.extend(blobs.iter().map(|(slot, b)| (*slot, b.as_slice())));
    entries.push((0x1_0000, &wrapper));
    let len = 12 + 8 * count + entries.iter().map(|(_, b)| b.len()).sum::<usize>();
    let mut sb = Vec::with_capacity(len.max(size));
    be32(&mut sb, 0xfade_0cc0);
    be32(&mut sb, len as u32);
    be32(&mut sb, count as u32);
    let mut off = 12 + 8 * count;
    for (slot, b) in &entries {
        be32(&mut sb, *slot);
        be32(&mut sb, off as u32);
        off += b.len();
    }
    for (_, b) in &entries {
        sb.extend_from_slice(b);
    }
    if sb.len() < size {
        sb.resize(size, 0);
    }
    sb
}

/// Signs one thin 64-bit Mach-O; returns the new bytes and the CodeDirectory hash.
fn sign_thin(data: &[u8], seal: &Seal<'_>, path: &Path) -> Result<(Vec<u8>, [u8; 32]), MacosError> {
    if rd32(data, 0) != Some(MH_MAGIC_64) {
        return Err(macho_err(
            path,
            "a slice is not a 64-bit little-endian Mach-O",
        ));
    }
    let bad = || macho_err(path, "truncated or malformed load commands");
    let cputype = rd32(data, 4).ok_or_else(bad)?;
    let ncmds = rd32(data, 16).ok_or_else(bad)? as usize;
    let sizeofcmds = rd32(data, 20).ok_or_else(bad)? as usize;
    let mut linkedit = None; // (cmd offset, fileoff, filesize)
    let mut text = None; // (fileoff, filesize)
    let mut sig_cmd = None; // (cmd offset, dataoff)
    let mut first_section = usize::MAX;
    let mut at = 32;
    for _ in 0..ncmds {
        let cmd = rd32(data, at).ok_or_else(bad)?;
        let size = rd32(data, at + 4).ok_or_else(bad)? as usize;
        if size < 8 {
            return Err(bad());
        }
        if cmd == LC_SEGMENT_64 {
            let name = data.get(at + 8..at + 24).ok_or_else(bad)?;
            let fileoff = rd64(data, at + 40).ok_or_else(bad)?;
            let filesize = rd64(data, at + 48).ok_or_else(bad)?;
            let nsects = rd32(data, at + 64).ok_or_else(bad)? as usize;
            for s in 0..nsects {
                let off = rd32(data, at + 72 + 80 * s + 48).ok_or_else(bad)? as usize;
                if off != 0 {
                    first_section = first_section.min(off);
                }
            }
            if name.starts_with(b"__LINKEDIT\0") {
                linkedit = Some((at, fileoff, filesize));
            } else if name.starts_with(b"__TEXT\0") {
                text = Some((fileoff, filesize));
            }
        } else if cmd == LC_CODE_SIGNATURE {
            sig_cmd = Some((at, rd32(data, at + 8).ok_or_else(bad)? as usize));
        }
        at += size;
    }
    let (le_cmd, le_off, le_size) = linkedit
        .ok_or_else(|| macho_err(path, "it has no __LINKEDIT segment to hold a signature"))?;
    let (text_off, text_size) = text.ok_or_else(|| macho_err(path, "it has no __TEXT segment"))?;

    let mut out = data.to_vec();
    let sig_at = match sig_cmd {
        Some((cmd_at, dataoff)) => {
            // Re-sign: drop the old signature (it ends the file).
            out.truncate(dataoff);
            cmd_at
        }
        None => {
            let end = 32 + sizeofcmds;
            if end + 16 > first_section.min(out.len()) || out[end..end + 16].iter().any(|&b| b != 0)
            {
                return Err(macho_err(
                    path,
                    "there is no room for LC_CODE_SIGNATURE after the load commands; \
                     link with -headerpad or let the linker sign it",
                ));
            }
            wr32(&mut out, 16, (ncmds + 1) as u32);
            wr32(&mut out, 20, (sizeofcmds + 16) as u32);
            wr32(&mut out, end, LC_CODE_SIGNATURE);
            wr32(&mut out, end + 4, 16);
            end
        }
    };
    let le_end = match sig_cmd {
        Some((_, dataoff)) => dataoff as u64,
        None => le_off + le_size,
    };
    if (out.len() as u64) < le_end {
        return Err(macho_err(
            path,
            "__LINKEDIT extends past the end of the file",
        ));
    }
    out.truncate(le_end as usize);
    let code_limit = le_end.div_ceil(16) * 16;
    out.resize(code_limit as usize, 0);

    let n_code = out.len().div_ceil(PAGE);
    let mut cd = CodeDirectory {
        version: 0x20400,
        flags: seal.flags,
        ident: seal.ident,
        team: seal.team,
        special: &seal.special,
        code_hashes: vec![[0; 32]; n_code],
        code_limit: code_limit as u32,
        page_log2: PAGE_LOG2,
        exec_seg: (text_off, text_size, CS_EXECSEG_MAIN_BINARY),
    };
    let cd_len = cd.to_bytes().len();
    let blobs_len: usize = seal.blobs.iter().map(|(_, b)| b.len()).sum();
    let super_len = 12 + 8 * (seal.blobs.len() + 2) + cd_len + blobs_len + 8 + seal.cms_reserve;
    let sig_size = super_len.div_ceil(16) * 16;

    // Point LC_CODE_SIGNATURE and __LINKEDIT at the signature, then hash.
    wr32(&mut out, sig_at + 8, code_limit as u32);
    wr32(&mut out, sig_at + 12, sig_size as u32);
    let new_le_size = code_limit + sig_size as u64 - le_off;
    let page = if cputype == crate::CPU_TYPE_ARM64 {
        0x4000
    } else {
        0x1000
    };
    wr64(&mut out, le_cmd + 48, new_le_size);
    wr64(&mut out, le_cmd + 32, new_le_size.div_ceil(page) * page);

    cd.code_hashes = out.chunks(PAGE).map(|c| Sha256::digest(c).into()).collect();
    let cd = cd.to_bytes();
    let cms = match seal.signer {
        Some(sign) => sign(&cd)?,
        None => Vec::new(),
    };
    if cms.len() > seal.cms_reserve {
        return Err(macho_err(
            path,
            format!(
                "the CMS signature ({} bytes) outgrew the {} bytes reserved for it; \
                 a timestamp server returned an unusually large token, try another server",
                cms.len(),
                seal.cms_reserve
            ),
        ));
    }
    out.extend_from_slice(&super_blob(&cd, &seal.blobs, &cms, sig_size));
    Ok((out, Sha256::digest(&cd).into()))
}

/// Signs a thin or universal executable; returns the bytes and every slice's
/// CodeDirectory hash.
pub(crate) fn sign_binary(
    data: &[u8],
    seal: &Seal<'_>,
    path: &Path,
) -> Result<(Vec<u8>, Vec<[u8; 32]>), MacosError> {
    let be = |at: usize| {
        data.get(at..at + 4)
            .map(|b| u32::from_be_bytes(b.try_into().unwrap_or_default()))
    };
    if be(0) != Some(FAT_MAGIC) {
        let (out, h) = sign_thin(data, seal, path)?;
        return Ok((out, vec![h]));
    }
    let n = be(4).unwrap_or(0) as usize;
    let mut slices = Vec::new();
    let mut hashes = Vec::new();
    for i in 0..n {
        let rec = 8 + 20 * i;
        let (Some(cpu), Some(sub), Some(off), Some(size), Some(align)) = (
            be(rec),
            be(rec + 4),
            be(rec + 8),
            be(rec + 12),
            be(rec + 16),
        ) else {
            return Err(macho_err(path, "truncated fat header"));
        };
        let slice = data
            .get(off as usize..off as usize + size as usize)
            .ok_or_else(|| macho_err(path, "a fat slice lies outside the file"))?;
        let (signed, h) = sign_thin(slice, seal, path)?;
        hashes.push(h);
        slices.push((cpu, sub, align, signed));
    }
    let fat = crate::macho::build_fat(&slices).map_err(|reason| macho_err(path, reason))?;
    Ok((fat, hashes))
}

fn rule(pairs: &[(&str, Value)]) -> Value {
    Value::Dictionary(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn standard_rules() -> (Value, Value) {
    let t = Value::Boolean(true);
    let w = |n: i64| Value::Integer(n.into());
    let mut rules = BTreeMap::new();
    rules.insert("^Resources/", t.clone());
    rules.insert(
        "^Resources/.*\\.lproj/",
        rule(&[("optional", t.clone()), ("weight", w(1000))]),
    );
    rules.insert(
        "^Resources/.*\\.lproj/locversion.plist$",
        rule(&[("omit", t.clone()), ("weight", w(1100))]),
    );
    rules.insert("^Resources/Base\\.lproj/", rule(&[("weight", w(1010))]));
    rules.insert("^version.plist$", t.clone());
    let mut rules2 = BTreeMap::new();
    rules2.insert(".*\\.dSYM($|/)", rule(&[("weight", w(11))]));
    rules2.insert(
        "^(.*/)?\\.DS_Store$",
        rule(&[("omit", t.clone()), ("weight", w(2000))]),
    );
    rules2.insert(
        "^(Frameworks|SharedFrameworks|PlugIns|Plug-ins|XPCServices|Helpers|MacOS|Library/(Automator|Spotlight|LoginItems))/",
        rule(&[("nested", t.clone()), ("weight", w(10))]),
    );
    rules2.insert("^.*", t.clone());
    rules2.insert(
        "^Info\\.plist$",
        rule(&[("omit", t.clone()), ("weight", w(20))]),
    );
    rules2.insert("^PkgInfo$", rule(&[("omit", t.clone()), ("weight", w(20))]));
    rules2.insert("^Resources/", rule(&[("weight", w(20))]));
    rules2.insert(
        "^Resources/.*\\.lproj/",
        rule(&[("optional", t.clone()), ("weight", w(1000))]),
    );
    rules2.insert(
        "^Resources/.*\\.lproj/locversion.plist$",
        rule(&[("omit", t.clone()), ("weight", w(1100))]),
    );
    rules2.insert("^Resources/Base\\.lproj/", rule(&[("weight", w(1010))]));
    rules2.insert("^[^/]+$", rule(&[("nested", t.clone()), ("weight", w(10))]));
    rules2.insert("^embedded\\.provisionprofile$", rule(&[("weight", w(20))]));
    rules2.insert("^version\\.plist$", rule(&[("weight", w(20))]));
    let to_dict = |m: BTreeMap<&str, Value>| {
        Value::Dictionary(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    };
    (to_dict(rules), to_dict(rules2))
}

/// Builds the CodeResources plist for the files below `Contents/` (except the
/// main executable, Info.plist, PkgInfo and `_CodeSignature`).
pub(crate) fn code_resources(app_dir: &Path, exe_rel: &str) -> Result<Vec<u8>, MacosError> {
    let mut files = BTreeMap::new();
    let mut files2 = BTreeMap::new();
    for e in walk_app(app_dir, "code signature")? {
        if e.parts.len() < 3 || e.parts[1] != "Contents" {
            continue;
        }
        let rel = e.parts[2..].join("/");
        if rel == exe_rel
            || rel == "Info.plist"
            || rel == "PkgInfo"
            || rel.starts_with("_CodeSignature/")
            || rel == "_CodeSignature"
        {
            continue;
        }
        match &e.kind {
            Kind::Dir => {}
            Kind::Symlink(target) => {
                let d = rule(&[("symlink", Value::String(target.clone()))]);
                files2.insert(rel, d);
            }
            Kind::File { .. } => {
                let data = fs::read(&e.source).map_err(read_err(&e.source))?;
                let h1 = Value::Data(Sha1::digest(&data).to_vec());
                let h2 = Value::Data(Sha256::digest(&data).to_vec());
                if rel.starts_with("Resources/") {
                    files.insert(rel.clone(), h1.clone());
                }
                files2.insert(rel, rule(&[("hash", h1), ("hash2", h2)]));
            }
        }
    }
    let (rules, rules2) = standard_rules();
    let dict = |m: BTreeMap<String, Value>| Value::Dictionary(m.into_iter().collect());
    let root = rule(&[
        ("files", dict(files)),
        ("files2", dict(files2)),
        ("rules", rules),
        ("rules2", rules2),
    ]);
    let mut out = Vec::new();
    root.to_writer_xml(&mut out)
        .map_err(|e| MacosError::Unsupported {
            path: app_dir.to_path_buf(),
            format: "code signature",
            reason: format!("cannot serialise CodeResources: {e}"),
        })?;
    out.push(b'\n');
    Ok(out)
}

/// What a signer needs from a bundle's Info.plist.
pub(crate) struct Bundle {
    /// Info.plist bytes.
    pub(crate) info_bytes: Vec<u8>,
    /// CFBundleIdentifier.
    pub(crate) ident: String,
    /// `MacOS/<CFBundleExecutable>`.
    pub(crate) exe_rel: String,
    /// The main executable on disk.
    pub(crate) exe_path: std::path::PathBuf,
}

/// Reads `app_dir`'s Info.plist and locates the main executable.
pub(crate) fn bundle(app_dir: &Path) -> Result<Bundle, MacosError> {
    let info_path = app_dir.join("Contents/Info.plist");
    let info_bytes = fs::read(&info_path).map_err(read_err(&info_path))?;
    let info = Value::from_reader_xml(&info_bytes[..]).map_err(|e| MacosError::NotAnApp {
        path: app_dir.to_path_buf(),
        reason: format!("Contents/Info.plist does not parse: {e}"),
    })?;
    let get = |k: &str| {
        info.as_dictionary()
            .and_then(|d| d.get(k))
            .and_then(Value::as_string)
            .map(str::to_owned)
            .ok_or_else(|| MacosError::NotAnApp {
                path: app_dir.to_path_buf(),
                reason: format!("Contents/Info.plist has no string `{k}`"),
            })
    };
    let ident = get("CFBundleIdentifier")?;
    let exe = get("CFBundleExecutable")?;
    let exe_rel = format!("MacOS/{exe}");
    let exe_path = app_dir.join("Contents").join(&exe_rel);
    Ok(Bundle {
        info_bytes,
        ident,
        exe_rel,
        exe_path,
    })
}

/// Seals `app_dir` (written by [`crate::write_app`]) with an ad-hoc signature,
/// in place: writes `Contents/_CodeSignature/CodeResources` and re-writes the
/// main executable with an embedded signature. Deterministic (no timestamps).
///
/// This is the hook the Developer ID signer replaces; call it after the bundle
/// is complete and before building the `.dmg` / `.pkg`.
pub fn sign_app_adhoc(app_dir: &Path, opts: &AdHocOptions) -> Result<(), MacosError> {
    let Bundle {
        info_bytes,
        ident,
        exe_rel,
        exe_path,
    } = bundle(app_dir)?;

    let resources = code_resources(app_dir, &exe_rel)?;
    let req = empty_requirements();
    let seal = Seal {
        ident: &ident,
        team: None,
        flags: CS_ADHOC | if opts.hardened_runtime { CS_RUNTIME } else { 0 },
        special: vec![
            Sha256::digest(&info_bytes).into(),
            Sha256::digest(&req).into(),
            Sha256::digest(&resources).into(),
        ],
        blobs: vec![(2, req)],
        signer: None,
        cms_reserve: 0,
    };
    let binary = fs::read(&exe_path).map_err(read_err(&exe_path))?;
    let (signed, _) = sign_binary(&binary, &seal, &exe_path)?;

    use std::os::unix::fs::PermissionsExt;
    let mtime =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(opts.source_date_epoch);
    let sig_dir = app_dir.join("Contents/_CodeSignature");
    let cr = sig_dir.join("CodeResources");
    let contents = app_dir.join("Contents");
    let steps = [
        (&sig_dir, None, 0o755),
        (&cr, Some(&resources), 0o644),
        (&exe_path, Some(&signed), 0o755),
    ];
    for (path, data, mode) in steps {
        match data {
            None => fs::create_dir_all(path),
            Some(d) => fs::write(path, d),
        }
        .and_then(|()| fs::set_permissions(path, fs::Permissions::from_mode(mode)))
        .map_err(write_err("the code signature", path))?;
    }
    for path in [&cr, &exe_path, &sig_dir, &contents] {
        fs::File::open(path)
            .and_then(|f| f.set_modified(mtime))
            .map_err(write_err("the code signature", path))?;
    }
    Ok(())
}
