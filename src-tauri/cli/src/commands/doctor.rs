use std::path::Path;

use clinic_desk_core::{doctor, Result, Store};

use crate::output::Output;

pub fn run(db: &Path, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let report = doctor::run(&store)?;
    out.emit(&report, || {
        let account = match &report.account {
            Some(a) => format!("{} sending as {}", a.account_sid, a.sender),
            None => "not configured (the app runs in demo mode)".to_string(),
        };
        let keyring = if report.keyring.available {
            format!("ok ({})", report.keyring.detail)
        } else {
            format!("unavailable: {}", report.keyring.detail)
        };
        format!(
            "database:       {}\nschema version: {} (this build supports up to {})\nOS keyring:     {keyring}\nTwilio account: {account}",
            report.db_path, report.schema_version, report.supported_schema_version
        )
    });
    Ok(())
}
