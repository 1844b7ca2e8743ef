//! CSV import of a file as scheduling systems and spreadsheets really write them.

use clinic_desk_core::appointments::csv_import::{import_csv, RowStatus};
use clinic_desk_core::appointments::{self, AppointmentStatus};
use clinic_desk_core::patients::{add_patient, NewPatient};
use clinic_desk_core::ErrorCode;

use crate::support::TestClock;
use crate::{clinic, ms};

/// Byte-order mark, CRLF line ends, quoted commas, blank lines and padding rows, 12- and 24-hour
/// times, US and ISO dates, an existing patient, and one row for each kind of mistake.
const MESSY: &str =
    "\u{feff}Patient Name , MOBILE,Appointment Date,time,Doctor,Site,Language,Notes\r\n\
\"Rivera, Ana\",(415) 555-0134,2026-03-10,2:30 PM,\"Dr. Lee, MD\",Main St,es,first visit\r\n\
Ben Okafor,415-555-0188,03/11/2026,14:30,Dr. Patel,\"Suite 2, North\",,\r\n\
\r\n\
Carol Diaz,4155550199,3/12/26,9:00am,Dr. Lee,Main St,,\r\n\
Dan Wu,4155550111,10.03.2026,10:00,Dr. Lee,Main St,,\r\n\
Eve Stone,12,2026-03-13,10:00,Dr. Lee,Main St,,\r\n\
Ana Rivera,+1 415 555 0134,2026-03-10,14:30,\"dr. lee,  md\",Main St,es,\r\n\
Frank Moss,4155550122,2026-03-08,2:30 AM,Dr. Lee,Main St,,\r\n\
Gina Park,,2026-03-14,11:00,Dr. Lee,Main St,,\r\n\
,,,,,,,\r\n\
Hank Ito,4155550133,2026-03-15,25:00,Dr. Lee,Main St,,\r\n\
Ivy Chen,4155550144,2026-11-01,1:30 AM,Dr. Lee,Main St,,\r\n";

#[test]
fn a_messy_file_imports_its_good_rows_and_reports_each_bad_one() {
    let (_dir, store) = clinic("America/New_York");
    let clock = TestClock::at("2026-03-01T15:00:00Z");
    let carol = add_patient(
        &store,
        &NewPatient {
            first_name: "Carol".to_string(),
            last_name: "Diaz".to_string(),
            phone: "+14155550199".to_string(),
            preferred_language: Some("es".to_string()),
            time_zone: None,
        },
    )
    .unwrap();

    let report = import_csv(&store, &*clock, MESSY.as_bytes(), "front desk").unwrap();
    let rows: Vec<(u32, RowStatus, Option<&str>, bool)> = report
        .rows
        .iter()
        .map(|r| (r.row, r.status, r.reason.as_deref(), r.patient_created))
        .collect();
    use RowStatus::{Ok as Imported, Skipped};
    assert_eq!(
        rows,
        vec![
            (2, Imported, None, true),
            (3, Imported, None, true),
            (5, Imported, None, false),
            (
                6,
                Skipped,
                Some("unknown date format: \"10.03.2026\" (use YYYY-MM-DD, MM/DD/YYYY or M/D/YY)"),
                false
            ),
            (
                7,
                Skipped,
                Some(
                    "invalid phone: \"12\" is not a phone number; type it like (415) 555-0134 \
                     or +44 20 7946 0958"
                ),
                false
            ),
            (8, Skipped, Some("duplicate of row 2"), false),
            (
                9,
                Skipped,
                Some(
                    "nonexistent time: 02:30 on 2026-03-08 does not exist in America/New_York \
                     (the clocks skip that hour); check the time"
                ),
                false
            ),
            (10, Skipped, Some("missing field: phone"), false),
            (
                12,
                Skipped,
                Some("unknown time format: \"25:00\" (use 14:30 or 2:30 PM)"),
                false
            ),
            (13, Imported, None, true),
        ]
    );
    assert_eq!(report.imported, 4);
    assert_eq!(report.skipped, 6);
    assert_eq!(report.patients_created, 3);
    assert_eq!(report.ignored_columns, vec!["Notes".to_string()]);
    assert!(!report.confirmations_sent);
    assert!(report
        .notes
        .iter()
        .any(|n| n.contains("No confirmation texts")));

    let ana = appointments::get(&store, report.rows[0].appointment_id.unwrap()).unwrap();
    assert_eq!(ana.patient_name, "Ana Rivera");
    assert_eq!(ana.language, "es");
    assert_eq!(ana.provider, "Dr. Lee, MD");
    assert_eq!(ana.location, "Main St");
    assert_eq!(ana.starts_at, ms("2026-03-10T18:30:00Z"));
    assert_eq!(
        (ana.local_date.as_str(), ana.local_time.as_str()),
        ("2026-03-10", "14:30")
    );
    assert_eq!(ana.status, AppointmentStatus::Booked);
    assert!(ana.imported);
    let ben = appointments::get(&store, report.rows[1].appointment_id.unwrap()).unwrap();
    assert_eq!(ben.location, "Suite 2, North");
    assert_eq!(ben.starts_at, ms("2026-03-11T18:30:00Z"));
    let carol_appointment =
        appointments::get(&store, report.rows[2].appointment_id.unwrap()).unwrap();
    assert_eq!(carol_appointment.patient_id, carol.id);
    assert_eq!(carol_appointment.starts_at, ms("2026-03-12T13:00:00Z"));
    // 01:30 happens twice on the fall-back day: the first (EDT) is meant.
    let ivy = appointments::get(&store, report.rows[9].appointment_id.unwrap()).unwrap();
    assert_eq!(ivy.starts_at, ms("2026-11-01T05:30:00Z"));

    // Imports text nobody.
    let texts: i64 = rusqlite::Connection::open(store.path())
        .unwrap()
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(texts, 0);

    // The same file again adds nothing and says why.
    let again = import_csv(&store, &*clock, MESSY.as_bytes(), "front desk").unwrap();
    assert_eq!(again.imported, 0);
    assert_eq!(again.patients_created, 0);
    for row in again.rows.iter().filter(|r| [2, 3, 5, 13].contains(&r.row)) {
        assert_eq!(
            row.reason.as_deref(),
            Some("already imported"),
            "row {}",
            row.row
        );
    }
    let day = appointments::list_day(
        &store,
        appointments::parse_day(&store, "2026-03-10").unwrap(),
    )
    .unwrap();
    assert_eq!(day.len(), 1);
    assert_eq!(store.list_patients().unwrap().len(), 4);
}

