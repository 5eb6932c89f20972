//! Maintainer-script snippets for the systemd units a package installs, what
//! `dh_installsystemd` (deb) and the `%systemd_post` / `%systemd_preun` /
//! `%systemd_postun_with_restart` macros (rpm) add, so a unit shipped by
//! crateship behaves like one shipped by the distribution:
//!
//! * deb: enabled on first install (an admin's later `disable` is kept on
//!   upgrade), started (restarted on upgrade) when systemd runs, stopped before
//!   removal, its enablement state purged with the package;
//! * rpm: enabled on first install per the system's presets, stopped and
//!   disabled before the last removal, restarted after an upgrade.
//!
//! Every command is guarded (`command -v`, `|| true`), so installing into a
//! root without systemd (a container image, `dpkg --root`) still succeeds.

use crate::package::{LinuxPackage, Scripts};

/// Where unit files may be installed, relative to `/`.
pub const UNIT_DIRS: &[&str] = &["usr/lib/systemd/system", "lib/systemd/system"];

/// Which package format the scripts are for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Deb,
    Rpm,
}

/// The package's scripts with the systemd snippets for its units added after the
/// maintainer's own (before them for `prerm`/`%preun`, so a unit is stopped
/// before the maintainer's clean-up runs).
pub(crate) fn scripts_with_units(pkg: &LinuxPackage, flavor: Flavor) -> Scripts {
    let mut scripts = pkg.scripts.clone();
    if pkg.systemd_units.is_empty() {
        return scripts;
    }
    let units = pkg
        .systemd_units
        .iter()
        .map(|u| format!("'{u}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let (post_install, pre_remove, post_remove) = match flavor {
        Flavor::Deb => deb_snippets(&units),
        Flavor::Rpm => rpm_snippets(&units),
    };
    let after = |own: Option<String>, snippet: String| {
        Some(match own {
            Some(body) => format!("{}\n{snippet}", body.trim_end()),
            None => snippet,
        })
    };
    let before = |own: Option<String>, snippet: String| {
        Some(match own {
            Some(body) => format!("{snippet}\n{}", body.trim_end()),
            None => snippet,
        })
    };
    scripts.post_install = after(scripts.post_install, post_install);
    scripts.pre_remove = before(scripts.pre_remove, pre_remove);
    scripts.post_remove = after(scripts.post_remove, post_remove);
    scripts
}

/// deb `postinst`, `prerm` and `postrm` additions for `units` (quoted, space separated).
fn deb_snippets(units: &str) -> (String, String, String) {
    let postinst = format!(
        r#"# crateship: systemd units {units}
case "$1" in
configure|abort-upgrade|abort-deconfigure|abort-remove)
    if command -v deb-systemd-helper >/dev/null 2>&1; then
        for unit in {units}; do
            deb-systemd-helper unmask "$unit" >/dev/null || true
            if deb-systemd-helper --quiet was-enabled "$unit"; then
                deb-systemd-helper enable "$unit" >/dev/null || true
            else
                deb-systemd-helper update-state "$unit" >/dev/null || true
            fi
        done
    fi
    if [ -d /run/systemd/system ]; then
        systemctl --system daemon-reload >/dev/null || true
        if [ -n "$2" ]; then action=restart; else action=start; fi
        for unit in {units}; do
            deb-systemd-invoke "$action" "$unit" >/dev/null || true
        done
    fi
    ;;
esac"#
    );
    let prerm = format!(
        r#"# crateship: systemd units {units}
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
    for unit in {units}; do
        deb-systemd-invoke stop "$unit" >/dev/null || true
    done
fi"#
    );
    let postrm = format!(
        r#"# crateship: systemd units {units}
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
if command -v deb-systemd-helper >/dev/null 2>&1; then
    for unit in {units}; do
        case "$1" in
        remove) deb-systemd-helper mask "$unit" >/dev/null || true ;;
        purge)
            deb-systemd-helper purge "$unit" >/dev/null || true
            deb-systemd-helper unmask "$unit" >/dev/null || true
            ;;
        esac
    done
fi"#
    );
    (postinst, prerm, postrm)
}

/// rpm `%post`, `%preun` and `%postun` additions for `units`.
fn rpm_snippets(units: &str) -> (String, String, String) {
    let post = format!(
        r#"# crateship: systemd units {units}
if [ "$1" -eq 1 ] && command -v systemctl >/dev/null 2>&1; then
    systemctl --no-reload preset {units} >/dev/null 2>&1 || :
fi"#
    );
    let preun = format!(
        r#"# crateship: systemd units {units}
if [ "$1" -eq 0 ] && command -v systemctl >/dev/null 2>&1; then
    systemctl --no-reload disable --now {units} >/dev/null 2>&1 || :
fi"#
    );
    let postun = format!(
        r#"# crateship: systemd units {units}
if command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart {units} >/dev/null 2>&1 || :
    fi
fi"#
    );
    (post, preun, postun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::Arch;

    fn pkg() -> LinuxPackage {
        let mut p = LinuxPackage::new("hello", "1.0.0", "Hi", "A <a@b.c>", Arch::X86_64);
        p.systemd_units = vec!["hello.service".into()];
        p
    }

    #[test]
    fn deb_units_are_enabled_after_the_maintainers_postinst_and_stopped_before_their_prerm() {
        let mut p = pkg();
        p.scripts.post_install = Some("echo mine".into());
        p.scripts.pre_remove = Some("echo cleanup".into());
        let s = scripts_with_units(&p, Flavor::Deb);
        let post = s.post_install.unwrap();
        assert!(post.starts_with("echo mine\n"), "{post}");
        assert!(post.contains("deb-systemd-helper enable \"$unit\""));
        assert!(post.contains("for unit in 'hello.service'; do"));
        let prerm = s.pre_remove.unwrap();
        assert!(prerm.ends_with("echo cleanup"), "{prerm}");
        assert!(prerm.contains("deb-systemd-invoke stop"));
        assert!(s.post_remove.unwrap().contains("deb-systemd-helper purge"));
        assert_eq!(s.pre_install, None);
    }

    #[test]
    fn rpm_units_follow_presets_on_first_install_only() {
        let s = scripts_with_units(&pkg(), Flavor::Rpm);
        let post = s.post_install.unwrap();
        assert!(post.contains("[ \"$1\" -eq 1 ]"));
        assert!(post.contains("preset 'hello.service'"));
        assert!(
            s.pre_remove
                .unwrap()
                .contains("disable --now 'hello.service'")
        );
        assert!(
            s.post_remove
                .unwrap()
                .contains("try-restart 'hello.service'")
        );
    }

    #[test]
    fn without_units_the_scripts_are_the_maintainers() {
        let mut p = pkg();
        p.systemd_units.clear();
        p.scripts.post_install = Some("echo mine".into());
        assert_eq!(scripts_with_units(&p, Flavor::Deb), p.scripts);
    }
}
