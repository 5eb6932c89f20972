//! One [`Signer`] trait over every way of putting an Authenticode signature on a PE or
//! MSI file: the native signer (in-process, any host), `osslsigncode`, `signtool` (on a
//! Windows host) and a custom command template (cloud HSM tools such as jsign or Azure
//! Trusted Signing).
//!
//! Secrets never go on a command line or on disk: osslsigncode reads the PKCS#12
//! password (`-readpass`) from an anonymous in-memory file (Linux `memfd_create`,
//! opened by the child through `/proc/PID/fd/N` and gone when crateship closes it or
//! exits, on any exit path); signtool uses a
//! certificate from the Windows store by thumbprint (`/sha1`), so no password is needed
//! at all; a custom command gets only placeholders (`{file}`, `{out}`,
//! `{timestamp-url}`) and finds its credentials in the environment it inherits.
//!
//! External tools work on a temporary copy beside the output, which is renamed into
//! place only after the tool succeeded and the copy carries a signature; every
//! timestamp URL is tried in order, then (if allowed) one unstamped attempt.

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crateship_support::AtomicFile;

use crate::authenticode::AuthenticodeOptions;
use crate::inspect::{Kind, kind, signer};
use crate::key::SigningKey;
use crate::{SignError, SignReport, tool};

/// Puts an Authenticode signature on a PE (.exe, .dll) or MSI file.
pub trait Signer {
    /// Signs `input` into `output` (may equal `input`), atomically: on any error
    /// `output` is left as it was. The kind of file is told by its first bytes.
    fn sign(&self, input: &Path, output: &Path) -> Result<SignReport, SignError>;
}

/// The in-process signer: [`crate::sign_pe`] / [`crate::sign_msi`].
#[derive(Debug)]
pub struct NativeSigner {
    key: SigningKey,
    options: AuthenticodeOptions,
}

impl NativeSigner {
    /// A signer for `key` with the timestamp `options`.
    pub fn new(key: SigningKey, options: AuthenticodeOptions) -> Self {
        NativeSigner { key, options }
    }
}

impl Signer for NativeSigner {
    fn sign(&self, input: &Path, output: &Path) -> Result<SignReport, SignError> {
        match kind(input)? {
            Kind::Pe => crate::sign_pe(input, output, &self.key, &self.options),
            Kind::Msi => crate::sign_msi(input, output, &self.key, &self.options),
        }
    }
}

/// A password that `Debug` never shows.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where an external backend finds the key: files on disk, plus a password kept in
/// memory only.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// An unencrypted PEM private key and a PEM certificate chain.
    Pem {
        /// The key file.
        key: PathBuf,
        /// The certificate chain file.
        chain: PathBuf,
    },
    /// A PKCS#12 archive and its password.
    Pkcs12 {
        /// The `.pfx`/`.p12` file.
        file: PathBuf,
        /// Its password.
        password: Secret,
    },
}

impl KeySource {
    /// Loads and checks the key in-process (matches its certificate, may sign code, not
    /// expired), so a backend fails with the same clear messages as the native signer.
    pub fn load(&self) -> Result<SigningKey, SignError> {
        let read = |p: &Path| std::fs::read(p).map_err(|e| SignError::io("read", p, e));
        match self {
            KeySource::Pem { key, chain } => SigningKey::from_pem(&read(key)?, &read(chain)?),
            KeySource::Pkcs12 { file, password } => {
                SigningKey::from_pkcs12(&read(file)?, password.expose())
            }
        }
    }
}

/// Signs with `osslsigncode sign` (Debian/Homebrew package `osslsigncode`).
#[derive(Debug)]
pub struct OsslsigncodeSigner {
    program: PathBuf,
    source: KeySource,
    key: SigningKey,
    options: AuthenticodeOptions,
}

impl OsslsigncodeSigner {
    /// Resolves `osslsigncode` on PATH and checks the key.
    pub fn new(source: KeySource, options: AuthenticodeOptions) -> Result<Self, SignError> {
        let program = tool::require(
            "osslsigncode",
            "install it (Debian/Ubuntu: `apt-get install osslsigncode`, macOS: `brew install osslsigncode`) or use the native backend (`windows-backend = \"native\"`)",
        )?;
        let key = source.load()?;
        Ok(OsslsigncodeSigner {
            program,
            source,
            key,
            options,
        })
    }
}