#[test]
fn a_single_start_column_and_first_last_names_are_understood() {
    let (_dir, store) = clinic("Europe/Berlin");
    store.set_setting("clinic.region", "DE").unwrap();
    let clock = TestClock::at("2026-03-01T10:00:00Z");
    let csv = "first name;last name;cell phone;start;provider;location\n\
               Jonas;Weber;0151 23456789;2026-03-29 02:30;Dr. Bauer;Praxis\n\
               Lena;Koch;0151 23456790;2026-03-30T08:15;Dr. Bauer;Praxis\n";
    let report = import_csv(&store, &*clock, csv.as_bytes(), "front desk").unwrap();
    assert_eq!(report.rows[0].row, 2);
    assert_eq!(
        report.rows[0].reason.as_deref(),
        Some(
            "nonexistent time: 02:30 on 2026-03-29 does not exist in Europe/Berlin (the clocks \
             skip that hour); check the time"
        )
    );
    let lena = appointments::get(&store, report.rows[1].appointment_id.unwrap()).unwrap();
    assert_eq!(lena.patient_name, "Lena Koch");
    assert_eq!(lena.phone.as_deref(), Some("+4915123456790"));
    assert_eq!(lena.starts_at, ms("2026-03-30T06:15:00Z"));
}

#[test]
fn slash_dates_are_read_day_first_in_a_day_first_country() {
    let (_dir, store) = clinic("Europe/London");
    store.set_setting("clinic.region", "GB").unwrap();
    let clock = TestClock::at("2026-03-01T10:00:00Z");
    let csv = "name,phone,date,time,provider,location\n\
               Amy Hall,07400 123456,03/04/2026,09:00,Dr. Shah,Surgery\n\
               Tom Hall,07400 123457,12/25/2026,09:00,Dr. Shah,Surgery\n";
    let report = import_csv(&store, &*clock, csv.as_bytes(), "front desk").unwrap();
    let amy = appointments::get(&store, report.rows[0].appointment_id.unwrap()).unwrap();
    // 3 April, not March 4: 09:00 BST is 08:00 UTC.
    assert_eq!(amy.starts_at, ms("2026-04-03T08:00:00Z"));
    assert_eq!(report.rows[1].status, RowStatus::Skipped);
    assert_eq!(
        report.rows[1].reason.as_deref(),
        Some("no such date: \"12/25/2026\"")
    );
}

#[test]
fn a_file_without_a_needed_column_is_refused_naming_its_headers() {
    let (_dir, store) = clinic("America/New_York");
    let clock = TestClock::at("2026-03-01T15:00:00Z");
    let err = import_csv(
        &store,
        &*clock,
        b"Name,Date,Time\nAna,2026-03-10,10:00\n",
        "front desk",
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let message = err.to_string();
    assert!(message.contains("no phone column"), "{message}");
    assert!(message.contains("Name, Date, Time"), "{message}");
}
