//! Integration tests: the repositories are read by the real package managers over a
//! loopback HTTP server — Debian's apt (update, policy, download, simulated install)
//! and dpkg, dnf with gpgcheck and repo_gpgcheck, gpgv for the signatures, and
//! createrepo_c as the reference for primary.xml. Needs:
//! `apt-get install -y apt apt-utils dnf createrepo-c gnupg gpgv dpkg rpm python3`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
// tests and tools print and panic on failure
// Tests spawn the independent verifiers; the library itself never does.
#![allow(clippy::disallowed_methods)]

mod apt;
mod dnf;
mod errors;
mod reproducible;
mod support;
