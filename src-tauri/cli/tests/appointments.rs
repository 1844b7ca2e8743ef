//! `appointments`, `reminders` and `templates` as scripts use them: the real binary on a real
//! database file, and the Twilio simulator over real HTTP for anything that sends.

mod support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::{connect, json_of, new_db, run, set_setting, Midday, Sim};

const TOKEN: &str = "sim-token-appointments";
const ANA: &str = "+14155550134";
const BEN: &str = "+14155550188";
const EVE: &str = "+14155550177";

fn new_clinic(zone: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, db) = new_db();
    set_setting(&db, "clinic.timezone", zone);
    set_setting(&db, "clinic.name", "Harbor Clinic");
    (dir, db)
}

#[test]
fn import_list_book_and_cancel_work_without_twilio() {
    let (dir, db) = new_clinic("America/New_York");
    let file = dir.path().join("schedule.csv");
    std::fs::write(
        &file,
        "\u{feff}Name,Cell,Date,Time,Provider,Location\r\n\
         \"Rivera, Ana\",(415) 555-0134,2030-03-11,2:30 PM,\"Lee, MD\",Main St\r\n\
         \r\n\
         Ben Okafor,415-555-0188,03/11/2030,09:15,Dr. Patel,Main St\r\n\
         Cy Ng,415-555-0199,13/11/2030,10:00,Dr. Patel,Main St\r\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let report = json_of(&run(&db, &["--json", "appointments", "import", path]));
    assert_eq!(report["imported"], 2);
    assert_eq!(report["skipped"], 1);
    assert_eq!(report["confirmationsSent"], false);
    assert_eq!(report["rows"][2]["row"], 5);
    assert_eq!(report["rows"][2]["status"], "skipped");
    assert_eq!(report["rows"][2]["reason"], "no such date: \"13/11/2030\"");
    let again = json_of(&run(&db, &["appointments", "import", path, "--json"]));
    assert_eq!(again["imported"], 0);
    assert_eq!(again["rows"][0]["reason"], "already imported");

    let text = run(&db, &["appointments", "import", path]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("row 5: no such date"), "{text}");
    assert!(text.contains("No confirmation texts were sent"), "{text}");

    let day = json_of(&run(
        &db,
        &["appointments", "list", "--date", "2030-03-11", "--json"],
    ));
    let day = day.as_array().unwrap();
    assert_eq!(day.len(), 2);
    assert_eq!(day[0]["patientName"], "Ben Okafor");
    assert_eq!(day[0]["localTime"], "09:15");
    assert_eq!(day[1]["provider"], "Lee, MD");
    assert_eq!(day[1]["status"], "booked");
    assert_eq!(day[1]["confirmation"], "unconfirmed");
    assert!(day[1]["sms"].is_null());

    let booked = json_of(&run(
        &db,
        &[
            "--json",
            "appointments",
            "book",
            "--phone",
            "415 555 0177",
            "--name",
            "Eve Stone",
            "--at",
            "2030-03-12 08:30",
            "--provider",
            "Dr. Lee",
        ],
    ));
    assert_eq!(booked["appointment"]["status"], "booked");
    assert_eq!(booked["appointment"]["phone"], EVE);
    assert_eq!(booked["sms"]["ok"], false);
    let reason = booked["sms"]["reason"].as_str().unwrap();
    assert!(reason.contains("Twilio is not set up"), "{reason}");

    let id = booked["appointment"]["id"].as_i64().unwrap().to_string();
    let cancelled = json_of(&run(&db, &["--json", "appointments", "cancel", &id]));
    assert_eq!(cancelled["appointment"]["status"], "cancelled");
    let out = run(&db, &["appointments", "cancel", "9999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("appointment 9999 not found"));
}

#[test]
fn templates_are_checked_listed_and_previewed() {
    let (_dir, db) = new_clinic("America/New_York");
    let out = run(
        &db,
        &[
            "templates",
            "set",
            "reminder",
            "--lang",
            "en",
            "--body",
            "See {doctor}",
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("{doctor} is not a placeholder"), "{stderr}");

    let saved = json_of(&run(
        &db,
        &[
            "--json",
            "templates",
            "set",
            "reminder",
            "--lang",
            "en",
            "--body",
            "{clinic_name}: {date} at {time}. Reply CANCEL to cancel.",
        ],
    ));
    assert_eq!(saved["error"], Value::Null);
    assert_eq!(saved["warnings"][0]["kind"], "opt_out_word");
    assert_eq!(saved["warnings"][0]["word"], "CANCEL");

    let list = json_of(&run(&db, &["--json", "templates", "list"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 10);
    let custom: Vec<&Value> = list.iter().filter(|t| t["custom"] == true).collect();
    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0]["kind"], "reminder");

    let preview = json_of(&run(
        &db,
        &[
            "--json",
            "templates",
            "preview",
            "confirmation",
            "--lang",
            "es",
        ],
    ));
    let text = preview["text"].as_str().unwrap();
    assert!(
        text.starts_with("Harbor Clinic: Hola Alex, su cita con Dr. Lee"),
        "{text}"
    );
    assert!(preview["segments"].as_u64().unwrap() >= 1);

    let reset = json_of(&run(
        &db,
        &["--json", "templates", "reset", "reminder", "--lang", "en"],
    ));
    assert_eq!(reset["reset"], true);
}

#[test]
fn booking_texts_the_confirmation_and_reminders_run_sends_what_is_due_once() {
    let sim = Sim::start(TOKEN, 66);
    let midday = Midday::now();
    let (dir, db) = new_clinic(&midday.zone);
    connect(&sim, &db, TOKEN);
    sim.post(
        "/_sim/outcomes",
        json!({"to": EVE, "status": "failed", "error_code": 21211}),
    );

    let at = midday.local_in(48);
    let booked = json_of(&run(
        &db,
        &[
            "--json",
            "appointments",
            "book",
            "--phone",
            ANA,
            "--name",
            "Ana Rivera",
            "--at",
            &at,
            "--provider",
            "Dr. Lee",
        ],
    ));
    assert_eq!(booked["sms"]["ok"], true, "{booked}");
    assert_eq!(booked["appointment"]["sms"]["state"], "submitted");

    // Twilio refuses this number: the booking stands and says why.
    let refused = json_of(&run(
        &db,
        &[
            "--json",
            "appointments",
            "book",
            "--phone",
            EVE,
            "--name",
            "Eve Stone",
            "--at",
            &at,
        ],
    ));
    assert_eq!(refused["sms"]["ok"], false);
    assert_eq!(refused["sms"]["reason"], "invalid phone number");
    assert_eq!(
        refused["sms"]["summary"],
        "SMS failed: invalid phone number"
    );
    assert_eq!(refused["appointment"]["status"], "booked");

    // Imported 23 hours ahead: no confirmation, so the 24-hour reminder is due now.
    let file = dir.path().join("import.csv");
    std::fs::write(
        &file,
        format!(
            "Name,Phone,Start,Provider\nBen Okafor,{BEN},{},Dr. Lee\n",
            midday.local_in(23)
        ),
    )
    .unwrap();
    let report = json_of(&run(
        &db,
        &["--json", "appointments", "import", file.to_str().unwrap()],
    ));
    assert_eq!(report["imported"], 1);

    let first = json_of(&run(&db, &["--json", "reminders", "run"]));
    assert_eq!(first["queued"].as_array().unwrap().len(), 1, "{first}");
    assert_eq!(first["queued"][0]["hoursBefore"], 24);
    assert_eq!(first["sent"], 1);
    let second = json_of(&run(&db, &["--json", "reminders", "run"]));
    assert!(second["queued"].as_array().unwrap().is_empty());
    assert_eq!(second["alreadyQueued"], 1);

    let to_ana = sim.texts_to(ANA);
    assert_eq!(to_ana.len(), 1, "{to_ana:?}");
    assert!(to_ana[0].starts_with("Harbor Clinic: Hi Ana, your appointment with Dr. Lee"));
    let to_ben = sim.texts_to(BEN);
    assert_eq!(to_ben.len(), 1, "{to_ben:?}");
    assert!(
        to_ben[0].starts_with("Harbor Clinic: Reminder, Ben:"),
        "{}",
        to_ben[0]
    );
    assert!(sim.texts_to(EVE).is_empty());
}
