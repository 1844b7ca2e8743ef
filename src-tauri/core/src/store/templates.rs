//! The clinic's own wording of text templates, one row per kind and language. A kind and language
//! without a row uses the built-in default (see `crate::templates`), so defaults can improve with
//! an update while the clinic's edits stay as they wrote them.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::audit::{append_audit, AuditEntry};
use super::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    Confirmation,
    Reminder,
    RunningLate,
    IntakeForm,
    Directions,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 5] = [
        TemplateKind::Confirmation,
        TemplateKind::Reminder,
        TemplateKind::RunningLate,
        TemplateKind::IntakeForm,
        TemplateKind::Directions,
    ];

    pub fn as_sql(self) -> &'static str {
        match self {
            TemplateKind::Confirmation => "confirmation",
            TemplateKind::Reminder => "reminder",
            TemplateKind::RunningLate => "running_late",
            TemplateKind::IntakeForm => "intake_form",
            TemplateKind::Directions => "directions",
        }
    }

    /// Reads a kind as staff type it: "running_late", "running-late" and "Running late" alike.
    pub fn parse(value: &str) -> Option<Self> {
        let wanted: String = value
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c == '-' || c == ' ' { '_' } else { c })
            .collect();
        Self::ALL.into_iter().find(|k| k.as_sql() == wanted)
    }
}

/// A template the clinic saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub kind: TemplateKind,
    pub language: String,
    pub body: String,
    pub updated_by: String,
    pub updated_at: i64,
}

impl Store {
    /// The clinic's wording for this kind and language, if it saved one.
    pub fn template(
        &self,
        kind: TemplateKind,
        language: &str,
    ) -> Result<Option<StoredTemplate>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT body, updated_by, updated_at FROM templates \
                 WHERE kind = ?1 AND language = ?2",
            )?
            .query_row(params![kind.as_sql(), language], |row| {
                Ok(StoredTemplate {
                    kind,
                    language: language.to_string(),
                    body: row.get(0)?,
                    updated_by: row.get(1)?,
                    updated_at: row.get(2)?,
                })
            })
            .optional()
        })
    }

    /// Every template the clinic saved.
    pub fn stored_templates(&self) -> Result<Vec<StoredTemplate>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT kind, language, body, updated_by, updated_at FROM templates \
                 ORDER BY kind, language",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })?;
            let mut templates = Vec::new();
            for row in rows {
                let (kind, language, body, updated_by, updated_at) = row?;
                // The schema's CHECK admits known kinds only.
                if let Some(kind) = TemplateKind::parse(&kind) {
                    templates.push(StoredTemplate {
                        kind,
                        language,
                        body,
                        updated_by,
                        updated_at,
                    });
                }
            }
            Ok(templates)
        })
    }

    /// Saves (or replaces) the clinic's wording. The caller has validated it.
    pub fn save_template(
        &self,
        kind: TemplateKind,
        language: &str,
        body: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO templates (kind, language, body, updated_by, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (kind, language) DO UPDATE SET body = excluded.body, \
                   updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                params![kind.as_sql(), language, body, audit.actor, audit.at],
            )
            .map_err(|e| self.err(e))?;
            append_audit(tx, audit).map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    /// Drops the clinic's wording, back to the default, auditing it when there was one.
    /// Returns whether there was one.
    pub fn delete_template(
        &self,
        kind: TemplateKind,
        language: &str,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let deleted = tx
                .execute(
                    "DELETE FROM templates WHERE kind = ?1 AND language = ?2",
                    params![kind.as_sql(), language],
                )
                .map_err(|e| self.err(e))?
                > 0;
            if deleted {
                append_audit(tx, audit).map_err(|e| self.err(e))?;
            }
            Ok(deleted)
        })
    }
}
