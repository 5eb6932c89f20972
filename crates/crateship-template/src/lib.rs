//! A deliberately tiny template language for the text files users may override
//! (`.desktop`, AppStream metainfo, Info.plist, a pkg's Distribution and
//! PackageInfo).
//!
//! `{{key}}` is replaced by its value. A line on which any placeholder expands to
//! the empty string is dropped, so optional fields need no conditionals
//! (`Keywords={{keywords}}` disappears when there are no keywords). Unknown
//! placeholders are an error that lists the known ones. Values are inserted
//! verbatim: callers escape them for the target syntax ([`xml_escape`] for XML).
#![deny(missing_docs)]

/// A template that cannot be filled.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The template names a placeholder crateship does not provide.
    #[error(
        "template `{template}` uses unknown placeholder `{{{{{placeholder}}}}}`; known placeholders: {known}"
    )]
    UnknownPlaceholder {
        /// The template's name (its file name or path).
        template: String,
        /// The unknown placeholder.
        placeholder: String,
        /// The placeholders that are available, comma-separated.
        known: String,
    },
}

/// A user's own template: where it came from (named in errors) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTemplate {
    /// The template's path as the user configured it.
    pub name: String,
    /// The template text.
    pub text: String,
}

/// Fills `template` (named `name` in errors) from `values`.
pub fn render(
    name: &str,
    template: &str,
    values: &[(&str, String)],
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() * 2);
    for line in template.split_inclusive('\n') {
        let mut rendered = String::with_capacity(line.len());
        let mut rest = line;
        let mut drop_line = false;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            let key = rest[start + 2..start + 2 + len].trim();
            let Some((_, value)) = values.iter().find(|(k, _)| *k == key) else {
                return Err(TemplateError::UnknownPlaceholder {
                    template: name.to_owned(),
                    placeholder: key.to_owned(),
                    known: values
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            drop_line |= value.is_empty();
            rendered.push_str(&rest[..start]);
            rendered.push_str(value);
            rest = &rest[start + 2 + len + 2..];
        }
        rendered.push_str(rest);
        if !drop_line {
            out.push_str(&rendered);
        }
    }
    Ok(out)
}

/// Escapes `s` for XML text and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_lines_with_empty_values() {
        let values = [("a", "x".to_owned()), ("b", String::new())];
        assert_eq!(
            render("t", "A={{a}}\nB={{ b }}\nC\n", &values).unwrap(),
            "A=x\nC\n"
        );
    }

    #[test]
    fn unknown_placeholder_is_an_error() {
        let err = render("t", "{{nope}}", &[("a", String::new())])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nope") && err.contains("known placeholders: a"),
            "{err}"
        );
    }

    #[test]
    fn escapes_xml_specials() {
        assert_eq!(xml_escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
