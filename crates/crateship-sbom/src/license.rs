//! Cargo `license` fields as SPDX license expressions.

/// Turns a Cargo `license` value into an SPDX expression: the legacy `/` separator
/// (`MIT/Apache-2.0`, which Cargo documents as "or") becomes ` OR `, lower-case
/// operators become upper-case, and runs of whitespace collapse. An empty value is
/// `None`.
pub fn spdx_expression(cargo_license: &str) -> Option<String> {
    let spaced = cargo_license
        .replace('/', " OR ")
        .replace('(', " ( ")
        .replace(')', " ) ");
    let words: Vec<&str> = spaced
        .split_whitespace()
        .map(|word| match word {
            "or" => "OR",
            "and" => "AND",
            "with" => "WITH",
            other => other,
        })
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(words.join(" ").replace("( ", "(").replace(" )", ")"))
}

#[cfg(test)]
mod tests {
    use super::spdx_expression;

    #[test]
    fn legacy_and_modern_forms_become_spdx_expressions() {
        let cases = [
            ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
            ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
            ("MIT / Apache-2.0", "MIT OR Apache-2.0"),
            (
                "Apache-2.0 with LLVM-exception",
                "Apache-2.0 WITH LLVM-exception",
            ),
            (
                "(MIT OR Apache-2.0)  AND Unicode-3.0",
                "(MIT OR Apache-2.0) AND Unicode-3.0",
            ),
        ];
        for (cargo, spdx) in cases {
            assert_eq!(spdx_expression(cargo).as_deref(), Some(spdx), "{cargo}");
        }
        assert_eq!(spdx_expression("  "), None);
    }
}
