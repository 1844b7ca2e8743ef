use std::path::Path;

use serde_json::json;

use clinic_desk_core::{Result, Store};

use crate::output::Output;

pub fn run(db: &Path, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let version = store.schema_version()?;
    out.emit(
        &json!({ "db_path": store.path(), "schema_version": version }),
        || {
            format!(
                "database ready: {} (schema version {version})",
                store.path().display()
            )
        },
    );
    Ok(())
}
