//! `templates`: list, set, reset and preview the clinic's text templates. A template with an
//! unknown placeholder or a stray brace is refused; opt-out words and clinical detail are
//! warned about.

use std::path::Path;

use clap::Subcommand;

use clinic_desk_core::appointments;
use clinic_desk_core::clock::{Clock, SystemClock};
use clinic_desk_core::templates::{self, TemplateCheck, TemplateWarning};
use clinic_desk_core::{Result, Store};

use crate::output::Output;

#[derive(Subcommand)]
pub enum TemplatesCommand {
    /// Every template by kind and language (built-in or the clinic's own).
    List,
    /// Save the clinic's wording of a template.
    Set {
        /// confirmation, reminder, running_late, intake_form or directions.
        kind: String,
        /// Language code, e.g. en or es.
        #[arg(long, default_value = "en")]
        lang: String,
        #[arg(long)]
        body: String,
    },
    /// Go back to the built-in wording.
    Reset {
        kind: String,
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Show a template filled in, with its segment count and warnings.
    Preview {
        kind: String,
        #[arg(long, default_value = "en")]
        lang: String,
        /// Wording to try instead of the saved one.
        #[arg(long)]
        body: Option<String>,
        /// Fill in this appointment's facts (default: a sample appointment tomorrow).
        #[arg(long)]
        appointment: Option<i64>,
        /// The link for {link}.
        #[arg(long)]
        link: Option<String>,
    },
}

fn warning_lines(warnings: &[TemplateWarning]) -> String {
    warnings
        .iter()
        .map(|w| format!("\nwarning: {}", w.message))
        .collect()
}

pub fn run(db: &Path, command: TemplatesCommand, actor: &str, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    match command {
        TemplatesCommand::List => {
            let list = templates::list(&store)?;
            out.emit(&list, || {
                list.iter()
                    .map(|t| {
                        format!(
                            "{:<13} {:<6} {}{}",
                            t.kind.as_sql(),
                            t.language,
                            if t.custom { "(custom) " } else { "" },
                            t.body
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        TemplatesCommand::Set { kind, lang, body } => {
            let kind = templates::parse_kind(&kind)?;
            let check: TemplateCheck =
                templates::set(&store, kind, &lang, &body, actor, SystemClock.now_ms())?;
            out.emit(&check, || {
                format!(
                    "saved the {} template ({lang}){}",
                    kind.as_sql(),
                    warning_lines(&check.warnings)
                )
            });
        }
        TemplatesCommand::Reset { kind, lang } => {
            let kind = templates::parse_kind(&kind)?;
            let had_custom = templates::reset(&store, kind, &lang, actor, SystemClock.now_ms())?;
            let value = serde_json::json!({ "kind": kind, "language": lang, "reset": had_custom });
            out.emit(&value, || {
                if had_custom {
                    format!(
                        "the {} template ({lang}) is the built-in one again",
                        kind.as_sql()
                    )
                } else {
                    format!(
                        "the {} template ({lang}) was already the built-in one",
                        kind.as_sql()
                    )
                }
            });
        }
        TemplatesCommand::Preview {
            kind,
            lang,
            body,
            appointment,
            link,
        } => {
            let kind = templates::parse_kind(&kind)?;
            let appointment = appointment
                .map(|id| appointments::get(&store, id))
                .transpose()?;
            let preview = templates::preview(
                &store,
                &SystemClock,
                kind,
                &lang,
                body.as_deref(),
                appointment.as_ref(),
                link.as_deref(),
            )?;
            out.emit(&preview, || {
                format!(
                    "{}\n({} characters, {} segment(s), {:?}){}",
                    preview.text,
                    preview.characters,
                    preview.segments,
                    preview.encoding,
                    warning_lines(&preview.warnings)
                )
            });
        }
    }
    Ok(())
}
