//! Templates: refused when broken, warned about when risky, picked by the patient's language.

use clinic_desk_core::composer::segments::Encoding;
use clinic_desk_core::settings;
use clinic_desk_core::templates::{
    self, check_template, default_body, TemplateKind, WarningKind, LANGUAGES,
};
use clinic_desk_core::ErrorCode;

use crate::clinic;
use crate::support::TestClock;

#[test]
fn unknown_placeholders_and_stray_braces_are_refused_at_save_time() {
    let (_dir, store) = clinic("America/New_York");
    let save = |body: &str| {
        templates::set(&store, TemplateKind::Reminder, "en", body, "admin", 0)
            .map(|_| ())
            .map_err(|e| (e.code(), e.to_string()))
    };
    let (code, message) = save("See {doctor} on {date}").unwrap_err();
    assert_eq!(code, ErrorCode::InvalidInput);
    assert!(
        message.starts_with("{doctor} is not a placeholder; use one of {patient_first_name}"),
        "{message}"
    );
    let (_, message) = save("See you {date at {time}").unwrap_err();
    assert_eq!(
        message,
        "the brace at character 9 is never closed; write placeholders like {date}"
    );
    let (_, message) = save("See you date} at {time}").unwrap_err();
    assert!(
        message.starts_with("the closing brace at character 13"),
        "{message}"
    );
    let (_, message) = save("   ").unwrap_err();
    assert!(message.contains("empty"), "{message}");
    // Nothing was saved.
    assert!(templates::list(&store).unwrap().iter().all(|t| !t.custom));
}

#[test]
fn opt_out_words_and_clinical_detail_are_warned_about_but_saved() {
    let (_dir, store) = clinic("America/New_York");
    let body = "{clinic_name}: your lab results are ready. Reply CANCEL to cancel your visit.";
    let check = templates::set(&store, TemplateKind::Reminder, "en", body, "admin", 0).unwrap();
    let warnings: Vec<(WarningKind, &str)> = check
        .warnings
        .iter()
        .map(|w| (w.kind, w.word.as_str()))
        .collect();
    assert_eq!(
        warnings,
        vec![
            (WarningKind::OptOutWord, "CANCEL"),
            (WarningKind::ClinicalDetail, "lab"),
            (WarningKind::ClinicalDetail, "results"),
        ]
    );
    assert!(check.warnings[1]
        .message
        .contains("texts must not carry clinical detail"));
    assert!(check.warnings[0].message.contains("opt-out word"));
    let saved = templates::resolve(&store, TemplateKind::Reminder, "en").unwrap();
    assert!(saved.custom);
    assert_eq!(saved.body, body);

    for word in [
        "STOP",
        "stopall",
        "Unsubscribe",
        "END",
        "quit",
        "REVOKE",
        "optout",
    ] {
        let check = check_template(&format!("Reply {word} if you cannot come"));
        assert_eq!(check.warnings.len(), 1, "{word}");
        assert_eq!(check.warnings[0].kind, WarningKind::OptOutWord);
    }
    assert!(check_template("Reply STOP to opt out.").warnings.is_empty());
    let hiv = check_template("Your HIV test is booked");
    assert_eq!(hiv.warnings[0].word, "HIV");
}

#[test]
fn built_in_templates_are_valid_and_never_ask_for_an_opt_out_word() {
    for kind in TemplateKind::ALL {
        for language in LANGUAGES {
            let body = default_body(kind, language).expect("a default for every kind");
            let check = check_template(body);
            assert_eq!(check.error, None, "{kind:?} {language}");
            assert!(check.warnings.is_empty(), "{kind:?} {language}: {check:?}");
        }
    }
    for language in LANGUAGES {
        for kind in [TemplateKind::Confirmation, TemplateKind::Reminder] {
            let body = default_body(kind, language).unwrap();
            assert!(
                body.contains(" C ") && body.contains(" R "),
                "{kind:?} {language}: {body}"
            );
        }
    }
}

