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

/// Whether the SPDX `expression` can be satisfied using only licences in
/// `allowed`: `A OR B` needs one side, `A AND B` both, `A WITH E` is allowed
/// when `A WITH E` or `A` is listed. An expression that does not parse is not
/// allowed (it is reported rather than waved through).
pub fn license_allowed(expression: &str, allowed: &[String]) -> bool {
    let spaced = expression.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    let result = or_expr(&tokens, &mut at, allowed);
    result == Some(true) && at == tokens.len()
}

fn or_expr(tokens: &[&str], at: &mut usize, allowed: &[String]) -> Option<bool> {
    let mut value = and_expr(tokens, at, allowed)?;
    while tokens
        .get(*at)
        .is_some_and(|t| t.eq_ignore_ascii_case("OR"))
    {
        *at += 1;
        value |= and_expr(tokens, at, allowed)?;
    }
    Some(value)
}

fn and_expr(tokens: &[&str], at: &mut usize, allowed: &[String]) -> Option<bool> {
    let mut value = atom(tokens, at, allowed)?;
    while tokens
        .get(*at)
        .is_some_and(|t| t.eq_ignore_ascii_case("AND"))
    {
        *at += 1;
        value &= atom(tokens, at, allowed)?;
    }
    Some(value)
}

fn atom(tokens: &[&str], at: &mut usize, allowed: &[String]) -> Option<bool> {
    let token = *tokens.get(*at)?;
    *at += 1;
    if token == "(" {
        let value = or_expr(tokens, at, allowed)?;
        (tokens.get(*at) == Some(&")")).then(|| *at += 1)?;
        return Some(value);
    }
    if matches!(token, ")")
        || ["AND", "OR", "WITH"]
            .iter()
            .any(|op| token.eq_ignore_ascii_case(op))
    {
        return None;
    }
    let listed = |id: &str| allowed.iter().any(|a| a.eq_ignore_ascii_case(id));
    if tokens
        .get(*at)
        .is_some_and(|t| t.eq_ignore_ascii_case("WITH"))
    {
        let exception = *tokens.get(*at + 1)?;
        *at += 2;
        return Some(listed(&format!("{token} WITH {exception}")) || listed(token));
    }
    Some(listed(token))
}

#[cfg(test)]
mod tests {
    use super::{license_allowed, spdx_expression};

    #[test]
    fn expressions_are_satisfied_from_the_allow_list() {
        let allowed = ["MIT".to_owned(), "Apache-2.0".to_owned()];
        assert!(license_allowed("MIT", &allowed));
        assert!(license_allowed("MIT OR GPL-3.0-only", &allowed));
        assert!(!license_allowed("MIT AND GPL-3.0-only", &allowed));
        assert!(license_allowed(
            "(MIT OR Apache-2.0) AND Apache-2.0",
            &allowed
        ));
        assert!(license_allowed("Apache-2.0 WITH LLVM-exception", &allowed));
        assert!(!license_allowed("GPL-3.0-only", &allowed));
        assert!(!license_allowed("MIT OR", &allowed));
        assert!(!license_allowed("(MIT", &allowed));
        assert!(!license_allowed("", &allowed));
    }

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
