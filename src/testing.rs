//! Helpers for the unit tests that drive operations through the in-memory
//! engine: projects loaded from YAML text, an engine holding their images,
//! and reading its call log.

use crate::engine::fake::FakeEngine;
use crate::model::Project;
use crate::reconcile::plan::image_ref;

/// Loads a compose file written into a fresh folder, as project `demo`.
pub fn load(yaml: &str) -> Project {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("compose.yaml");
    std::fs::write(&file, yaml).expect("write compose file");
    let opts = crate::load::LoadOptions { files: vec![file], project_name: Some("demo".into()), cwd: dir.path().to_path_buf(), ..Default::default() };
    crate::load::load(&opts).expect("the test's compose file loads").project
}

/// An engine that has every image the project names.
pub fn engine_for(project: &Project) -> FakeEngine {
    let engine = FakeEngine::new();
    for (name, service) in &project.services {
        engine.add_image(&image_ref(project, name, service));
    }
    engine
}

pub fn images(project: &Project) -> Vec<String> {
    project.services.iter().map(|(n, s)| image_ref(project, n, s)).collect()
}

/// Position of a call in the engine's log; fails the test when absent.
pub fn at(calls: &[String], call: &str) -> usize {
    calls.iter().position(|c| c == call).unwrap_or_else(|| panic!("no call `{call}` in {calls:#?}"))
}
