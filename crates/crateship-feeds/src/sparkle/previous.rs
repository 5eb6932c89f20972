//! Adding a release to an existing appcast: the previous file is read with quick-xml
//! only to find where its first `<item>` starts (or its `</channel>`), and the new
//! items are spliced in there as text. Every byte before and after the insertion is
//! the previous file's own, so older items (and their signatures) stay untouched.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{INDENT, SPARKLE_NAMESPACE, SparkleItem, ordered, render_item};
use crate::FeedError;

/// `previous` (the text of the appcast named `previous_name`, for messages) with
/// `items` inserted before its first item, in the order [`super::write_appcast`]
/// writes them. If `previous` does not declare the `sparkle` prefix, the declaration
/// is added to its `<rss>` tag.
pub fn prepend(
    previous_name: &str,
    previous: &str,
    items: &[SparkleItem],
) -> Result<String, FeedError> {
    let items = ordered(items)?;
    if items.is_empty() {
        return Err(FeedError::invalid(
            "appcast",
            "items",
            "",
            "there is nothing to add; pass the items of the new release",
        ));
    }
    let layout = Layout::read(previous_name, previous)?;
    if let Some(item) = items.iter().find(|i| layout.versions.contains(&i.version)) {
        return Err(FeedError::DuplicateRelease {
            name: previous_name.to_owned(),
            version: item.version.clone(),
        });
    }

    let (at, indent, prefix, suffix) = match layout.first_item {
        Some(at) => {
            let indent = line_indent(previous, at);
            let suffix = format!("\n{indent}");
            (at, indent, String::new(), suffix)
        }
        None => {
            let channel_indent = line_indent(previous, layout.channel_end);
            let step = step_of(&channel_indent, 1);
            let indent = format!("{channel_indent}{step}");
            (
                layout.channel_end,
                indent,
                step,
                format!("\n{channel_indent}"),
            )
        }
    };
    // Items sit two levels deep (rss > channel > item).
    let step = step_of(&indent, 2);
    let rendered: Vec<String> = items
        .iter()
        .map(|i| render_item(i, &indent, &step))
        .collect();

    let mut out = String::with_capacity(
        previous.len() + rendered.iter().map(String::len).sum::<usize>() + 128,
    );
    match layout.namespace_at {
        Some(ns) => {
            out.push_str(&previous[..ns]);
            out.push_str(&format!(" xmlns:sparkle=\"{SPARKLE_NAMESPACE}\""));
            out.push_str(&previous[ns..at]);
        }
        None => out.push_str(&previous[..at]),
    }
    out.push_str(&prefix);
    out.push_str(&rendered.join(&format!("\n{indent}")));
    out.push_str(&suffix);
    out.push_str(&previous[at..]);
    Ok(out)
}

/// Where things are in the previous appcast.
struct Layout {
    /// Where to add `xmlns:sparkle` (right after `<rss`), when it is not declared.
    namespace_at: Option<usize>,
    /// Start of the first `<item>` of the channel.
    first_item: Option<usize>,
    /// Start of `</channel>`.
    channel_end: usize,
    /// The `sparkle:version` of every item (element or enclosure attribute).
    versions: Vec<String>,
}

