//! SPDX license expressions (`MIT OR Apache-2.0`, `(A AND B) OR C`, `GPL-2.0-only WITH
//! Classpath-exception-2.0`): parsed once, then written the way each channel spells
//! them (Homebrew's `any_of:`/`all_of:`, Scoop's `|`/`,`, the plain expression for
//! Arch and winget). Syntax is checked; identifiers are not looked up in the SPDX list.

use crate::ManifestError;

/// A parsed license expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum License {
    /// One license identifier (`MIT`, `LicenseRef-Custom`, `GPL-2.0+`).
    Id(String),
    /// A license with an exception (`X WITH Y`).
    With(String, String),
    /// Every one of these applies.
    And(Vec<License>),
    /// Any one of these may be chosen.
    Or(Vec<License>),
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    With,
    Word(String),
}

impl License {
    /// Parses `text`; an error names the expression and shows the expected form.
    pub(crate) fn parse(text: &str) -> Result<License, ManifestError> {
        let fail = |reason: &str| {
            ManifestError::invalid(
                None,
                "license",
                text,
                format!(
                    "{reason}; write an SPDX expression such as `MIT`, `MIT OR Apache-2.0` or `(MIT AND Zlib) OR Apache-2.0` (operators AND, OR, WITH in upper case)"
                ),
            )
        };
        let tokens = tokenize(text).map_err(|r| fail(&r))?;
        let mut parser = Parser { tokens, at: 0 };
        let license = parser.or().map_err(|r| fail(&r))?;
        if parser.at != parser.tokens.len() {
            return Err(fail("it has text after a complete expression"));
        }
        Ok(license)
    }

    /// The canonical expression text: single spaces, every AND/OR mixture parenthesised.
    pub(crate) fn expression(&self) -> String {
        match self {
            License::Id(id) => id.clone(),
            License::With(id, exception) => format!("{id} WITH {exception}"),
            License::And(parts) => join(parts, " AND ", |p| matches!(p, License::Or(_))),
            License::Or(parts) => join(parts, " OR ", |p| matches!(p, License::And(_))),
        }
    }

    /// Homebrew's `license` argument: `"MIT"`, `any_of: ["MIT", "Apache-2.0"]`,
    /// `all_of: […]`, `"GPL-2.0-only" => { with: "…" }`.
    pub(crate) fn homebrew(&self) -> String {
        match self {
            License::Id(_) => self.homebrew_item(),
            License::With(id, exception) => format!(
                "{} => {{ with: {} }}",
                crate::text::ruby_string(id),
                crate::text::ruby_string(exception)
            ),
            License::And(parts) => format!("all_of: [{}]", homebrew_items(parts)),
            License::Or(parts) => format!("any_of: [{}]", homebrew_items(parts)),
        }
    }

    fn homebrew_item(&self) -> String {
        match self {
            License::Id(id) => crate::text::ruby_string(id),
            License::With(id, exception) => format!(
                "{{ {} => {{ with: {} }} }}",
                crate::text::ruby_string(id),
                crate::text::ruby_string(exception)
            ),
            License::And(parts) => format!("{{ all_of: [{}] }}", homebrew_items(parts)),
            License::Or(parts) => format!("{{ any_of: [{}] }}", homebrew_items(parts)),
        }
    }

    /// Scoop's spelling: `A|B` for a choice, `A,B` for all of them, else the expression.
    pub(crate) fn scoop(&self) -> String {
        let ids = |parts: &[License]| -> Option<Vec<String>> {
            parts
                .iter()
                .map(|p| match p {
                    License::Id(id) => Some(id.clone()),
                    _ => None,
                })
                .collect()
        };
        match self {
            License::Or(parts) => ids(parts).map(|ids| ids.join("|")),
            License::And(parts) => ids(parts).map(|ids| ids.join(",")),
            _ => None,
        }
        .unwrap_or_else(|| self.expression())
    }
}

fn join(parts: &[License], operator: &str, needs_parens: impl Fn(&License) -> bool) -> String {
    parts
        .iter()
        .map(|p| {
            if needs_parens(p) {
                format!("({})", p.expression())
            } else {
                p.expression()
            }
        })
        .collect::<Vec<_>>()
        .join(operator)
}

