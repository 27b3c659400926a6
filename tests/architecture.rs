//! Layering check: reads every `src/**/*.rs` of the library, collects the `crate::<module>`
//! paths each top-level module uses, and holds them to the layer table of
//! `docs/architecture.md`:
//!
//! - foundation (`model`, `ids`, `http`, `config`, …) uses only foundation;
//! - domain modules (`spotify`, `enrich`, `export`, `archive`, …) use foundation and other
//!   domain modules, never `app`, `commands`, `cli`, `demo` or `error`;
//! - `demo` and `error` use nothing above them; `app` never uses `commands` or `cli`;
//! - no import cycle between top-level modules, nor between the children of one top-level
//!   module, except the ones listed (with the reason) in `ALLOWED_CYCLES`.
//!
//! Run it alone with `cargo test --locked --test architecture`; `ARCHITECTURE_SRC=DIR` checks
//! another source tree instead (for example an older commit's `src`, extracted with `git archive`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules every other module may build on: data types, plumbing, settings.
const FOUNDATION: &[&str] = &[
    "config",
    "disk_error",
    "fsutil",
    "html",
    "http",
    "ids",
    "model",
    "musicbrainz_host",
    "progress",
    "settings_ranges",
    "terminal_text",
    "wait",
];
/// Modules that transform data or talk to one service each.
const DOMAIN: &[&str] = &[
    "archive",
    "enrich",
    "export",
    "history",
    "import",
    "listenbrainz",
    "local_library",
    "report",
    "restore",
    "spotify",
];
/// What no foundation or domain module may use.
const ABOVE_DOMAIN: &[&str] = &["app", "cli", "commands", "demo", "error"];

/// Cycles that are allowed, as (a, b) pairs of modules using each other, with the reason.
const ALLOWED_CYCLES: &[(&str, &str, &str)] = &[(
    "config",
    "settings_ranges",
    "settings_ranges is config's table of allowed ranges in its own file: config calls its \
     check, it returns config's error type",
)];

/// Files of the binary, not the library (`crate::` there means the binary crate).
const BINARY_FILES: &[&str] = &["main.rs", "terminal_progress.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments (doc links name modules without using them).
fn code_of(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        let line = match line.find("//") {
            // Keep `http://` inside string literals intact enough: only cut a comment that
            // starts the line or follows whitespace.
            Some(i) if i == 0 || line[..i].ends_with(char::is_whitespace) => &line[..i],
            _ => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    code
}

fn ident_at(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The first path segment after each `prefix` (`crate::`, `super::`), expanding `{a, b::c}`.
fn segments_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        // `super::super::x` is handled by the caller's prefix; skip matches inside identifiers.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => {
                        items.push(std::mem::take(&mut item));
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    items.push(std::mem::take(&mut item));
                    break;
                }
                if depth == 1 {
                    item.push(c);
                } else if depth > 1 && !item.contains('{') {
                    item.push('{');
                }
            }
            for item in items {
                let name = ident_at(&item);
                if !name.is_empty() && name != "self" {
                    found.insert(name);
                }
            }
        } else {
            let name = ident_at(rest);
            if !name.is_empty() && name != "super" {
                found.insert(name);
            }
        }
    }
    found
}

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// `top-level module → used top-level module → files`, and per top-level module the same
/// among its children.
fn graphs() -> (Graph, BTreeMap<String, Graph>) {
    // ARCHITECTURE_SRC checks another tree (e.g. an older commit's `src`, extracted).
    let src = match std::env::var_os("ARCHITECTURE_SRC") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
    };
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut top: Graph = BTreeMap::new();
    let mut inner: BTreeMap<String, Graph> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if parts.len() == 1 && BINARY_FILES.contains(&rel.to_str().unwrap()) || parts == ["lib"] {
            continue;
        }
        let module = parts[0].clone();
        let shown = rel.display().to_string();
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let node = top.entry(module.clone()).or_default();
        for used in segments_after(&code, "crate::") {
            if used != module {
                node.entry(used).or_default().insert(shown.clone());
            }
        }
        // The child of `module` this file belongs to, and how it names its siblings.
        let (child, sibling_prefix) = match parts.len() {
            1 => continue,
            2 if parts[1] == "mod" => continue,
            2 => (parts[1].clone(), "super::"),
            3 if parts[2] == "mod" => (parts[1].clone(), "super::"),
            3 => (parts[1].clone(), "super::super::"),
            _ => continue,
        };
        let own = format!("crate::{module}::");
        let mut siblings = segments_after(&code, sibling_prefix);
        siblings.extend(segments_after(&code, &own));
        let graph = inner.entry(module.clone()).or_default();
        let node = graph.entry(child.clone()).or_default();
        for used in siblings {
            if used != child {
                node.entry(used).or_default().insert(shown.clone());
            }
        }
    }
    (top, inner)
}

