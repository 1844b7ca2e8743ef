//! The list of Rust types the UI sees, and the test that keeps `ui/src/lib/bindings` in step.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use clinic_desk_core::bindings::{drift, export, read_generated};

    fn export_all(dir: &Path) {
        use clinic_desk_core::compliance::audit::VerifyReport;
        use clinic_desk_core::composer::segments::SegmentInfo;
        use clinic_desk_core::events::CoreEvent;
        use clinic_desk_core::patients::NewPatient;
        use clinic_desk_core::settings::SettingEntry;
        use clinic_desk_core::store::consent::ConsentEvent;
        use clinic_desk_core::store::messages::ThreadMessage;
        use clinic_desk_core::store::optouts::OptState;
        use clinic_desk_core::store::patients::Patient;
        use clinic_desk_core::store::threads::ThreadSummary;
        use clinic_desk_core::IpcError;

        use crate::commands::{AppStatus, SendTextInput, TextPreview, ThreadContext};
        use crate::sync_view::SyncSnapshot;

        export::<AppStatus>(dir).unwrap();
        export::<IpcError>(dir).unwrap();
        export::<NewPatient>(dir).unwrap();
        export::<Patient>(dir).unwrap();
        export::<SegmentInfo>(dir).unwrap();
        export::<ThreadSummary>(dir).unwrap();
        export::<ThreadMessage>(dir).unwrap();
        export::<SendTextInput>(dir).unwrap();
        export::<CoreEvent>(dir).unwrap();
        export::<clinic_desk_core::dashboard::Dashboard>(dir).unwrap();
        export::<SettingEntry>(dir).unwrap();
        export::<ConsentEvent>(dir).unwrap();
        export::<OptState>(dir).unwrap();
        export::<VerifyReport>(dir).unwrap();
        export::<TextPreview>(dir).unwrap();
        export::<ThreadContext>(dir).unwrap();
        export::<SyncSnapshot>(dir).unwrap();
        export::<crate::commands::appointments::AppointmentDay>(dir).unwrap();
        export::<clinic_desk_core::appointments::NewAppointment>(dir).unwrap();
        export::<clinic_desk_core::appointments::AppointmentChanges>(dir).unwrap();
        export::<clinic_desk_core::appointments::Booking>(dir).unwrap();
        export::<clinic_desk_core::appointments::Edited>(dir).unwrap();
        export::<clinic_desk_core::appointments::StatusChanged>(dir).unwrap();
        export::<clinic_desk_core::appointments::csv_import::ImportReport>(dir).unwrap();
        export::<clinic_desk_core::store::flags::StaffFlag>(dir).unwrap();
        export::<clinic_desk_core::store::flags::FlagReason>(dir).unwrap();
        export::<clinic_desk_core::store::flags::FlagResolution>(dir).unwrap();
        export::<crate::commands::compliance::ConsentInput>(dir).unwrap();
        export::<crate::commands::compliance::AuditLine>(dir).unwrap();
        export::<crate::commands::compliance::AuditPage>(dir).unwrap();
        export::<crate::commands::compliance::AuditExportInput>(dir).unwrap();
        export::<crate::commands::compliance::AuditExportResult>(dir).unwrap();
        export::<crate::commands::admin::AdminStatus>(dir).unwrap();
        export::<crate::commands::admin::SaveAndTestInput>(dir).unwrap();
        export::<clinic_desk_core::credentials::CredentialsSummary>(dir).unwrap();
        export::<clinic_desk_core::setup_check::TestReport>(dir).unwrap();
        export::<crate::commands::group::GroupPreviewInput>(dir).unwrap();
        export::<crate::commands::group::GroupSendInput>(dir).unwrap();
        export::<clinic_desk_core::bulk::GroupPreview>(dir).unwrap();
        export::<clinic_desk_core::bulk::GroupReport>(dir).unwrap();
        export::<crate::commands::templates::TemplateList>(dir).unwrap();
        export::<crate::commands::templates::FilledTemplate>(dir).unwrap();
        export::<crate::commands::templates::SavedTemplate>(dir).unwrap();
        export::<crate::reply_alert::OpenChat>(dir).unwrap();
    }

    fn committed_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings")
    }

    #[test]
    fn committed_bindings_match_the_rust_types() {
        let scratch = tempfile::tempdir().unwrap();
        export_all(scratch.path());
        let generated = read_generated(scratch.path()).unwrap();
        assert!(!generated.is_empty());

        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            let dir = committed_dir();
            std::fs::create_dir_all(&dir).unwrap();
            for stale in read_generated(&dir).unwrap().keys() {
                std::fs::remove_file(dir.join(stale)).unwrap();
            }
            for (name, content) in &generated {
                std::fs::write(dir.join(name), content).unwrap();
            }
        }

        let committed = read_generated(&committed_dir()).unwrap();
        let differing = drift(&generated, &committed);
        assert!(
            differing.is_empty(),
            "ui/src/lib/bindings is out of date for {differing:?}; run \
             `UPDATE_BINDINGS=1 cargo test -p clinic-desk bindings` and commit the result"
        );
    }
}