#[test]
fn the_patients_language_picks_the_version_then_the_clinics() {
    let (_dir, store) = clinic("America/New_York");
    let pick = |language: &str| {
        let t = templates::resolve(&store, TemplateKind::Confirmation, language).unwrap();
        (t.language, t.custom)
    };
    assert_eq!(pick("es"), ("es".to_string(), false));
    assert_eq!(pick("es-MX"), ("es".to_string(), false));
    assert_eq!(pick("fr"), ("en".to_string(), false));
    assert_eq!(pick("not a language"), ("en".to_string(), false));

    templates::set(
        &store,
        TemplateKind::Confirmation,
        "FR",
        "{clinic_name} : rendez-vous le {date} a {time}. Repondez C pour confirmer.",
        "admin",
        0,
    )
    .unwrap();
    assert_eq!(pick("fr"), ("fr".to_string(), true));
    // A clinic's English wording does not replace the Spanish version.
    templates::set(
        &store,
        TemplateKind::Confirmation,
        "en",
        "{clinic_name}: see you {date}",
        "admin",
        0,
    )
    .unwrap();
    assert_eq!(pick("es"), ("es".to_string(), false));
    assert_eq!(pick("de"), ("en".to_string(), true));
    assert!(templates::reset(&store, TemplateKind::Confirmation, "fr", "admin", 0).unwrap());
    assert_eq!(pick("fr"), ("en".to_string(), true));

    let list = templates::list(&store).unwrap();
    assert_eq!(list.len(), TemplateKind::ALL.len() * LANGUAGES.len());
    assert_eq!(list.iter().filter(|t| t.custom).count(), 1);
}

#[test]
fn a_spanish_speaking_clinic_falls_back_to_spanish_then_english() {
    let (_dir, store) = clinic("America/New_York");
    let err = settings::set(&store, "clinic.language", "spanish please", "admin").unwrap_err();
    assert!(err.to_string().contains("language code"), "{err}");
    assert_eq!(
        settings::set(&store, "clinic.language", "ES", "admin").unwrap(),
        "es"
    );
    let pick = |language: &str| {
        templates::resolve(&store, TemplateKind::Reminder, language)
            .unwrap()
            .language
    };
    assert_eq!(pick("fr"), "es");
    assert_eq!(pick(""), "es");
    assert_eq!(pick("en"), "en");
    // A patient added with no language stores none, so the clinic's language picks the wording.
    let added = clinic_desk_core::patients::add_patient(
        &store,
        &clinic_desk_core::patients::NewPatient {
            first_name: "Rosa".into(),
            last_name: "Diaz".into(),
            phone: "+14155550177".into(),
            preferred_language: None,
            time_zone: None,
        },
    )
    .unwrap();
    let rosa = store.patient(added.id).unwrap().unwrap();
    assert_eq!(rosa.preferred_language, "");
    assert_eq!(pick(&rosa.preferred_language), "es");
    // Nothing saved in the clinic's language for this kind, and no built-in wording in it: English.
    settings::set(&store, "clinic.language", "de", "admin").unwrap();
    assert_eq!(pick("fr"), "en");
}

#[test]
fn preview_fills_a_sample_appointment_and_counts_segments() {
    let (_dir, store) = clinic("America/New_York");
    // Friday 13 March 2026, noon in New York: the sample appointment is Saturday at 2:30 PM.
    let clock = TestClock::at("2026-03-13T16:00:00Z");
    let english = templates::preview(
        &store,
        &*clock,
        TemplateKind::Confirmation,
        "en",
        None,
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        english.text,
        "Harbor Clinic: Hi Alex, your appointment with Dr. Lee is on Sat, Mar 14 at 2:30 PM. \
         Reply C to confirm or R to reschedule."
    );
    assert_eq!(english.encoding, Encoding::Gsm7);
    assert_eq!(english.segments, 1);

    // "sábado" has a character outside GSM-7: the whole text becomes UCS-2.
    let spanish = templates::preview(
        &store,
        &*clock,
        TemplateKind::Reminder,
        "es",
        None,
        None,
        None,
    )
    .unwrap();
    assert!(
        spanish.text.contains("sábado 14 de marzo a las 2:30 p. m."),
        "{}",
        spanish.text
    );
    assert_eq!(spanish.encoding, Encoding::Ucs2);
    assert_eq!(spanish.segments, 3);

    let edited = templates::preview(
        &store,
        &*clock,
        TemplateKind::Directions,
        "en",
        Some("Reply CANCEL to cancel. {location}"),
        None,
        None,
    )
    .unwrap();
    assert_eq!(edited.text, "Reply CANCEL to cancel. Suite 200");
    assert_eq!(edited.warnings[0].kind, WarningKind::OptOutWord);

    // Directions need the clinic's phone: the preview says where to set it.
    let err = templates::preview(
        &store,
        &*clock,
        TemplateKind::Directions,
        "en",
        None,
        None,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("clinic.phone"), "{err}");
}