fn allowed_cycle(a: &str, b: &str) -> bool {
    ALLOWED_CYCLES
        .iter()
        .any(|(x, y, _)| (*x == a && *y == b) || (*x == b && *y == a))
}

/// Every cycle, as the list of modules around it (found by a depth-first search over the
/// graph's edges; each strongly connected pair is reported once through its two edges).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    fn reach(graph: &Graph, from: &str, to: &str, path: &mut Vec<String>) -> bool {
        if path.iter().any(|p| p == from) {
            return false;
        }
        path.push(from.to_string());
        if from == to && path.len() > 1 {
            return true;
        }
        if let Some(next) = graph.get(from) {
            for n in next.keys() {
                if n == to {
                    path.push(n.clone());
                    return true;
                }
                if reach(graph, n, to, path) {
                    return true;
                }
            }
        }
        path.pop();
        false
    }
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for (a, uses) in graph {
        for b in uses.keys() {
            if !graph.contains_key(b) || allowed_cycle(a, b) {
                continue;
            }
            let mut path = vec![a.clone()];
            if reach(graph, b, a, &mut path) {
                let key: BTreeSet<String> = path.iter().cloned().collect();
                if seen.insert(key) {
                    found.push(path);
                }
            }
        }
    }
    found
}

#[test]
fn domain_and_foundation_never_use_the_layers_above() {
    let (top, _) = graphs();
    let mut wrong = Vec::new();
    for (module, uses) in &top {
        let m = module.as_str();
        let forbidden: Vec<&str> = if FOUNDATION.contains(&m) {
            DOMAIN.iter().chain(ABOVE_DOMAIN).copied().collect()
        } else if DOMAIN.contains(&m) {
            ABOVE_DOMAIN.to_vec()
        } else if m == "demo" || m == "error" {
            vec!["app", "cli", "commands"]
        } else if m == "app" {
            vec!["cli", "commands"]
        } else {
            continue;
        };
        for (used, files) in uses {
            if forbidden.contains(&used.as_str()) {
                wrong.push(format!("{module} uses {used} in {files:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "upward imports:\n{}", wrong.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let (top, _) = graphs();
    let known: Vec<&str> = FOUNDATION
        .iter()
        .chain(DOMAIN)
        .chain(ABOVE_DOMAIN)
        .copied()
        .collect();
    let unknown: Vec<&String> = top
        .keys()
        .filter(|m| !known.contains(&m.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "give these modules a layer in tests/architecture.rs and docs/architecture.md: {unknown:?}"
    );
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let (top, _) = graphs();
    let found = cycles(&top);
    assert!(found.is_empty(), "import cycles: {found:?}\n{top:#?}");
}

#[test]
fn no_import_cycle_inside_a_top_level_module() {
    let (_, inner) = graphs();
    let mut found = Vec::new();
    for (module, graph) in &inner {
        for cycle in cycles(graph) {
            found.push(format!("{module}: {}", cycle.join(" → ")));
        }
    }
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

#[test]
fn the_scanner_sees_every_form_of_a_crate_path() {
    let code = code_of(
        "use crate::cli::GlobalArgs;\n\
         use crate::{\n    error::Result,\n    demo::{a, b},\n    self as me,\n};\n\
         fn f() { crate::app::run(); let url = \"http://x\"; }\n\
         //! a doc link to [`crate::commands`] is not a use\n\
         let x = 1; // nor is crate::history in a comment\n\
         mycrate::spotify::x();\n",
    );
    let found = segments_after(&code, "crate::");
    let expected: BTreeSet<String> = ["app", "cli", "demo", "error"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, expected);
    let nested = segments_after("use super::super::{links, run::Run};", "super::super::");
    assert_eq!(
        nested,
        ["links", "run"].iter().map(|s| s.to_string()).collect()
    );
}
