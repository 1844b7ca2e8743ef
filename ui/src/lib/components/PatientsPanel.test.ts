import { screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { patient } from "../../test/fixtures";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import PatientsPanel from "./PatientsPanel.svelte";

async function openForm() {
  const user = userEvent.setup();
  await user.click(screen.getByTestId(TestId.newPatientButton));
  const form = await screen.findByTestId(TestId.newPatientForm);
  return { user, form };
}

async function fillAndSubmit(first: string, last: string, phone: string) {
  const { user, form } = await openForm();
  if (first) await user.type(screen.getByTestId(TestId.newPatientFirstName), first);
  if (last) await user.type(screen.getByTestId(TestId.newPatientLastName), last);
  if (phone) await user.type(screen.getByTestId(TestId.newPatientPhone), phone);
  await user.click(screen.getByTestId(TestId.newPatientSubmit));
  return { user, form };
}

describe("Patients panel", () => {
  it("explains an empty patient list", async () => {
    renderWithBackend(PatientsPanel, new MockBackend(), {});
    expect(await screen.findByTestId(TestId.patientsEmpty)).toHaveTextContent("No patients yet.");
  });

  it("lists patients with readable numbers and flags landlines", async () => {
    const backend = new MockBackend({
      patients: [
        patient(),
        patient({
          id: 2,
          firstName: "Example",
          lastName: "Person",
          phones: [{ e164: "+14155550102", lineType: "landline" }],
        }),
      ],
    });
    renderWithBackend(PatientsPanel, backend, {});
    await screen.findByTestId(TestId.patientList);
    const rows = screen.getAllByTestId(TestId.patientRow);
    expect(rows.map((r) => r.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "Sample Patient (415) 555-0101",
      "Example Person (415) 555-0102 · Landline, can't receive texts",
    ]);
  });

  it("shows a loading error in plain words with a working retry", async () => {
    const backend = new MockBackend({
      patients: [patient()],
      failures: { listPatients: new BackendError("Storage", "") },
    });
    renderWithBackend(PatientsPanel, backend, {});
    const error = await screen.findByTestId(TestId.patientsError);
    expect(error).toHaveTextContent("We couldn't load the patient list.");
    expect(error).toHaveTextContent(/couldn't read or save its data/i);
    expect(error).not.toHaveTextContent("Storage");

    backend.fail("listPatients", null);
    await userEvent.click(screen.getByTestId(TestId.patientsRetry));
    expect(await screen.findByTestId(TestId.patientRow)).toHaveTextContent("Sample Patient");
  });
});

describe("New patient form", () => {
  it("moves focus to the first field when opened", async () => {
    renderWithBackend(PatientsPanel, new MockBackend(), {});
    await openForm();
    expect(screen.getByTestId(TestId.newPatientFirstName)).toHaveFocus();
    expect(screen.getByLabelText("First name")).toBe(screen.getByTestId(TestId.newPatientFirstName));
    expect(screen.getByLabelText("Last name")).toBe(screen.getByTestId(TestId.newPatientLastName));
    expect(screen.getByLabelText("Mobile number")).toBe(screen.getByTestId(TestId.newPatientPhone));
  });

  it("saves a patient, closes the form and shows them in the list", async () => {
    const backend = new MockBackend();
    renderWithBackend(PatientsPanel, backend, {});
    await screen.findByTestId(TestId.patientsEmpty);

    await fillAndSubmit("  Avery ", "Example", "(415) 555-0134");

    expect(await screen.findByTestId(TestId.newPatientSaved)).toHaveTextContent("Added Avery Example.");
    expect(screen.queryByTestId(TestId.newPatientForm)).not.toBeInTheDocument();
    const row = await screen.findByTestId(TestId.patientRow);
    expect(row).toHaveTextContent("Avery Example");
    expect(row).toHaveTextContent("(415) 555-0134");
    expect(screen.getByTestId(TestId.newPatientButton)).toHaveFocus();

    const add = backend.calls.find((c) => c.method === "addPatient");
    expect(add?.args).toEqual([
      {
        firstName: "Avery",
        lastName: "Example",
        phone: "(415) 555-0134",
        preferredLanguage: null,
        timeZone: null,
      },
    ]);
  });

  it("shows the core's message inline when the number is rejected, and keeps the input", async () => {
    const backend = new MockBackend();
    renderWithBackend(PatientsPanel, backend, {});
    await screen.findByTestId(TestId.patientsEmpty);

    const { form } = await fillAndSubmit("Avery", "Example", "12");

    const error = await within(form).findByTestId(TestId.newPatientError);
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent(/isn't a phone number we can text/);
    expect(error).not.toHaveTextContent("InvalidNumber");
    const phone = screen.getByTestId(TestId.newPatientPhone);
    expect(phone).toHaveAttribute("aria-invalid", "true");
    expect(phone).toHaveValue("12");
    expect(phone).toHaveFocus();
    expect(screen.getByTestId(TestId.newPatientFirstName)).toHaveValue("Avery");
    expect(screen.queryByTestId(TestId.patientRow)).not.toBeInTheDocument();
    expect(screen.queryByTestId(TestId.newPatientSaved)).not.toBeInTheDocument();
  });

  it("asks for missing fields without calling the core", async () => {
    const backend = new MockBackend();
    renderWithBackend(PatientsPanel, backend, {});
    await fillAndSubmit("", "Example", "");

    expect(await screen.findByText("Enter the patient's first name.")).toBeInTheDocument();
    expect(screen.getByText("Enter the patient's mobile number.")).toBeInTheDocument();
    expect(screen.queryByText("Enter the patient's last name.")).not.toBeInTheDocument();
    expect(screen.getByTestId(TestId.newPatientFirstName)).toHaveFocus();
    expect(screen.getByTestId(TestId.newPatientFirstName)).toHaveAttribute("aria-invalid", "true");
    expect(backend.calls.some((c) => c.method === "addPatient")).toBe(false);
  });

  it("shows other failures from the core, such as a duplicate number", async () => {
    const backend = new MockBackend({ patients: [patient()] });
    renderWithBackend(PatientsPanel, backend, {});
    await screen.findByTestId(TestId.patientList);

    await fillAndSubmit("Other", "Example", "415-555-0101");

    expect(await screen.findByTestId(TestId.newPatientError)).toHaveTextContent(
      "A patient with this mobile number is already on file.",
    );
    // Not a phone-format problem, so the phone field isn't blamed.
    expect(screen.getByTestId(TestId.newPatientPhone)).toHaveAttribute("aria-invalid", "false");
    expect(screen.getAllByTestId(TestId.patientRow)).toHaveLength(1);
  });

  it("closes on Cancel without saving", async () => {
    const backend = new MockBackend();
    renderWithBackend(PatientsPanel, backend, {});
    const { user } = await openForm();
    await user.type(screen.getByTestId(TestId.newPatientFirstName), "Avery");
    await user.click(screen.getByTestId(TestId.newPatientCancel));
    expect(screen.queryByTestId(TestId.newPatientForm)).not.toBeInTheDocument();
    expect(backend.calls.some((c) => c.method === "addPatient")).toBe(false);
  });
});
