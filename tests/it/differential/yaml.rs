//! The generator's building blocks: a small seedable PRNG (splitmix64) and a
//! YAML tree with anchors, aliases and merge keys, written as block YAML
//! (sequences of mappings in flow style).

use std::fmt::Write;

/// splitmix64: deterministic, seedable, good enough to pick shapes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Up to `max` distinct items of `items`, in their order.
    pub fn some<T: Clone>(&mut self, items: &[T], max: usize) -> Vec<T> {
        let n = 1 + self.below(max.min(items.len()).max(1));
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < n.min(items.len()) {
            let i = self.below(items.len());
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        chosen.sort_unstable();
        chosen.into_iter().map(|i| items[i].clone()).collect()
    }
}

/// A YAML node.
#[derive(Clone, Debug)]
pub enum Y {
    /// A string, written double-quoted.
    S(String),
    /// A scalar written as is (numbers, booleans, plain words).
    P(String),
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
    /// `&name` on a node.
    Anchor(String, Box<Y>),
    /// `*name`.
    Alias(String),
}

pub fn s(text: impl Into<String>) -> Y {
    Y::S(text.into())
}

pub fn p(text: impl std::fmt::Display) -> Y {
    Y::P(text.to_string())
}

pub fn seq<T: Into<String> + Clone>(items: &[T]) -> Y {
    Y::Seq(items.iter().map(|i| Y::S(i.clone().into())).collect())
}

/// A mapping builder.
#[derive(Default, Clone, Debug)]
pub struct M(pub Vec<(String, Y)>);

impl M {
    pub fn new() -> M {
        M(Vec::new())
    }

    pub fn set(&mut self, key: &str, value: Y) -> &mut M {
        self.0.retain(|(k, _)| k != key);
        self.0.push((key.to_string(), value));
        self
    }

    pub fn with(mut self, key: &str, value: Y) -> M {
        self.set(key, value);
        self
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    pub fn y(self) -> Y {
        Y::Map(self.0)
    }
}

fn key(k: &str) -> String {
    if k == "<<" || (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c))) {
        k.to_string()
    } else {
        serde_json::to_string(k).unwrap()
    }
}

fn flow(y: &Y, out: &mut String) {
    match y {
        Y::S(t) => out.push_str(&serde_json::to_string(t).unwrap()),
        Y::P(t) => out.push_str(t),
        Y::Alias(a) => write!(out, "*{a}").unwrap(),
        Y::Anchor(a, inner) => {
            write!(out, "&{a} ").unwrap();
            flow(inner, out);
        }
        Y::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write!(out, "{}: ", key(k)).unwrap();
                flow(v, out);
            }
            out.push('}');
        }
        Y::Seq(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(v, out);
            }
            out.push(']');
        }
    }
}

/// Writes `y` as the value after `key:` (or a document, at indent 0).
fn block(y: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match y {
        Y::Map(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                write!(out, "{pad}{}:", key(k)).unwrap();
                value(v, indent, out);
            }
        }
        Y::Seq(items) if !items.is_empty() => {
            for v in items {
                write!(out, "{pad}- ").unwrap();
                flow(v, out);
                out.push('\n');
            }
        }
        other => {
            out.push_str(&pad);
            flow(other, out);
            out.push('\n');
        }
    }
}

fn value(v: &Y, indent: usize, out: &mut String) {
    match v {
        Y::Map(e) if !e.is_empty() => {
            out.push('\n');
            block(v, indent + 2, out);
        }
        Y::Seq(e) if !e.is_empty() => {
            out.push('\n');
            block(v, indent + 2, out);
        }
        Y::Anchor(a, inner) if matches!(&**inner, Y::Map(e) if !e.is_empty()) => {
            write!(out, " &{a}").unwrap();
            value(inner, indent, out);
        }
        other => {
            out.push(' ');
            flow(other, out);
            out.push('\n');
        }
    }
}

/// The YAML text of a document.
pub fn to_text(y: &Y) -> String {
    let mut out = String::new();
    block(y, 0, &mut out);
    out
}