impl Layout {
    fn read(name: &str, text: &str) -> Result<Layout, FeedError> {
        let not_appcast = |reason: String| FeedError::NotAnAppcast {
            name: name.to_owned(),
            reason,
        };
        let mut reader = Reader::from_str(text);
        let mut stack: Vec<String> = Vec::new();
        let mut seen_root = false;
        let mut namespace_declared = false;
        let mut rss_name_end = None;
        let mut seen_channel = false;
        let mut first_item = None;
        let mut channel_end = None;
        let mut versions = Vec::new();
        loop {
            let at = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| {
                not_appcast(format!(
                    "it is not well-formed XML (at byte {}: {e})",
                    reader.error_position()
                ))
            })?;
            match event {
                Event::Eof => break,
                Event::Decl(decl) => {
                    if let Some(Ok(encoding)) = decl.encoding()
                        && !encoding.eq_ignore_ascii_case("utf-8")
                    {
                        return Err(not_appcast(format!(
                            "it declares encoding `{encoding}`; save it as UTF-8"
                        )));
                    }
                }
                Event::Start(ref tag) | Event::Empty(ref tag) => {
                    let is_empty = matches!(event, Event::Empty(_));
                    let tag_name = tag.name().as_ref().to_owned();
                    match stack.as_slice() {
                        [] => {
                            if seen_root {
                                return Err(not_appcast(
                                    "it has more than one root element".into(),
                                ));
                            }
                            seen_root = true;
                            if tag_name != "rss" {
                                return Err(not_appcast(format!(
                                    "its root element is <{tag_name}>, not <rss>"
                                )));
                            }
                            rss_name_end = Some(at + 1 + tag_name.len());
                            namespace_declared |= declares_sparkle(tag).map_err(not_appcast)?;
                        }
                        [rss] if rss == "rss" && tag_name == "channel" => {
                            if seen_channel {
                                return Err(not_appcast("it has more than one <channel>".into()));
                            }
                            if is_empty {
                                return Err(not_appcast("its <channel/> is empty".into()));
                            }
                            seen_channel = true;
                            namespace_declared |= declares_sparkle(tag).map_err(not_appcast)?;
                        }
                        [_, channel] if channel == "channel" && tag_name == "item" => {
                            first_item.get_or_insert(at);
                        }
                        [_, channel, item]
                            if channel == "channel"
                                && item == "item"
                                && tag_name == "enclosure" =>
                        {
                            versions.extend(attribute(tag, "sparkle:version"));
                        }
                        _ => {}
                    }
                    if !is_empty {
                        stack.push(tag_name);
                    }
                }
                Event::End(_) => {
                    let closed = stack.pop();
                    if closed.as_deref() == Some("channel") && stack.len() == 1 {
                        channel_end = Some(at);
                    }
                }
                Event::Text(ref body) => {
                    if let [_, channel, item, element] = stack.as_slice()
                        && channel == "channel"
                        && item == "item"
                        && element == "sparkle:version"
                    {
                        versions.push(body.xml10_content().trim().to_owned());
                    }
                }
                _ => {}
            }
        }
        if !seen_root {
            return Err(not_appcast("it has no root element".into()));
        }
        if let Some(open) = stack.last() {
            return Err(not_appcast(format!("it ends before <{open}> is closed")));
        }
        let Some(channel_end) = channel_end else {
            return Err(not_appcast("it has no <channel> inside <rss>".into()));
        };
        Ok(Layout {
            namespace_at: if namespace_declared {
                None
            } else {
                rss_name_end
            },
            first_item,
            channel_end,
            versions,
        })
    }
}

/// Whether `tag` binds the `sparkle` prefix; binding it to another namespace is an error.
fn declares_sparkle(tag: &BytesStart) -> Result<bool, String> {
    match attribute(tag, "xmlns:sparkle") {
        None => Ok(false),
        Some(ns) if ns == SPARKLE_NAMESPACE => Ok(true),
        Some(other) => Err(format!(
            "it binds the prefix `sparkle` to `{other}`, not to {SPARKLE_NAMESPACE}"
        )),
    }
}

/// The raw value of attribute `key` of `tag`, if present.
fn attribute(tag: &BytesStart, key: &str) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.into_owned())
}

/// The blanks between the start of `at`'s line and `at`, if nothing else is there.
fn line_indent(text: &str, at: usize) -> String {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..at];
    if before.chars().all(|c| c == ' ' || c == '\t') {
        before.to_owned()
    } else {
        String::new()
    }
}

/// One indentation level of a file whose element at `depth` is indented by
/// `indent`: `indent` split evenly when it is one repeated blank, else four spaces.
fn step_of(indent: &str, depth: usize) -> String {
    let mut blanks = indent.chars();
    match blanks.next() {
        Some(first) if indent.chars().all(|c| c == first) && indent.len().is_multiple_of(depth) => {
            first.to_string().repeat(indent.len() / depth)
        }
        _ => INDENT.to_owned(),
    }
}