impl Signer for OsslsigncodeSigner {
    fn sign(&self, input: &Path, output: &Path) -> Result<SignReport, SignError> {
        kind(input)?;
        // Kept open until the tool has run; closing it frees the memory.
        let mut pass_file = None;
        let mut key_args: Vec<OsString> = Vec::new();
        let mut redact = Vec::new();
        match &self.source {
            KeySource::Pem { key, chain } => {
                key_args.extend(["-certs".into(), chain.into(), "-key".into(), key.into()]);
            }
            KeySource::Pkcs12 { file, password } => {
                let memory = PasswordInMemory::new(password.expose())?;
                key_args.extend([
                    "-pkcs12".into(),
                    file.into(),
                    "-readpass".into(),
                    memory.path().into(),
                ]);
                redact.push(password.expose());
                pass_file = Some(memory);
            }
        }
        let report = external(
            "osslsigncode",
            input,
            output,
            &self.options,
            |work, out, url| {
                let mut args: Vec<OsString> = vec!["sign".into(), "-h".into(), "sha256".into()];
                args.extend(key_args.iter().cloned());
                if let Some(url) = url {
                    args.extend(["-ts".into(), url.into()]);
                }
                args.extend(["-in".into(), work.into(), "-out".into(), out.into()]);
                tool::run(&self.program, &args, &redact)
            },
            true,
        )?;
        drop(pass_file);
        Ok(SignReport {
            subject: self.key.subject().to_owned(),
            sha256_fingerprint: self.key.sha256_fingerprint().to_owned(),
            ..report
        })
    }
}

/// A password in an anonymous in-memory file, for tools that read a secret from a
/// path: never on disk, never in argv, not inherited by any child (close-on-exec), and
/// gone with the last descriptor, so a killed run leaves nothing behind.
#[cfg(target_os = "linux")]
struct PasswordInMemory {
    file: std::fs::File,
}

#[cfg(target_os = "linux")]
impl PasswordInMemory {
    fn new(password: &str) -> Result<PasswordInMemory, SignError> {
        use rustix::fs::{MemfdFlags, memfd_create};
        let failed =
            |e: std::io::Error| SignError::io("keep the password in memory for", "osslsigncode", e);
        let fd = memfd_create("crateship-pfx-password", MemfdFlags::CLOEXEC)
            .map_err(|e| failed(e.into()))?;
        let mut file = std::fs::File::from(fd);
        file.write_all(password.as_bytes()).map_err(failed)?;
        Ok(PasswordInMemory { file })
    }

    /// The path a child process opens it by: `/proc/PID/fd/N` of this process.
    fn path(&self) -> PathBuf {
        use std::os::fd::AsRawFd;
        PathBuf::from(format!(
            "/proc/{}/fd/{}",
            std::process::id(),
            self.file.as_raw_fd()
        ))
    }
}

/// Where there is no `memfd_create` (macOS hosts): a 0600 temporary file, removed
/// when dropped.
#[cfg(not(target_os = "linux"))]
struct PasswordInMemory {
    file: tempfile::NamedTempFile,
}

#[cfg(not(target_os = "linux"))]
impl PasswordInMemory {
    fn new(password: &str) -> Result<PasswordInMemory, SignError> {
        let mut file = tempfile::NamedTempFile::new()
            .map_err(|e| SignError::io("create a temporary file in", std::env::temp_dir(), e))?;
        file.write_all(password.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| SignError::io("write", file.path(), e))?;
        Ok(PasswordInMemory { file })
    }

    fn path(&self) -> PathBuf {
        self.file.path().to_owned()
    }
}

/// Signs with Microsoft's `signtool sign` on a Windows host, with a certificate from the
/// Windows certificate store chosen by its SHA-1 thumbprint (`/sha1`). Import a `.pfx`
/// into the store first (e.g. `certutil -importPFX` in CI): signtool's own `/p` would put
/// the password on the command line, which crateship never does.
#[derive(Debug)]
pub struct SigntoolSigner {
    program: PathBuf,
    thumbprint: String,
    options: AuthenticodeOptions,
}

