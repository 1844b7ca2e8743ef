//! Deterministic message history for benchmarks, demos and paging tests: M texts over the past
//! days between the clinic numbers and N patients, inbound and outbound, all in final states.
//!
//! The same simulator seed and the same sequence of seed calls give the same SIDs and bodies;
//! dates are relative to the simulator's clock. Generation happens outside the state lock and the
//! insert is one short critical section, so 50,000 messages take a fraction of a second.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::clock::{rfc2822, Millis, DAY};
use crate::error::SimError;
use crate::ids::new_sid;
use crate::lifecycle::{self, Direction, Outcome};
use crate::state::{Sim, StoredMessage};

pub const MAX_MESSAGES: u32 = 2_000_000;
pub const MAX_PATIENTS: u32 = 1_000_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRequest {
    pub patients: u32,
    pub messages: u32,
    /// How far back the history reaches (default 30 days).
    #[serde(default)]
    pub days: Option<u32>,
    /// Overrides the simulator's seed for this fill.
    #[serde(default)]
    pub seed: Option<u64>,
    /// First names of the patients by index, so texts greet each one by their own name
    /// (random names otherwise).
    #[serde(default)]
    pub first_names: Vec<String>,
    /// The clinic named in the texts (default "Riverside Family Clinic").
    #[serde(default)]
    pub clinic_name: Option<String>,
}

const DEFAULT_CLINIC_NAME: &str = "Riverside Family Clinic";

#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub created: usize,
    pub patients: u32,
    pub oldest: Option<String>,
    pub newest: Option<String>,
}

const FIRST_NAMES: &[&str] = &[
    "Maria", "James", "Aisha", "Wei", "Olga", "Carlos", "Priya", "Tom", "Fatima", "Lena", "Diego",
    "Grace", "Omar", "Hannah", "Kenji", "Sofia",
];
const DOCTORS: &[&str] = &["Patel", "Nguyen", "Okafor", "Schmidt", "Garcia", "Lee"];
const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const TIMES: &[&str] = &[
    "8:30 AM", "9:15 AM", "10:00 AM", "11:45 AM", "1:30 PM", "3:00 PM", "4:20 PM",
];
const INBOUND: &[&str] = &[
    "C",
    "Confirmed, thanks",
    "Can I move it to Thursday afternoon?",
    "Running 10 minutes late, sorry!",
    "What time was it again?",
    "R",
    "Thank you 🙏",
    "Is there parking at the clinic?",
    "ok",
    "Do I need to fast before the blood test?",
    "Who is this?",
    "I'll be there.",
];

fn outbound_body(rng: &mut StdRng, patient_name: Option<&str>, clinic: &str) -> String {
    // Drawn even when the name is given, so a seed yields the same history either way.
    let drawn = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let name = patient_name.unwrap_or(drawn);
    let doctor = DOCTORS[rng.random_range(0..DOCTORS.len())];
    let day = DAYS[rng.random_range(0..DAYS.len())];
    let time = TIMES[rng.random_range(0..TIMES.len())];
    match rng.random_range(0..8) {
        0 => format!("Hi {name}, this is {clinic} reminding you of your appointment on {day} at {time}. Reply C to confirm or R to reschedule."),
        1 => format!("{clinic}: your appointment with Dr. {doctor} is confirmed for {day} at {time}."),
        2 => format!("Hi {name}, your lab results are ready. Please call us at (555) 555-0100 to go over them with Dr. {doctor}."),
        3 => format!("{clinic}: an earlier slot opened on {day} at {time}. Reply 1 to take it."),
        4 => format!("Thanks {name}! See you {day}."),
        5 => format!("Hi {name}, please bring your insurance card and a photo ID to your visit on {day}."),
        6 => format!("Hola {name}, le recordamos su cita el {day} a las {time}. Responda C para confirmar."),
        _ => format!("See you {day} at {time}, {name} 😊"),
    }
}

fn outcome(rng: &mut StdRng) -> Outcome {
    match rng.random_range(0..100) {
        0..90 => Outcome::Delivered,
        90..93 => Outcome::Sent,
        93..96 => Outcome::Undelivered(30003),
        96 => Outcome::Undelivered(30005),
        97 => Outcome::Undelivered(30006),
        98 => Outcome::Failed(30007),
        _ => Outcome::Undelivered(30008),
    }
}

