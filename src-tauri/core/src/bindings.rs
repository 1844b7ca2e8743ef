//! TypeScript bindings for the UI, generated from the Rust types with ts-rs.
//!
//! The generated files are committed (the UI type-checks against them) and a test in the desktop
//! crate regenerates them into a scratch folder and fails when they differ, so a Rust change
//! that would break the UI cannot land unnoticed. `UPDATE_BINDINGS=1 cargo test` rewrites them.

use std::collections::BTreeMap;
use std::path::Path;

/// ts-rs settings shared by every export: 64-bit integers become `number` (ids and epoch
/// milliseconds stay far below 2^53).
pub fn config(out_dir: &Path) -> ts_rs::Config {
    ts_rs::Config::new()
        .with_large_int("number")
        .with_out_dir(out_dir)
}

/// Exports `T` and its dependencies into `out_dir`.
pub fn export<T: ts_rs::TS + 'static>(out_dir: &Path) -> Result<(), ts_rs::ExportError> {
    T::export_all(&config(out_dir))
}

/// Generated `.ts` files of a folder by name (hand-written `index.ts` excluded).
pub fn read_generated(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(".ts") && name != "index.ts" {
            files.insert(name.to_string(), std::fs::read_to_string(&path)?);
        }
    }
    Ok(files)
}

/// Names of files that differ between what was generated and what is committed.
pub fn drift(
    generated: &BTreeMap<String, String>,
    committed: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut names: Vec<String> = generated
        .keys()
        .chain(committed.keys())
        .filter(|name| generated.get(*name) != committed.get(*name))
        .cloned()
        .collect();
    names.dedup();
    names
}
