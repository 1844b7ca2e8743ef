use std::path::Path;

use clap::Subcommand;

use clinic_desk_core::patients::{add_patient, list_patients, NewPatient};
use clinic_desk_core::store::patients::Patient;
use clinic_desk_core::{Result, Store};

use crate::output::Output;

#[derive(Subcommand)]
pub enum PatientsCommand {
    /// Add a patient with their mobile number.
    Add {
        #[arg(long)]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        /// Any common format; national numbers are read in the clinic's region.
        #[arg(long)]
        phone: String,
        /// Language code for templates, e.g. en or es (default en).
        #[arg(long)]
        language: Option<String>,
        /// IANA time zone if not the clinic's, e.g. America/Denver.
        #[arg(long)]
        time_zone: Option<String>,
    },
    /// List patients with their numbers.
    List,
}

fn describe(patient: &Patient) -> String {
    let phones: Vec<&str> = patient.phones.iter().map(|p| p.e164.as_str()).collect();
    format!(
        "{:>5}  {} {}  {}",
        patient.id,
        patient.first_name,
        patient.last_name,
        phones.join(", ")
    )
}

pub fn run(db: &Path, command: PatientsCommand, out: &Output) -> Result<()> {
    let store = Store::open(db)?;
    match command {
        PatientsCommand::Add {
            first_name,
            last_name,
            phone,
            language,
            time_zone,
        } => {
            let patient = add_patient(
                &store,
                &NewPatient {
                    first_name,
                    last_name,
                    phone,
                    preferred_language: language,
                    time_zone,
                },
            )?;
            out.emit(&patient, || format!("added {}", describe(&patient)));
        }
        PatientsCommand::List => {
            let patients = list_patients(&store)?;
            out.emit(&patients, || {
                if patients.is_empty() {
                    "no patients yet".to_string()
                } else {
                    patients.iter().map(describe).collect::<Vec<_>>().join("\n")
                }
            });
        }
    }
    Ok(())
}
