//! Group messages: one text to a chosen set of patients at once ("Dr. Lee is running 30 minutes
//! late", "the clinic is closed tomorrow").
//!
//! A group is not a new kind of sending: each recipient gets an ordinary `OutboxKind::Bulk` text
//! through `messaging::queue_text_once`, so every rule of a single text applies (opt-outs,
//! sending window, first-contact footer), the text shows in that patient's own thread, and the
//! send rate is the outbox's: at most `OutboxConfig::concurrency` requests in flight and
//! `OutboxConfig::batch` texts per drain, which keeps a large group within Twilio's limits.
//!
//! Each text's once-key is derived from the group id the screen picks when it opens, so a double
//! click or a retry after a lost answer queues nothing twice. One bad number never fails the
//! group: it is reported with its reason and the others go.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::appointments::{self, AppointmentStatus};
use crate::clock::Clock;
use crate::compliance::quiet_hours::SendingPolicy;
use crate::composer::{phone, segments};
use crate::error::{Error, Result};
use crate::messaging::{
    check_body, existing_copy, queue_text_once, with_first_contact_footer, TextRequest,
};
use crate::outbox::Sender;
use crate::settings;
use crate::store::outbox::OutboxKind;
use crate::store::{Store, StoreError};

const MAX_GROUP_ID_CHARS: usize = 100;

/// Who a group message goes to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum GroupSelection {
    /// Patients with a booked appointment with this provider on this local day.
    TodayOfProvider { date: String, provider: String },
    /// Everyone with a booked appointment on this local day (the clinic must close).
    DayAll { date: String },
    /// Numbers staff picked.
    Phones { phones: Vec<String> },
}

/// Why someone in the selection does not get the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ExclusionReason {
    OptedOut,
    /// The number is a landline: it cannot receive texts.
    NotMobile,
    /// No number on file, or one that is not a phone number.
    InvalidNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupRecipient {
    /// E.164.
    pub phone: String,
    /// The patient's name, empty when the number is not on file.
    pub name: String,
    /// Set when it is quiet time for this patient: the text is queued now and held until the
    /// sending window opens ("held for quiet time; goes out Tue 08:00 (patient's time)").
    pub held: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupExclusion {
    /// As on file or as typed (an invalid number cannot be normalised).
    pub phone: String,
    pub name: String,
    pub reason: ExclusionReason,
    /// The reason in plain words for staff.
    pub detail: String,
}

/// What a group message would do, before anything is queued.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupPreview {
    pub recipients: Vec<GroupRecipient>,
    pub excluded: Vec<GroupExclusion>,
    /// Segments of the text as written.
    pub segments_per_text: u32,
    /// Segments of all texts together, with the opt-out footer first texts get.
    pub total_segments: u32,
    /// `total_segments` at the clinic's price per segment.
    pub estimated_cost: f64,
}

/// A text that was queued (now, or by an earlier send of the same group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupQueued {
    pub phone: String,
    pub name: String,
    /// The text's message row, whose status the thread shows.
    pub message_id: i64,
    /// False when an earlier send of this group had already queued it.
    pub new: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupFailure {
    pub phone: String,
    pub name: String,
    /// What went wrong and what to do, for staff.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupReport {
    pub group_id: String,
    pub queued: Vec<GroupQueued>,
    pub excluded: Vec<GroupExclusion>,
    pub failed: Vec<GroupFailure>,
}

/// Who would get `body` and who would not, and what it would cost. Queues nothing.
pub fn preview_group(
    store: &Store,
    clock: &dyn Clock,
    selection: &GroupSelection,
    body: &str,
) -> Result<GroupPreview> {
    check_body(body)?;
    let (recipients, excluded) = resolve(store, clock, selection)?;
    let segments_per_text = segments::count(body).segments;
    let mut total_segments = 0u32;
    for recipient in &recipients {
        let sent = with_first_contact_footer(store, &recipient.phone, body)?;
        total_segments = total_segments.saturating_add(segments::count(&sent).segments);
    }
    let estimated_cost = f64::from(total_segments) * settings::price_per_segment(store)?;
    Ok(GroupPreview {
        recipients,
        excluded,
        segments_per_text,
        total_segments,
        estimated_cost,
    })
}