impl SigntoolSigner {
    /// Resolves `signtool` on PATH and checks the thumbprint's form.
    pub fn new(thumbprint: &str, options: AuthenticodeOptions) -> Result<Self, SignError> {
        let thumbprint: String = thumbprint.chars().filter(|c| !c.is_whitespace()).collect();
        if thumbprint.len() != 40 || !thumbprint.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(SignError::Backend {
                backend: "signtool",
                reason: format!(
                    "`{thumbprint}` is not a SHA-1 certificate thumbprint (40 hex digits, as `certutil -store My` prints it)"
                ),
            });
        }
        let program = tool::require(
            "signtool",
            "it ships with the Windows SDK and runs on Windows only; add its directory to PATH, or use the `native` or `osslsigncode` backend on other hosts",
        )?;
        Ok(SigntoolSigner {
            program,
            thumbprint,
            options,
        })
    }
}

impl Signer for SigntoolSigner {
    fn sign(&self, input: &Path, output: &Path) -> Result<SignReport, SignError> {
        kind(input)?;
        external(
            "signtool",
            input,
            output,
            &self.options,
            |work, _, url| {
                let mut args: Vec<OsString> = vec![
                    "sign".into(),
                    "/fd".into(),
                    "sha256".into(),
                    "/sha1".into(),
                    self.thumbprint.clone().into(),
                ];
                if let Some(url) = url {
                    args.extend(["/tr".into(), url.into(), "/td".into(), "sha256".into()]);
                }
                args.push(work.into());
                tool::run(&self.program, &args, &[])
            },
            false,
        )
    }
}

/// Signs with a custom command, given as an argv template (no shell). Placeholders:
/// `{file}` the file to sign (a temporary copy), `{out}` where to write the signed file
/// (without it, the command must sign `{file}` in place), `{timestamp-url}` the RFC 3161
/// server being tried. Credentials reach the command only through the environment it
/// inherits (e.g. jsign's `--storepass env:VAR`, Azure's `AZURE_*` variables).
#[derive(Debug)]
pub struct CommandSigner {
    program: PathBuf,
    template: Vec<String>,
    options: AuthenticodeOptions,
}

const PLACEHOLDERS: [&str; 3] = ["{file}", "{out}", "{timestamp-url}"];

impl CommandSigner {
    /// Checks the template and resolves its program on PATH.
    pub fn new(template: Vec<String>, options: AuthenticodeOptions) -> Result<Self, SignError> {
        let backend = |reason: String| SignError::Backend {
            backend: "command",
            reason,
        };
        let Some(first) = template.first() else {
            return Err(backend(
                "the command is empty; give an argv such as [\"jsign\", \"--storetype\", \"AZUREKEYVAULT\", …, \"{file}\"]".into(),
            ));
        };
        if !template.iter().any(|a| a.contains("{file}")) {
            return Err(backend(
                "the command never mentions `{file}`, the file to sign".into(),
            ));
        }
        for arg in &template {
            let mut rest = arg.as_str();
            while let Some(at) = rest.find('{') {
                let tail = &rest[at..];
                match PLACEHOLDERS.iter().find(|p| tail.starts_with(*p)) {
                    Some(p) => rest = &tail[p.len()..],
                    None => {
                        return Err(backend(format!(
                            "unknown placeholder in `{arg}`; use {}",
                            PLACEHOLDERS.join(", ")
                        )));
                    }
                }
            }
        }
        let uses_url = template.iter().any(|a| a.contains("{timestamp-url}"));
        if uses_url && options.timestamp_urls.is_empty() {
            return Err(backend(
                "the command uses `{timestamp-url}` but no timestamp URL is configured; set `timestamp-urls`".into(),
            ));
        }
        let program = tool::require(
            first,
            "install it or fix the first element of the signing command",
        )?;
        Ok(CommandSigner {
            program,
            template,
            options,
        })
    }
}

