//! Against the last published release: the version goes up in every format's
//! own ordering, the package name and identifier stay, and each MSI keeps its
//! UpgradeCode while getting a new ProductCode (so Windows upgrades in place).

use super::contents::ArtifactFacts;
use super::{Level, Results};
use crate::manifest::DistManifest;

/// Adds the previous-release results.
pub(super) fn check(
    manifest: &DistManifest,
    facts: &[ArtifactFacts],
    earlier: &DistManifest,
    earlier_facts: &[ArtifactFacts],
    results: &mut Results,
) {
    let (now, before) = (&manifest.app.version, &earlier.app.version);
    let newer = matches!(
        (semver::Version::parse(now), semver::Version::parse(before)),
        (Ok(a), Ok(b)) if a > b
    );
    let raise = "raise `version` in Cargo.toml above the previous release's";
    results.add(
        "consistency.version-increases",
        Level::Blocking,
        "",
        if newer {
            Ok(format!("{now} > {before}"))
        } else {
            Err((
                format!("version {now} does not come after the previous release's {before}"),
                raise.to_owned(),
            ))
        },
    );
    results.add(
        "consistency.identifier",
        Level::Blocking,
        "",
        if manifest.app.identifier == earlier.app.identifier
            && manifest.app.name == earlier.app.name
        {
            Ok("name and identifier unchanged".to_owned())
        } else {
            Err((
                format!(
                    "{} / {:?} was {} / {:?}: installed copies would not upgrade",
                    manifest.app.name,
                    manifest.app.identifier,
                    earlier.app.name,
                    earlier.app.identifier
                ),
                "keep the package name and `identifier` of the previous release".to_owned(),
            ))
        },
    );
    for current in facts {
        let Some(old) = earlier_facts
            .iter()
            .find(|f| f.format == current.format && f.target == current.target)
        else {
            continue;
        };
        let (Some(new_meta), Some(old_meta)) = (&current.metadata, &old.metadata) else {
            continue;
        };
        let field =
            |m: &crateship_unpack::Metadata, k: &str| m.fields.get(k).cloned().unwrap_or_default();
        let ordered =
            |what: &str, a: String, b: String, order: fn(&str, &str) -> std::cmp::Ordering| {
                if order(&a, &b).is_gt() {
                    Ok(format!("{what} {a} > {b}"))
                } else {
                    Err((
                        format!("{what} {a} does not come after the previous {b}"),
                        raise.to_owned(),
                    ))
                }
            };
        match current.format.as_str() {
            "deb" => results.add(
                "consistency.version-increases",
                Level::Blocking,
                &current.path,
                ordered(
                    "deb Version",
                    field(new_meta, "Version"),
                    field(old_meta, "Version"),
                    crateship_linux::version::compare_deb,
                ),
            ),
            "rpm" => {
                let evr = |m| format!("{}-{}", field(m, "Version"), field(m, "Release"));
                results.add(
                    "consistency.version-increases",
                    Level::Blocking,
                    &current.path,
                    ordered(
                        "rpm EVR",
                        evr(new_meta),
                        evr(old_meta),
                        crateship_linux::version::compare_rpm,
                    ),
                );
            }
            "msi" => {
                results.add(
                    "consistency.version-increases",
                    Level::Blocking,
                    &current.path,
                    ordered(
                        "MSI ProductVersion",
                        field(new_meta, "ProductVersion"),
                        field(old_meta, "ProductVersion"),
                        msi_order,
                    ),
                );
                let (upgrade, old_upgrade) = (
                    field(new_meta, "UpgradeCode"),
                    field(old_meta, "UpgradeCode"),
                );
                results.add(
                    "consistency.upgrade-code",
                    Level::Blocking,
                    &current.path,
                    if upgrade == old_upgrade {
                        Ok(format!("UpgradeCode {upgrade} unchanged"))
                    } else {
                        Err((
                            format!("UpgradeCode {upgrade} was {old_upgrade}: Windows would install it beside the old version instead of upgrading"),
                            "keep `identifier` (the UpgradeCode derives from it) or set windows.upgrade-code to the previous value".to_owned(),
                        ))
                    },
                );
                let (product, old_product) = (
                    field(new_meta, "ProductCode"),
                    field(old_meta, "ProductCode"),
                );
                results.add(
                    "consistency.product-code",
                    Level::Blocking,
                    &current.path,
                    if product != old_product {
                        Ok(format!("ProductCode {product} is new"))
                    } else {
                        Err((
                            format!("ProductCode {product} is the previous release's: Windows would refuse the upgrade"),
                            "release a new version (the ProductCode derives from it)".to_owned(),
                        ))
                    },
                );
            }
            _ => {}
        }
    }
}

/// MSI ProductVersion order: the first three numeric fields (the fourth is ignored by Windows).
fn msi_order(a: &str, b: &str) -> std::cmp::Ordering {
    let fields = |v: &str| -> Vec<u32> {
        v.split('.')
            .take(3)
            .map(|f| f.parse().unwrap_or(0))
            .collect()
    };
    fields(a).cmp(&fields(b))
}
