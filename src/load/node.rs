//! The untyped document tree every loading step works on.
//!
//! Owns: [`Node`], a YAML value that remembers where it came from (its span)
//! and the compose merge tags (`!reset`, `!override`). Interpolation, merging,
//! `extends` and `include` rewrite these trees; conversion to the typed model
//! reads them. No I/O.

use indexmap::IndexMap;

use super::source::Span;

/// Compose's merge tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// `!reset`: drop the value inherited from earlier files.
    Reset,
    /// `!override`: replace the inherited value instead of merging.
    Override,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub span: Span,
    pub tag: Option<Tag>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Map),
}

/// A scalar's text. `plain` scalars are typed by content (null, bool, number);
/// quoted and block scalars are always strings.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub plain: bool,
}

impl Scalar {
    /// True for a plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        self.plain && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// A mapping with string keys, in document order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    entries: IndexMap<String, Entry>,
}

impl Map {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.get(key).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.get_mut(key).map(|e| &mut e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Inserts or replaces, keeping the first position of an existing key.
    pub fn insert(&mut self, entry: Entry) {
        self.entries.insert(entry.key.clone(), entry);
    }

    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        self.entries.shift_remove(key)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Entry> {
        self.entries.values_mut()
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.keys()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn into_entries(self) -> impl Iterator<Item = Entry> {
        self.entries.into_values()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Entry) -> bool) {
        self.entries.retain(|_, e| keep(e));
    }
}

impl Node {
    pub fn scalar(text: impl Into<String>, span: Span) -> Node {
        Node { kind: Kind::Scalar(Scalar { text: text.into(), plain: false }), span, tag: None }
    }

    pub fn null(span: Span) -> Node {
        Node { kind: Kind::Scalar(Scalar { text: String::new(), plain: true }), span, tag: None }
    }

    pub fn map(map: Map, span: Span) -> Node {
        Node { kind: Kind::Map(map), span, tag: None }
    }

    pub fn seq(items: Vec<Node>, span: Span) -> Node {
        Node { kind: Kind::Seq(items), span, tag: None }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match &mut self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a non-null scalar.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().filter(|s| !s.is_null()).map(|s| s.text.as_str())
    }

    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// Follows map keys; `None` when a step is missing or not a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// Follows a path of map keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The same content, wherever it was written: spans and key order are
    /// not compared (a null equals any other spelling of null).
    pub fn same_as(&self, other: &Node) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Scalar(a), Kind::Scalar(b)) => (a.is_null() && b.is_null()) || (a.text == b.text && a.plain == b.plain),
            (Kind::Seq(a), Kind::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y)),
            (Kind::Map(a), Kind::Map(b)) => a.len() == b.len() && a.iter().all(|e| b.get(&e.key).is_some_and(|v| e.value.same_as(v))),
            _ => false,
        }
    }

    /// A short word for the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Map(_) => "a mapping",
            Kind::Seq(_) => "a list",
            Kind::Scalar(s) if s.is_null() => "null",
            Kind::Scalar(_) => "a scalar",
        }
    }

    /// Number of nodes in this tree (used for alias budgets).
    pub fn size(&self) -> usize {
        match &self.kind {
            Kind::Scalar(_) => 1,
            Kind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Kind::Map(m) => 1 + m.iter().map(|e| 1 + e.value.size()).sum::<usize>(),
        }
    }
}