fn homebrew_items(parts: &[License]) -> String {
    parts
        .iter()
        .map(License::homebrew_item)
        .collect::<Vec<_>>()
        .join(", ")
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            c if c.is_ascii_alphanumeric() || "-.+:".contains(c) => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_ascii_alphanumeric() || "-.+:".contains(c) {
                        word.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(match word.as_str() {
                    "AND" => Token::And,
                    "OR" => Token::Or,
                    "WITH" => Token::With,
                    "and" | "or" | "with" => {
                        return Err(format!("the operator `{word}` must be upper case"));
                    }
                    _ => Token::Word(word),
                });
            }
            '/' => return Err("`/` is the old Cargo form".into()),
            other => return Err(format!("it contains `{}`", other.escape_debug())),
        }
    }
    if tokens.is_empty() {
        return Err("it is empty".into());
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<License, String> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(flatten(parts, true))
    }

    fn and(&mut self) -> Result<License, String> {
        let mut parts = vec![self.with()?];
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            parts.push(self.with()?);
        }
        Ok(flatten(parts, false))
    }

    fn with(&mut self) -> Result<License, String> {
        match self.tokens.get(self.at) {
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err("a `(` is not closed".into());
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Word(id)) => {
                let id = id.clone();
                self.at += 1;
                if self.peek() == Some(&Token::With) {
                    self.at += 1;
                    match self.tokens.get(self.at) {
                        Some(Token::Word(exception)) => {
                            let exception = exception.clone();
                            self.at += 1;
                            Ok(License::With(id, exception))
                        }
                        _ => Err("WITH is not followed by an exception identifier".into()),
                    }
                } else {
                    Ok(License::Id(id))
                }
            }
            Some(_) => Err("an operator or `)` stands where a license identifier belongs".into()),
            None => Err("it ends where a license identifier belongs".into()),
        }
    }
}

/// One part stays itself; several become an OR (`or`) or AND of them, with parts of
/// the same operator merged (`(A OR B) OR C` is `A OR B OR C`).
fn flatten(parts: Vec<License>, or: bool) -> License {
    let mut merged = Vec::new();
    for part in parts {
        match part {
            License::Or(inner) if or => merged.extend(inner),
            License::And(inner) if !or => merged.extend(inner),
            part => merged.push(part),
        }
    }
    match (merged.len(), or) {
        (1, _) => merged.remove(0),
        (_, true) => License::Or(merged),
        (_, false) => License::And(merged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_parsed_with_spdx_precedence() {
        let l = License::parse("MIT OR Apache-2.0").unwrap();
        assert_eq!(l.expression(), "MIT OR Apache-2.0");
        assert_eq!(l.homebrew(), r#"any_of: ["MIT", "Apache-2.0"]"#);
        assert_eq!(l.scoop(), "MIT|Apache-2.0");

        let l = License::parse("MIT AND Zlib OR Apache-2.0").unwrap();
        assert_eq!(l.expression(), "(MIT AND Zlib) OR Apache-2.0");
        assert_eq!(
            l.homebrew(),
            r#"any_of: [{ all_of: ["MIT", "Zlib"] }, "Apache-2.0"]"#
        );
        assert_eq!(l.scoop(), "(MIT AND Zlib) OR Apache-2.0");

        let l = License::parse("(A OR B) OR C").unwrap();
        assert_eq!(
            l,
            License::Or(vec![
                License::Id("A".into()),
                License::Id("B".into()),
                License::Id("C".into())
            ])
        );

        let l = License::parse("GPL-2.0-only WITH Classpath-exception-2.0").unwrap();
        assert_eq!(
            l.homebrew(),
            r#""GPL-2.0-only" => { with: "Classpath-exception-2.0" }"#
        );
    }

    #[test]
    fn malformed_expressions_say_the_expected_form() {
        for bad in [
            "",
            "MIT/Apache-2.0",
            "MIT or Apache-2.0",
            "(MIT",
            "MIT OR",
            "MIT Apache-2.0",
            "MIT WITH",
        ] {
            let err = License::parse(bad).unwrap_err().to_string();
            assert!(err.contains("SPDX expression"), "{bad}: {err}");
        }
    }
}