/// Queues `body` once for each recipient of `selection`. Sending the same `group_id` again
/// queues only those not queued yet.
pub fn send_group(
    store: &Store,
    sender: &Sender,
    clock: &dyn Clock,
    group_id: &str,
    selection: &GroupSelection,
    body: &str,
    actor: &str,
) -> Result<GroupReport> {
    let group_id = check_group_id(group_id)?;
    check_body(body)?;
    let (recipients, mut excluded) = resolve(store, clock, selection)?;
    let mut queued = Vec::new();
    let mut failed = Vec::new();
    for recipient in recipients {
        let once_key = format!("group:{group_id}:{}", recipient.phone);
        let request = TextRequest::new(&recipient.phone, body, OutboxKind::Bulk, actor)
            .once(once_key.clone());
        match queue_text_once(store, sender, clock, &request) {
            Ok(Some(item)) => queued.push(GroupQueued {
                phone: recipient.phone,
                name: recipient.name,
                message_id: item.message_id,
                new: true,
            }),
            Ok(None) => match existing_copy(store, &once_key)?.map(|item| item.message_id) {
                Some(message_id) => queued.push(GroupQueued {
                    phone: recipient.phone,
                    name: recipient.name,
                    message_id,
                    new: false,
                }),
                None => failed.push(GroupFailure {
                    phone: recipient.phone,
                    name: recipient.name,
                    message: "the earlier text of this group could not be found; \
                              check the patient's thread"
                        .to_string(),
                }),
            },
            // An opt-out that landed between the preview and now.
            Err(Error::OptedOut { phone }) => excluded.push(GroupExclusion {
                phone,
                name: recipient.name,
                reason: ExclusionReason::OptedOut,
                detail: describe(ExclusionReason::OptedOut).to_string(),
            }),
            Err(error @ Error::Store(_)) => return Err(error),
            Err(error) => failed.push(GroupFailure {
                phone: recipient.phone,
                name: recipient.name,
                message: error.to_string(),
            }),
        }
    }
    Ok(GroupReport {
        group_id: group_id.to_string(),
        queued,
        excluded,
        failed,
    })
}

fn check_group_id(group_id: &str) -> Result<&str> {
    let group_id = group_id.trim();
    if group_id.is_empty() || group_id.chars().count() > MAX_GROUP_ID_CHARS {
        return Err(Error::invalid(
            "groupId",
            "the group message has no valid id; close the group message and start it again",
        ));
    }
    Ok(group_id)
}

fn describe(reason: ExclusionReason) -> &'static str {
    match reason {
        ExclusionReason::OptedOut => "opted out of texts (replied STOP)",
        ExclusionReason::NotMobile => "landline: cannot receive texts",
        ExclusionReason::InvalidNumber => "no valid mobile number on file",
    }
}

/// A number in the selection, before the sending rules are applied.
struct Candidate {
    raw: String,
    name: String,
}

fn candidates(store: &Store, selection: &GroupSelection) -> Result<Vec<Candidate>> {
    let from_day = |date: &str, provider: Option<&str>| -> Result<Vec<Candidate>> {
        let day = appointments::parse_day(store, date)?;
        let wanted = provider.map(|p| p.trim().to_lowercase());
        Ok(appointments::list_day(store, day)?
            .into_iter()
            .filter(|a| a.status == AppointmentStatus::Booked)
            .filter(|a| {
                wanted
                    .as_deref()
                    .is_none_or(|p| a.provider.trim().to_lowercase() == p)
            })
            .map(|a| Candidate {
                raw: a.phone.unwrap_or_default(),
                name: a.patient_name,
            })
            .collect())
    };
    match selection {
        GroupSelection::TodayOfProvider { date, provider } => {
            if provider.trim().is_empty() {
                return Err(Error::invalid("provider", "choose a provider"));
            }
            from_day(date, Some(provider))
        }
        GroupSelection::DayAll { date } => from_day(date, None),
        GroupSelection::Phones { phones } => Ok(phones
            .iter()
            .map(|raw| Candidate {
                raw: raw.clone(),
                name: String::new(),
            })
            .collect()),
    }
}

/// Splits the selection into who gets the text and who does not (and why); each number once.
fn resolve(
    store: &Store,
    clock: &dyn Clock,
    selection: &GroupSelection,
) -> Result<(Vec<GroupRecipient>, Vec<GroupExclusion>)> {
    let region = settings::clinic_region(store)?;
    let policy = SendingPolicy::load(store)?;
    let now = clock.now_ms();
    let mut seen = HashSet::new();
    let mut recipients = Vec::new();
    let mut excluded = Vec::new();
    for candidate in candidates(store, selection)? {
        let exclude = |phone: String, name: String, reason| GroupExclusion {
            phone,
            name,
            reason,
            detail: describe(reason).to_string(),
        };
        let Ok(e164) = phone::normalize(&candidate.raw, &region) else {
            if seen.insert(candidate.raw.clone()) {
                excluded.push(exclude(
                    candidate.raw,
                    candidate.name,
                    ExclusionReason::InvalidNumber,
                ));
            }
            continue;
        };
        if !seen.insert(e164.clone()) {
            continue;
        }
        let name = if candidate.name.is_empty() {
            store.patient_name_for(&e164)?.unwrap_or_default()
        } else {
            candidate.name
        };
        if store.is_opted_out(&e164)? {
            excluded.push(exclude(e164, name, ExclusionReason::OptedOut));
        } else if store.is_landline(&e164)? {
            excluded.push(exclude(e164, name, ExclusionReason::NotMobile));
        } else {
            let zone = store.patient_time_zone(&e164)?;
            let held = policy
                .hold(OutboxKind::Bulk, zone.as_deref(), now)
                .map(|(_, reason)| reason);
            recipients.push(GroupRecipient {
                phone: e164,
                name,
                held,
            });
        }
    }
    Ok((recipients, excluded))
}

impl Store {
    fn is_landline(&self, e164: &str) -> std::result::Result<bool, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM patient_phones \
                 WHERE e164 = ?1 AND line_type = 'landline')",
                [e164],
                |row| row.get(0),
            )
        })
    }
}