impl Signer for CommandSigner {
    fn sign(&self, input: &Path, output: &Path) -> Result<SignReport, SignError> {
        kind(input)?;
        let writes_out = self.template.iter().any(|a| a.contains("{out}"));
        let uses_url = self.template.iter().any(|a| a.contains("{timestamp-url}"));
        let options = AuthenticodeOptions {
            // A command without `{timestamp-url}` timestamps (or not) on its own.
            timestamp_urls: if uses_url {
                self.options.timestamp_urls.clone()
            } else {
                Vec::new()
            },
            allow_unstamped: self.options.allow_unstamped || !uses_url,
            ..self.options.clone()
        };
        let mut report = external(
            "command",
            input,
            output,
            &options,
            |work, out, url| {
                let args: Vec<OsString> = self.template[1..]
                    .iter()
                    .map(|a| {
                        a.replace("{file}", &work.to_string_lossy())
                            .replace("{out}", &out.to_string_lossy())
                            .replace("{timestamp-url}", url.unwrap_or_default())
                            .into()
                    })
                    .collect();
                tool::run(&self.program, &args, &[])
            },
            writes_out,
        )?;
        if !uses_url {
            report.warnings.clear();
        }
        Ok(report)
    }
}

/// Runs an external backend on a copy of `input` staged beside `output`:
/// `attempt(work, out, url)` once per timestamp URL until one succeeds, then once
/// without a timestamp if that is allowed. The result (`out` if `writes_out`, else
/// `work`) must carry a signature; it is published as `output`. The report's subject and fingerprint are read back from it.
fn external(
    tool_name: &str,
    input: &Path,
    output: &Path,
    options: &AuthenticodeOptions,
    attempt: impl Fn(&Path, &Path, Option<&str>) -> Result<(), String>,
    writes_out: bool,
) -> Result<SignReport, SignError> {
    let permissions = crate::permissions_of(input)?;
    // Hidden files beside `output`, ending in its name (tools go by the
    // extension): the copy the tool signs, and where it writes the result.
    let work = AtomicFile::create(output)?.stage()?;
    let out = AtomicFile::create(output)?.stage()?;
    let mut urls: Vec<Option<&str>> = options
        .timestamp_urls
        .iter()
        .map(|u| Some(u.as_str()))
        .collect();
    if urls.is_empty() || options.allow_unstamped {
        urls.push(None);
    }
    let mut attempts = Vec::new();
    let mut used = None;
    for url in urls {
        std::fs::copy(input, work.path()).map_err(|e| SignError::io("copy", input, e))?;
        // Some tools refuse to overwrite an existing output.
        let _ = std::fs::remove_file(out.path());
        match attempt(work.path(), out.path(), url) {
            Ok(()) => {
                used = Some(url);
                break;
            }
            Err(e) => attempts.push((
                url.map_or_else(
                    || "without a timestamp".to_owned(),
                    |u| format!("with timestamp server {u}"),
                ),
                e,
            )),
        }
    }
    let Some(url) = used else {
        return Err(SignError::ToolFailed {
            tool: tool_name.to_owned(),
            path: input.to_owned(),
            attempts,
        });
    };
    let signed = if writes_out { out.path() } else { work.path() };
    let Some(who) = signer(signed)? else {
        return Err(SignError::ToolFailed {
            tool: tool_name.to_owned(),
            path: input.to_owned(),
            attempts: vec![(
                "reading the result".into(),
                "the tool reported success but the file carries no Authenticode signature".into(),
            )],
        });
    };
    let mut warnings = Vec::new();
    if url.is_none() || !who.timestamped {
        let why = if attempts.is_empty() {
            String::new()
        } else {
            format!(
                " {}",
                SignError::ToolFailed {
                    tool: tool_name.to_owned(),
                    path: input.to_owned(),
                    attempts: attempts.clone(),
                }
            )
        };
        warnings.push(format!(
            "WARNING: `{}` is signed WITHOUT a timestamp; the signature becomes invalid when the certificate expires.{why}",
            input.display()
        ));
    }
    std::fs::set_permissions(signed, permissions)
        .map_err(|e| SignError::io("set the permissions of", signed, e))?;
    let signed = if writes_out { out } else { work };
    signed.publish()?;
    Ok(SignReport {
        scheme: match kind(output)? {
            Kind::Pe => "authenticode-pe",
            Kind::Msi => "authenticode-msi",
        }
        .into(),
        subject: who.subject,
        sha256_fingerprint: who.fingerprint,
        timestamp_server: url.filter(|_| who.timestamped).map(str::to_owned),
        warnings,
    })
}
