//! YAML text to [`Node`] trees, with spans, anchors, merge keys and budgets.
//!
//! Owns: driving the `saphyr-parser` event stream, resolving aliases and
//! `<<` merge keys, reading compose's `!reset`/`!override` tags, and refusing
//! input that would blow up (alias bombs, deep nesting). No I/O.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::node::{Entry, Kind, Map, Node, Scalar, Tag};
use super::source::{FileId, SourceFile, Span};
use crate::diag::Problem;

/// Nodes a document may hold after aliases are expanded.
pub const MAX_NODES: usize = 1_000_000;
/// How deep collections may nest.
pub const MAX_DEPTH: usize = 128;

/// Parses every document in `file`. An empty stream gives no documents.
pub fn parse(id: FileId, file: &SourceFile) -> Result<Vec<Node>, Problem> {
    Builder::new(id, file).run()
}

enum Frame {
    Seq { items: Vec<Node>, start: usize, anchor: usize, tag: Option<Tag> },
    Map { map: Map, merges: Vec<Node>, key: Option<(String, Span)>, start: usize, anchor: usize, tag: Option<Tag> },
}

struct Builder<'a> {
    id: FileId,
    file: &'a SourceFile,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    docs: Vec<Node>,
}

impl<'a> Builder<'a> {
    fn new(id: FileId, file: &'a SourceFile) -> Self {
        Builder { id, file, stack: Vec::new(), anchors: HashMap::new(), nodes: 0, docs: Vec::new() }
    }

    fn span(&self, start_char: usize, end_char: usize) -> Span {
        Span::new(self.id, self.file.byte_offset(start_char), self.file.byte_offset(end_char))
    }

