//! A deliberately tiny template language for the text files users may override
//! (`.desktop`, AppStream metainfo, Info.plist, a pkg's Distribution and
//! PackageInfo).
//!
//! `{{key}}` is replaced by its value. A line on which any placeholder expands to
//! the empty string is dropped, so optional fields need no conditionals
//! (`Keywords={{keywords}}` disappears when there are no keywords). Unknown
//! placeholders are an error that lists the known ones, and so is a `{{` that
//! is not closed by `}}` on the same line (a typo that would otherwise ship
//! literally). Values are inserted verbatim: callers escape them for the target
//! syntax ([`xml_escape`] for XML).
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
    /// A `{{` has no `}}` after it on its line.
    #[error(
        "template `{template}` line {line}: `{{{{` is not closed by `}}}}` on the same line; \
         write the placeholder as `{{{{name}}}}`"
    )]
    Unclosed {
        /// The template's name (its file name or path).
        template: String,
        /// The 1-based line number.
        line: usize,
    },
    /// A filled XML template is not well-formed XML.
    #[error(
        "template `{template}`: the filled template is not well-formed XML: {reason}; fix the \
         markup (placeholder values are escaped, so the template itself is at fault)"
    )]
    NotWellFormed {
        /// The template's name (its file name or path).
        template: String,
        /// What the parser found, and where.
        reason: String,
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
    for (index, line) in template.split_inclusive('\n').enumerate() {
        let mut rendered = String::with_capacity(line.len());
        let mut rest = line;
        let mut drop_line = false;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                return Err(TemplateError::Unclosed {
                    template: name.to_owned(),
                    line: index + 1,
                });
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

/// Checks that `xml` (a filled template named `name`) is well-formed XML with
/// one root element, every element closed, and returns the root's name.
pub fn check_xml(name: &str, xml: &str) -> Result<String, TemplateError> {
    use quick_xml::events::Event;
    let bad = |reason: String| TemplateError::NotWellFormed {
        template: name.to_owned(),
        reason,
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut open: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| bad(format!("at byte {at}: {e}")))?;
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => Some(e.name().into_inner().to_owned()),
            _ => None,
        };
        if let Some(element) = &element {
            if open.is_empty() && root.is_some() {
                return Err(bad(format!(
                    "at byte {at}: a second root element `<{element}>`; keep one root"
                )));
            }
            root.get_or_insert_with(|| element.clone());
        }
        match event {
            Event::Start(_) => open.extend(element),
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) if open.is_empty() && !t.as_ref().trim().is_empty() => {
                return Err(bad(format!("at byte {at}: text outside the root element")));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(unclosed) = open.last() {
        return Err(bad(format!(
            "`<{unclosed}>` is never closed; add `</{unclosed}>`"
        )));
    }
    root.ok_or_else(|| bad("it has no root element".into()))
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
    fn an_unclosed_placeholder_names_its_line() {
        let err = render("t.desktop", "A={{a}}\nB={{a\n", &[("a", "x".to_owned())])
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.desktop") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn xml_must_be_closed_and_have_one_root() {
        assert_eq!(
            check_xml("t", "<?xml version=\"1.0\"?>\n<a><b/></a>\n").unwrap(),
            "a"
        );
        for (xml, needle) in [
            ("<a><b></a>", "at byte"),
            ("<a>", "`<a>` is never closed"),
            ("<a/><b/>", "second root"),
            ("", "no root element"),
            ("<a/>text", "text outside"),
        ] {
            let err = check_xml("t.xml", xml).unwrap_err().to_string();
            assert!(
                err.contains("t.xml") && err.contains(needle),
                "{xml}: {err}"
            );
        }
    }

    #[test]
    fn escapes_xml_specials() {
        assert_eq!(xml_escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
