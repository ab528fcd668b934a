//! Files docker compose v2 loads in its own particular way: each test holds
//! what `docker compose config --format json` (v2.40.3) printed for the same
//! project, with the project folder written `@DIR@`.

use serde_json::{json, Value};

use crate::support::{load_dir, project, rcompose};

/// `config --format json` of a project made of `files`, as a JSON value
/// with the project folder replaced by `@DIR@`.
fn config(files: &[(&str, &str)], env: &[(&str, &str)]) -> Value {
    let dir = project(files);
    let loaded = load_dir(dir.path(), env).unwrap_or_else(|f| panic!("{}", crate::support::rendered(&f)));
    let text = rcompose::render::config_json(&loaded.project).replace(dir.path().to_str().unwrap(), "@DIR@");
    serde_json::from_str(&text).unwrap()
}

/// The exit code and stderr of `rcompose config` on a project made of `files`.
fn config_fails(files: &[(&str, &str)]) -> (i32, String) {
    let dir = project(files);
    let out = rcompose(dir.path(), &["config", "--format", "json"], &[]);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn env_file_formats_and_dotenv_values() {
    let compose = "services:\n  app:\n    image: ${IMAGE}\n    environment:\n      GREETING: ${GREETING}\n    env_file:\n      - path: raw.env\n        format: raw\n      - path: plain.env\n";
    let got = config(
        &[
            ("compose.yaml", compose),
            (".env", "IMAGE=default_env:${TAG:-fallback}\nGREETING=Env File\n"),
            (
                "raw.env",
                "RAW1=\"quoted value\"\nRAW2='single'\nRAW3=with ${VAR} and # not comment\nRAW4=  spaced  \n# comment\n  RAW10=a=b\n\nRAW11='unclosed\nRAW12\n",
            ),
            ("plain.env", "P1=\"a b\"\nP2=x y # c\n"),
        ],
        &[],
    );
    let app = &got["services"]["app"];
    assert_eq!(app["image"], json!("default_env:fallback"));
    assert_eq!(
        app["environment"],
        json!({
            "GREETING": "Env File", "P1": "a b", "P2": "x y", "RAW1": "\"quoted value\"", "RAW10": "a=b",
            "RAW11": "'unclosed", "RAW2": "'single'", "RAW3": "with $${VAR} and # not comment", "RAW4": "  spaced  "
        })
    );
    let (code, err) = config_fails(&[("compose.yaml", compose), ("raw.env", "export A=1\n"), ("plain.env", "")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("raw.env") && err.contains("whitespace"), "{err}");
}