    fn run(mut self) -> Result<Vec<Node>, Problem> {
        let mut parser = Parser::new_from_str(&self.file.text);
        let mut in_doc_without_root = false;
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| {
                let at = e.marker().index();
                if e.info().contains("recursion limit") {
                    return Problem::new("rcompose::yaml_too_deep", format!("values nest deeper than the YAML reader allows ({})", e.info()))
                        .at(self.span(at, at + 1))
                        .help("compose files never need this depth; check the file was generated correctly");
                }
                Problem::new("rcompose::yaml_syntax", format!("invalid YAML: {}", e.info()))
                    .at(self.span(at, at + 1))
                    .label("here")
                    .help("check the indentation and quoting around this position")
            })?;
            let (s, e) = (span.start.index(), span.end.index());
            match event {
                Event::DocumentStart(_) => in_doc_without_root = true,
                Event::DocumentEnd => {
                    if in_doc_without_root && self.docs.is_empty() {
                        // `---` with nothing after it: an empty document.
                    }
                    in_doc_without_root = false;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let plain = style == ScalarStyle::Plain;
                    let (tag, forced_str) = self.read_tag(tag.as_deref(), s)?;
                    let node = Node { kind: Kind::Scalar(Scalar { text: text.into_owned(), plain: plain && !forced_str }), span: self.span(s, e), tag };
                    self.finish(node, anchor, &mut in_doc_without_root)?;
                }
                Event::Alias(id) => {
                    let Some(target) = self.anchors.get(&id) else {
                        return Err(Problem::new("rcompose::yaml_alias", "alias to an unknown anchor").at(self.span(s, e)));
                    };
                    let mut node = target.clone();
                    self.count(node.size(), s, e)?;
                    node.span = self.span(s, e);
                    self.finish(node, 0, &mut in_doc_without_root)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    let (tag, _) = self.read_tag(tag.as_deref(), s)?;
                    self.open(Frame::Seq { items: Vec::new(), start: s, anchor, tag }, s, e)?;
                }
                Event::MappingStart(anchor, tag) => {
                    let (tag, _) = self.read_tag(tag.as_deref(), s)?;
                    let frame = Frame::Map { map: Map::new(), merges: Vec::new(), key: None, start: s, anchor, tag };
                    self.open(frame, s, e)?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let frame = self.stack.pop().expect("parser balances collections");
                    let (node, anchor) = self.close(frame, e)?;
                    self.finish(node, anchor, &mut in_doc_without_root)?;
                }
                Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            }
        }
        Ok(self.docs)
    }

    fn read_tag(&self, tag: Option<&saphyr_parser::Tag>, at: usize) -> Result<(Option<Tag>, bool), Problem> {
        let Some(tag) = tag else { return Ok((None, false)) };
        match (tag.handle.as_str(), tag.suffix.as_str()) {
            ("!", "reset") => Ok((Some(Tag::Reset), false)),
            ("!", "override") => Ok((Some(Tag::Override), false)),
            ("tag:yaml.org,2002:", "str") | ("!!", "str") => Ok((None, true)),
            ("tag:yaml.org,2002:", _) | ("!!", _) => Ok((None, false)),
            (handle, suffix) => Err(Problem::new("rcompose::yaml_tag", format!("unsupported YAML tag `{handle}{suffix}`"))
                .at(self.span(at, at + handle.len() + suffix.len()))
                .help("compose files accept only the `!reset` and `!override` tags")),
        }
    }

    fn count(&mut self, n: usize, s: usize, e: usize) -> Result<(), Problem> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(Problem::new("rcompose::yaml_too_large", format!("the document expands to more than {MAX_NODES} values"))
                .at(self.span(s, e))
                .label("expanding this alias crossed the limit")
                .help("this looks like an alias bomb; write the values out instead of nesting aliases"));
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, s: usize, e: usize) -> Result<(), Problem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Problem::new("rcompose::yaml_too_deep", format!("values nest deeper than {MAX_DEPTH} levels"))
                .at(self.span(s, e.max(s + 1)))
                .help("compose files never need this depth; check the file was generated correctly"));
        }
        self.count(1, s, e)?;
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, frame: Frame, end: usize) -> Result<(Node, usize), Problem> {
        match frame {
            Frame::Seq { items, start, anchor, tag } => Ok((Node { kind: Kind::Seq(items), span: self.span(start, end), tag }, anchor)),
            Frame::Map { mut map, merges, start, anchor, tag, .. } => {
                for merged in merges {
                    self.apply_merge(&mut map, merged)?;
                }
                Ok((Node { kind: Kind::Map(map), span: self.span(start, end), tag }, anchor))
            }
        }
    }

    /// `<<: *a` or `<<: [*a, *b]`: keys not already present are copied in;
    /// earlier sources win over later ones.
    fn apply_merge(&self, map: &mut Map, merged: Node) -> Result<(), Problem> {
        let sources = match merged.kind {
            Kind::Map(m) => vec![m],
            Kind::Seq(items) => {
                let mut maps = Vec::new();
                for item in items {
                    match item.kind {
                        Kind::Map(m) => maps.push(m),
                        _ => return Err(merge_error(item.span)),
                    }
                }
                maps
            }
            Kind::Scalar(_) => return Err(merge_error(merged.span)),
        };
        for source in sources {
            for entry in source.into_entries() {
                if !map.contains_key(&entry.key) {
                    map.insert(entry);
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize, in_doc: &mut bool) -> Result<(), Problem> {
        if !matches!(node.kind, Kind::Seq(_) | Kind::Map(_)) {
            self.count(1, 0, 0).map_err(|p| p.at(node.span))?;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let id = self.id;
        let _ = id;
        match self.stack.last_mut() {
            None => {
                self.docs.push(node);
                *in_doc = false;
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { map, merges, key, .. }) => match key.take() {
                None => {
                    let Kind::Scalar(scalar) = node.kind else {
                        return Err(Problem::new("rcompose::yaml_key", "mapping keys must be plain strings")
                            .at(node.span)
                            .help("compose files use text keys only"));
                    };
                    *key = Some((scalar.text, node.span));
                }
                Some((k, key_span)) => {
                    if k == "<<" {
                        merges.push(node);
                    } else if map.contains_key(&k) {
                        return Err(Problem::new("rcompose::duplicate_key", format!("duplicate key `{k}`"))
                            .at(key_span)
                            .label("defined again here")
                            .help("each key may appear once in a mapping; remove or rename one"));
                    } else {
                        map.insert(Entry { key: k, key_span, value: node });
                    }
                }
            },
        }
        Ok(())
    }
}

fn merge_error(span: Span) -> Problem {
    Problem::new("rcompose::yaml_merge", "a `<<` merge key takes a mapping or a list of mappings")
        .at(span)
        .help("write `<<: *anchor` where the anchor names a mapping")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::SourceMap;
    use std::path::Path;

    fn parse_str(text: &str) -> Result<Vec<Node>, Problem> {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("t.yaml"), "t.yaml".into(), text.into());
        parse(id, map.get(id))
    }

    #[test]
    fn merge_keys_keep_explicit_values() {
        let docs = parse_str("base: &b {a: 1, b: 2}\nx:\n  b: 3\n  <<: *b\n").unwrap();
        let x = docs[0].get("x").unwrap().as_map().unwrap();
        assert_eq!(x.get("a").unwrap().as_str(), Some("1"));
        assert_eq!(x.get("b").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn merge_list_prefers_first_source() {
        let docs = parse_str("a: &a {k: 1}\nb: &b {k: 2, j: 3}\nc:\n  <<: [*a, *b]\n").unwrap();
        let c = docs[0].get("c").unwrap();
        assert_eq!(c.get("k").unwrap().as_str(), Some("1"));
        assert_eq!(c.get("j").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn tags_are_read() {
        let docs = parse_str("ports: !reset []\nenv: !override {A: 1}\n").unwrap();
        assert_eq!(docs[0].get("ports").unwrap().tag, Some(Tag::Reset));
        assert_eq!(docs[0].get("env").unwrap().tag, Some(Tag::Override));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let err = parse_str(&text).unwrap_err();
        assert_eq!(err.code, "rcompose::yaml_too_large");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let err = parse_str(&text).unwrap_err();
        assert!(err.code == "rcompose::yaml_too_deep" || err.code == "rcompose::yaml_syntax", "{err:?}");
    }

    #[test]
    fn duplicate_keys_are_refused_with_span() {
        let err = parse_str("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.code, "rcompose::duplicate_key");
        assert_eq!(err.span.unwrap().start, 5);
    }

    #[test]
    fn quoted_scalars_are_not_plain() {
        let docs = parse_str("a: '1'\nb: 1\nc: !!str 2\n").unwrap();
        assert!(!docs[0].get("a").unwrap().as_scalar().unwrap().plain);
        assert!(docs[0].get("b").unwrap().as_scalar().unwrap().plain);
        assert!(!docs[0].get("c").unwrap().as_scalar().unwrap().plain);
    }
}
