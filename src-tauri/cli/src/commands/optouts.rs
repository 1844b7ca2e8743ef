//! `optouts`: every number that opted out or back in, with the event that set its state. The
//! JSON fields are a contract scripts rely on.

use std::path::Path;

use serde_json::{json, Value};

use clinic_desk_core::store::optouts::{OptState, OptStatus};
use clinic_desk_core::{Result, Store};

use crate::output::{timestamp, Output};

fn state_name(state: OptStatus) -> &'static str {
    match state {
        OptStatus::OptedOut => "opted_out",
        OptStatus::OptedIn => "opted_in",
    }
}

fn to_json(state: &OptState) -> Value {
    json!({
        "phone": state.phone,
        "state": state_name(state.state),
        "keyword": state.keyword,
        "sid": state.sid,
        "at": timestamp(state.at),
    })
}

fn describe(state: &OptState) -> String {
    format!(
        "{:<16} {:<9} {}  {:<12} {}",
        state.phone,
        state_name(state.state),
        timestamp(state.at),
        state.keyword.as_deref().unwrap_or("-"),
        state.sid.as_deref().unwrap_or("-"),
    )
}

pub fn run(db: &Path, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    let states = store.opt_states()?;
    let value: Vec<Value> = states.iter().map(to_json).collect();
    out.emit(&value, || {
        if states.is_empty() {
            "no opt-outs recorded".to_string()
        } else {
            states.iter().map(describe).collect::<Vec<_>>().join("\n")
        }
    });
    Ok(())
}
