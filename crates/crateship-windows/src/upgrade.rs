//! Major-upgrade logic: the `Upgrade` rows that find older (`OLDERFOUND`) and newer
//! (`NEWERFOUND`) installs of the same UpgradeCode, the launch condition that refuses a
//! downgrade with a readable message, and the standard action sequences with
//! `RemoveExistingProducts` right after `InstallValidate` (the old product is removed
//! before the new one is installed, so no component rule can leave stale files).

use msi::Value;

use crate::MsiVersion;

/// Property that lists older installed versions (removed by RemoveExistingProducts).
pub(crate) const OLDER_FOUND: &str = "OLDERFOUND";
/// Property that lists newer installed versions (blocks the install).
pub(crate) const NEWER_FOUND: &str = "NEWERFOUND";

/// msidbUpgradeAttributesMigrateFeatures.
const MIGRATE_FEATURES: i32 = 1;
/// msidbUpgradeAttributesOnlyDetect.
const ONLY_DETECT: i32 = 2;

/// Rows of the `Upgrade` table. Both version bounds are exclusive, so reinstalling the
/// same version is neither an upgrade nor a downgrade.
pub(crate) fn upgrade_rows(upgrade_code: &str, version: MsiVersion) -> Vec<Vec<Value>> {
    vec![
        vec![
            upgrade_code.into(),
            Value::Null,
            version.to_string().into(),
            Value::Null,
            MIGRATE_FEATURES.into(),
            Value::Null,
            OLDER_FOUND.into(),
        ],
        vec![
            upgrade_code.into(),
            version.to_string().into(),
            Value::Null,
            Value::Null,
            ONLY_DETECT.into(),
            Value::Null,
            NEWER_FOUND.into(),
        ],
    ]
}

/// The `LaunchCondition` row that refuses to install over a newer version.
pub(crate) fn downgrade_condition(product_name: &str, version: MsiVersion) -> Vec<Value> {
    vec![
        format!("NOT {NEWER_FOUND} OR Installed").into(),
        format!(
            "A newer version of {product_name} is already installed. \
             To install version {version}, uninstall the newer version first."
        )
        .into(),
    ]
}

/// `InstallExecuteSequence`: the standard actions this package needs.
pub(crate) const INSTALL_EXECUTE: &[(&str, i32)] = &[
    ("FindRelatedProducts", 25),
    ("LaunchConditions", 100),
    ("ValidateProductID", 700),
    ("CostInitialize", 800),
    ("FileCost", 900),
    ("CostFinalize", 1000),
    ("MigrateFeatureStates", 1200),
    ("InstallValidate", 1400),
    ("RemoveExistingProducts", 1401),
    ("InstallInitialize", 1500),
    ("ProcessComponents", 1600),
    ("UnpublishFeatures", 1800),
    ("RemoveRegistryValues", 2600),
    ("RemoveShortcuts", 3200),
    ("RemoveFiles", 3500),
    ("RemoveFolders", 3600),
    ("CreateFolders", 3700),
    ("InstallFiles", 4000),
    ("CreateShortcuts", 4500),
    ("WriteRegistryValues", 5000),
    ("RegisterUser", 6000),
    ("RegisterProduct", 6100),
    ("PublishFeatures", 6300),
    ("PublishProduct", 6400),
    ("InstallFinalize", 6600),
];

/// `InstallUISequence`: detection and costing before the execute sequence.
pub(crate) const INSTALL_UI: &[(&str, i32)] = &[
    ("FindRelatedProducts", 25),
    ("LaunchConditions", 100),
    ("ValidateProductID", 700),
    ("CostInitialize", 800),
    ("FileCost", 900),
    ("CostFinalize", 1000),
    ("MigrateFeatureStates", 1200),
    ("ExecuteAction", 1300),
];

/// `AdminExecuteSequence`: `msiexec /a` unpacks the payload to a folder.
pub(crate) const ADMIN_EXECUTE: &[(&str, i32)] = &[
    ("CostInitialize", 800),
    ("FileCost", 900),
    ("CostFinalize", 1000),
    ("InstallValidate", 1400),
    ("InstallInitialize", 1500),
    ("InstallAdminPackage", 3900),
    ("InstallFiles", 4000),
    ("InstallFinalize", 6600),
];

/// Rows for one sequence table.
pub(crate) fn sequence_rows(actions: &[(&str, i32)]) -> Vec<Vec<Value>> {
    actions
        .iter()
        .map(|&(action, sequence)| vec![action.into(), Value::Null, sequence.into()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_runs_before_launch_conditions_and_removal_after_validate() {
        for seq in [INSTALL_EXECUTE, INSTALL_UI] {
            let at = |name: &str| seq.iter().find(|(a, _)| *a == name).map(|(_, s)| *s);
            assert!(at("FindRelatedProducts") < at("LaunchConditions"));
        }
        let at = |name: &str| INSTALL_EXECUTE.iter().find(|(a, _)| *a == name).unwrap().1;
        assert!(at("InstallValidate") < at("RemoveExistingProducts"));
        assert!(at("RemoveExistingProducts") < at("InstallInitialize"));
    }
}
