//! Build contexts: a folder as the tar stream the engine builds from,
//! honouring `.dockerignore` the way the docker CLI does.
//!
//! Owns: reading `.dockerignore` (globs with `**`, `!` exceptions, the last
//! matching line wins, a match on a folder covers what is inside it) and
//! writing the tar. The Dockerfile and `.dockerignore` are always sent, as
//! the engine needs them. Reads files; no engine calls.

use std::path::{Component, Path, PathBuf};

use globset::GlobMatcher;

/// One `.dockerignore` line.
struct Rule {
    matcher: GlobMatcher,
    exception: bool,
}

/// The parsed `.dockerignore` of a context.
pub struct DockerIgnore {
    rules: Vec<Rule>,
}

impl DockerIgnore {
    pub fn parse(text: &str) -> Result<DockerIgnore, String> {
        let mut rules = Vec::new();
        for raw in text.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exception, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let cleaned = clean_pattern(pattern);
            if cleaned.is_empty() {
                continue;
            }
            let glob = globset::GlobBuilder::new(&cleaned)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("bad .dockerignore pattern `{line}`: {e}"))?;
            rules.push(Rule { matcher: glob.compile_matcher(), exception });
        }
        Ok(DockerIgnore { rules })
    }

    pub fn empty() -> DockerIgnore {
        DockerIgnore { rules: Vec::new() }
    }

    /// Whether `rel` (a path relative to the context, `/`-separated) is left out.
    pub fn excludes(&self, rel: &str) -> bool {
        let mut excluded = false;
        for rule in &self.rules {
            if matches_self_or_parent(&rule.matcher, rel) {
                excluded = !rule.exception;
            }
        }
        excluded
    }

    /// Whether a folder may be skipped whole: excluded, and no exception
    /// could bring back something inside it.
    pub fn prunes(&self, rel: &str) -> bool {
        self.excludes(rel) && !self.rules.iter().any(|r| r.exception)
    }
}

fn clean_pattern(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.trim_start_matches('/').split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn matches_self_or_parent(m: &GlobMatcher, rel: &str) -> bool {
    if m.is_match(rel) {
        return true;
    }
    let mut prefix = String::new();
    for part in rel.split('/') {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        if prefix.len() < rel.len() && m.is_match(&prefix) {
            return true;
        }
    }
    false
}

/// Writes the build context of `dir` as a tar. `inline` adds a Dockerfile
/// under `inline_name` (for `dockerfile_inline`).
pub fn tar_context(dir: &Path, dockerfile: &str, inline: Option<(&str, &str)>) -> Result<Vec<u8>, String> {
    let ignore = match std::fs::read_to_string(dir.join(".dockerignore")) {
        Ok(text) => DockerIgnore::parse(&text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DockerIgnore::empty(),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.join(".dockerignore").display())),
    };
    let always: Vec<String> = vec![normalize_rel(dockerfile), ".dockerignore".into()];
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    builder.mode(tar::HeaderMode::Deterministic);
    let mut stack: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(rel_dir) = stack.pop() {
        let abs = dir.join(&rel_dir);
        let mut entries: Vec<_> = std::fs::read_dir(&abs)
            .map_err(|e| format!("cannot read {}: {e}", abs.display()))?
            .collect::<Result<_, _>>()
            .map_err(|e| format!("cannot read {}: {e}", abs.display()))?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let rel = rel_dir.join(entry.file_name());
            let rel_str = rel.to_string_lossy().replace('\\', "/");
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            if kind.is_dir() {
                if ignore.prunes(&rel_str) {
                    continue;
                }
                if !ignore.excludes(&rel_str) {
                    builder.append_dir(&rel, entry.path()).map_err(|e| format!("cannot add {rel_str}: {e}"))?;
                }
                stack.push(rel);
            } else if !ignore.excludes(&rel_str) || always.contains(&rel_str) {
                builder.append_path_with_name(entry.path(), &rel).map_err(|e| format!("cannot add {rel_str}: {e}"))?;
            }
        }
    }
    if let Some((name, text)) = inline {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, text.as_bytes()).map_err(|e| e.to_string())?;
    }
    builder.into_inner().map_err(|e| e.to_string())
}

fn normalize_rel(p: &str) -> String {
    Path::new(p).components().filter(|c| matches!(c, Component::Normal(_))).map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(tar_bytes: &[u8]) -> Vec<String> {
        let mut a = tar::Archive::new(tar_bytes);
        let mut v: Vec<String> = a.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().trim_end_matches('/').to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn dockerignore_rules() {
        let ig = DockerIgnore::parse("# comment\nnode_modules\n*.log\n!keep.log\n**/secret*\n/build/\ntemp?\n").unwrap();
        assert!(ig.excludes("node_modules"));
        assert!(ig.excludes("node_modules/x/y.js"));
        assert!(ig.excludes("app.log"));
        assert!(!ig.excludes("keep.log"));
        assert!(!ig.excludes("sub/app.log"), "* does not cross folders");
        assert!(ig.excludes("a/b/secret.txt"));
        assert!(ig.excludes("secret.txt"));
        assert!(ig.excludes("build/out.o"));
        assert!(ig.excludes("temp1"));
        assert!(!ig.excludes("src/main.rs"));
    }

    #[test]
    fn tar_honours_dockerignore_but_keeps_dockerfile() {
        let dir = tempfile::tempdir().unwrap();
        for (p, t) in [
            ("Dockerfile", "FROM x\n"),
            (".dockerignore", "*.secret\nDockerfile\ncache\n"),
            ("app.py", "print(1)\n"),
            ("a.secret", "no"),
            ("cache/big", "no"),
            ("src/lib.py", ""),
        ] {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        let bytes = tar_context(dir.path(), "Dockerfile", Some(("inline.Dockerfile", "FROM y\n"))).unwrap();
        assert_eq!(names(&bytes), vec![".dockerignore", "Dockerfile", "app.py", "inline.Dockerfile", "src", "src/lib.py"]);
    }
}
