//! The reserved ELF sections of an AppImage type 2 runtime. They are zero-filled
//! here; the writer (`crateship-appimage`) fills `.upd_info` in the finished
//! AppImage, and signing tools fill `.sha256_sig`/`.sig_key`/`.digest_md5`.
//! The runtime reads them back from its own file (never from these statics, whose
//! zero value the compiler may assume).
// Placing a static in a named section needs `#[unsafe(link_section)]`; nothing
// here is executed or dereferenced.
#![allow(unsafe_code)]

/// Update information (`zsync|URL`, `gh-releases-zsync|…`), NUL-terminated.
#[used]
#[unsafe(link_section = ".upd_info")]
static UPD_INFO: [u8; 1024] = [0; 1024];

/// Detached SHA-256 signature of the AppImage.
#[used]
#[unsafe(link_section = ".sha256_sig")]
static SHA256_SIG: [u8; 1024] = [0; 1024];

/// Public key matching `.sha256_sig`.
#[used]
#[unsafe(link_section = ".sig_key")]
static SIG_KEY: [u8; 8192] = [0; 8192];

/// MD5 digest of the AppImage (with the signature sections zeroed).
#[used]
#[unsafe(link_section = ".digest_md5")]
static DIGEST_MD5: [u8; 16] = [0; 16];