/// US area codes the seeded patients are spread over.
const AREA_CODES: [u16; 30] = [
    201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225,
    228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254,
];

/// The number of seeded patient `index`. The first 3,000 are in the 555-0100..0199 block that is
/// set aside for fiction in every area code (valid numbers to a phone-number library, nobody's
/// real phone); beyond that, for scale tests only, numbers in the unassigned 555 area code.
pub fn patient_number(index: u32) -> String {
    let block = AREA_CODES.len() as u32 * 100;
    if index < block {
        let area = AREA_CODES[(index / 100) as usize];
        format!("+1{area}5550{:03}", 100 + index % 100)
    } else {
        format!("+1555{:07}", 2_000_000 + index)
    }
}

pub fn fill(sim: &Sim, request: &SeedRequest) -> Result<SeedReport, SimError> {
    if request.patients == 0 || request.patients > MAX_PATIENTS {
        return Err(SimError::BadControlRequest(format!(
            "\"patients\" must be from 1 to {MAX_PATIENTS}"
        )));
    }
    if request.messages > MAX_MESSAGES {
        return Err(SimError::BadControlRequest(format!(
            "\"messages\" must be at most {MAX_MESSAGES}"
        )));
    }
    let days = request.days.unwrap_or(30);
    if days == 0 || days > 3_650 {
        return Err(SimError::BadControlRequest(
            "\"days\" must be from 1 to 3650".into(),
        ));
    }
    let call = {
        let mut inner = sim.lock();
        inner.seed_calls += 1;
        inner.seed_calls
    };
    let base = request.seed.or(sim.config.seed).unwrap_or(0);
    let mut rng = StdRng::seed_from_u64(
        base ^ call.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            ^ (u64::from(request.patients) << 32)
            ^ u64::from(request.messages),
    );

    // Everything ends at least a few minutes ago, so every text is in its final state.
    let end: Millis = sim.clock.now_ms() - 5 * 60 * 1_000;
    let span = Millis::from(days) * DAY;
    let start = end - span;
    let step = (span / Millis::from(request.messages.max(1))).max(1);
    let numbers = &sim.config.numbers;

    let mut messages = Vec::with_capacity(request.messages as usize);
    for k in 0..Millis::from(request.messages) {
        let created = start + k * step + rng.random_range(0..step);
        let patient = rng.random_range(0..request.patients);
        let clinic = numbers[patient as usize % numbers.len()].clone();
        let patient_name = request
            .first_names
            .get(patient as usize)
            .map(String::as_str);
        let patient = patient_number(patient);
        let inbound = rng.random_bool(0.45);
        let (from, to, body, direction, outcome) = if inbound {
            let body = INBOUND[rng.random_range(0..INBOUND.len())].to_string();
            (
                patient,
                clinic,
                body,
                Direction::Inbound,
                Outcome::Delivered,
            )
        } else {
            let clinic_name = request
                .clinic_name
                .as_deref()
                .unwrap_or(DEFAULT_CLINIC_NAME);
            let body = outbound_body(&mut rng, patient_name, clinic_name);
            let outcome = outcome(&mut rng);
            (clinic, patient, body, Direction::OutboundApi, outcome)
        };
        let num_segments = clinic_desk_core::composer::segments::count(&body).segments;
        messages.push(StoredMessage {
            sid: new_sid("SM", &mut rng),
            from,
            to,
            body,
            direction,
            created,
            sort_date: lifecycle::sort_date(direction, created),
            visible_at: created,
            messaging_service_sid: None,
            num_segments,
            outcome,
        });
    }

    let oldest = messages.first().map(|m| rfc2822(m.created).to_string());
    let newest = messages.last().map(|m| rfc2822(m.created).to_string());
    let created = messages.len();
    let mut inner = sim.lock();
    for mut message in messages {
        // Only a replayed seed can collide with an existing SID; draw again rather than drop it.
        while inner.store.get(&message.sid).is_some() {
            message.sid = new_sid("SM", &mut rng);
        }
        inner.store.insert(message);
    }
    Ok(SeedReport {
        created,
        patients: request.patients,
        oldest,
        newest,
    })
}
