//! The source map: every file the loader read, its text, and spans into it.
//!
//! Owns: file identity and text, and turning character positions into byte
//! offsets and line/column pairs. No parsing and no I/O beyond what the caller
//! hands in.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span { file, start, end: end.max(start) }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// One file the loader read (or a synthetic source such as an env var).
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The name shown in diagnostics.
    pub name: String,
    pub text: Arc<String>,
    /// Byte offset of every character, present only for non-ASCII text.
    char_offsets: Option<Vec<usize>>,
}

impl SourceFile {
    fn new(path: PathBuf, name: String, text: String) -> Self {
        let char_offsets = if text.is_ascii() {
            None
        } else {
            let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            offsets.push(text.len());
            Some(offsets)
        };
        SourceFile { path, name, text: Arc::new(text), char_offsets }
    }

    /// Byte offset of the character at `index` (as the YAML scanner counts).
    pub fn byte_offset(&self, char_index: usize) -> usize {
        match &self.char_offsets {
            None => char_index.min(self.text.len()),
            Some(offsets) => offsets.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, byte)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// All files read while loading one project.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id. `name` is how diagnostics show it.
    pub fn add(&mut self, path: &Path, name: String, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(path.to_path_buf(), name, text));
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// `file:line:col` of a span's start.
    pub fn location(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, col) = file.line_col(span.start);
        format!("{}:{}:{}", file.name, line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("a.yaml"), "a.yaml".into(), "é: 1\nbé: x\n".into());
        let file = map.get(id);
        assert_eq!(file.byte_offset(7), 9);
        assert_eq!(file.line_col(9), (2, 3));
        assert_eq!(map.location(Span::new(id, 9, 10)), "a.yaml:2:3");
    }
}
