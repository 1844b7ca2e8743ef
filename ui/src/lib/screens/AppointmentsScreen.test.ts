import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import { mockAppointment, mockSms } from "../backend/mock-appointments";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import AppointmentsScreen from "./AppointmentsScreen.svelte";

const TODAY = "2026-03-10";

function sampleDay() {
  return [
    mockAppointment({
      id: 1,
      patientName: "Sample Patient",
      localDate: TODAY,
      localTime: "09:00",
      provider: "Dr. Lee",
      location: "Room 1",
      confirmation: "confirmed",
      sms: mockSms({ state: "submitted", twilioStatus: "delivered", summary: "delivered" }),
    }),
    mockAppointment({
      id: 2,
      patientName: "Example Person",
      phone: "+14155550102",
      localDate: TODAY,
      localTime: "10:30",
      provider: "Dr. Ortiz",
      location: "Room 2",
      confirmation: "reschedule_requested",
      sms: mockSms({
        state: "submitted",
        twilioStatus: "undelivered",
        errorCode: 30006,
        failed: true,
        problem: "the number is a landline or cannot receive texts",
        summary: "SMS failed: the number is a landline or cannot receive texts",
      }),
    }),
    mockAppointment({
      id: 3,
      patientName: "Third Patient",
      phone: "+14155550103",
      localDate: TODAY,
      localTime: "11:00",
      confirmation: "cancel_requested",
      sms: mockSms({ kind: "reminder", state: "queued", summary: "waiting to send" }),
    }),
    mockAppointment({ id: 4, patientName: "Fourth Patient", phone: "+14155550104", localDate: TODAY, localTime: "13:15" }),
  ];
}

function backendWith(options: { smsFailure?: string } = {}) {
  return new MockBackend({
    appointments: { appointments: sampleDay(), today: TODAY, smsFailure: options.smsFailure ?? null },
  });
}

async function rowFor(name: string) {
  const rows = await screen.findAllByTestId(TestId.appointmentRow);
  const row = rows.find((r) => r.textContent?.includes(name));
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

const squash = (el: HTMLElement) => el.textContent?.replace(/\s+/g, " ").trim();
/** A table row's cells, one space apart. */
const cells = (row: HTMLElement) =>
  Array.from(row.children)
    .map((cell) => squash(cell as HTMLElement))
    .join(" ");

describe("Appointments day view", () => {
  it("explains an empty day and offers the way forward", async () => {
    renderWithBackend(AppointmentsScreen, new MockBackend({ appointments: { today: TODAY } }), {});
    const empty = await screen.findByTestId(TestId.appointmentsEmpty);
    expect(empty).toHaveTextContent("No appointments on this day.");
    expect(screen.getByTestId(TestId.appointmentsDay)).toHaveTextContent("(today)");
    expect(screen.getByTestId(TestId.appointmentsToday)).toBeDisabled();
  });

  it("lists each confirmation and text state in words, a failure with its reason", async () => {
    renderWithBackend(AppointmentsScreen, backendWith(), {});
    const rows = await screen.findAllByTestId(TestId.appointmentRow);
    expect(rows).toHaveLength(4);

    const first = await rowFor("Sample Patient");
    expect(within(first).getByRole("rowheader")).toHaveTextContent(/9:00/);
    expect(first).toHaveTextContent("Dr. Lee");
    expect(first).toHaveTextContent("Room 1");
    expect(within(first).getByTestId(TestId.appointmentStatus)).toHaveTextContent("Booked");
    expect(within(first).getByTestId(TestId.appointmentConfirmation)).toHaveTextContent("Confirmed");
    expect(squash(within(first).getByTestId(TestId.appointmentSms))).toBe("SMS delivered Confirmation");

    const failed = await rowFor("Example Person");
    expect(within(failed).getByTestId(TestId.appointmentConfirmation)).toHaveTextContent("Reschedule requested");
    // The reason is on the page, not in a tooltip.
    expect(within(failed).getByTestId(TestId.appointmentSms)).toHaveTextContent(
      "SMS failed: the number is a landline or cannot receive texts",
    );
    expect(within(failed).getByTestId(TestId.appointmentSms)).not.toHaveAttribute("title");

    const third = await rowFor("Third Patient");
    expect(within(third).getByTestId(TestId.appointmentConfirmation)).toHaveTextContent("Cancel requested");
    expect(squash(within(third).getByTestId(TestId.appointmentSms))).toBe("SMS waiting to send Reminder");

    const fourth = await rowFor("Fourth Patient");
    expect(within(fourth).getByTestId(TestId.appointmentConfirmation)).toHaveTextContent("Unconfirmed");
    expect(within(fourth).getByTestId(TestId.appointmentSms)).toHaveTextContent("No text sent yet");
  });

  it("moves between days with previous, next, the picker and today", async () => {
    const backend = backendWith();
    renderWithBackend(AppointmentsScreen, backend, {});
    await screen.findAllByTestId(TestId.appointmentRow);
    const user = userEvent.setup();

    await user.click(screen.getByTestId(TestId.appointmentsNextDay));
    expect(await screen.findByTestId(TestId.appointmentsEmpty)).toBeInTheDocument();
    expect(screen.getByTestId(TestId.appointmentsDay)).not.toHaveTextContent("(today)");
    expect(backend.callsOf("listAppointments").at(-1)?.args).toEqual(["2026-03-11"]);

    await user.click(screen.getByTestId(TestId.appointmentsPrevDay));
    await user.click(screen.getByTestId(TestId.appointmentsPrevDay));
    await waitFor(() => expect(backend.callsOf("listAppointments").at(-1)?.args).toEqual(["2026-03-09"]));

    await user.click(screen.getByTestId(TestId.appointmentsToday));
    expect(await screen.findAllByTestId(TestId.appointmentRow)).toHaveLength(4);
    expect(screen.getByTestId(TestId.appointmentsDate)).toHaveValue(TODAY);
  });

  it("says so in words when the day cannot be read, and retries", async () => {
    const backend = backendWith();
    backend.fail("listAppointments", new BackendError("DatabaseLocked", ""));
    renderWithBackend(AppointmentsScreen, backend, {});
    const error = await screen.findByTestId(TestId.appointmentsError);
    expect(error).toHaveTextContent("The appointments could not be loaded.");
    expect(error).toHaveTextContent(/database is busy/);
    expect(error).not.toHaveTextContent("DatabaseLocked");
    backend.fail("listAppointments", null);
    await userEvent.click(screen.getByTestId(TestId.appointmentsRetry));
    expect(await screen.findAllByTestId(TestId.appointmentRow)).toHaveLength(4);
  });

  it("refreshes when the core announces a change", async () => {
    const backend = backendWith();
    renderWithBackend(AppointmentsScreen, backend, {});
    await screen.findAllByTestId(TestId.appointmentRow);
    await backend.bookAppointment({
      name: "Walk In",
      phone: "(415) 555-0177",
      language: null,
      start: `${TODAY} 15:00`,
      durationMinutes: null,
      provider: "",
      location: "",
    });
    await waitFor(() => expect(screen.getAllByTestId(TestId.appointmentRow)).toHaveLength(5));
    expect(screen.queryByTestId(TestId.appointmentsLoading)).not.toBeInTheDocument();
  });
});

async function openBookForm() {
  const user = userEvent.setup();
  await screen.findByTestId(TestId.appointmentsDay);
  await user.click(screen.getByTestId(TestId.bookButton));
  await screen.findByTestId(TestId.bookForm);
  return user;
}

describe("Booking", () => {
  it("labels every field and starts on the day being viewed", async () => {
    renderWithBackend(AppointmentsScreen, backendWith(), {});
    await openBookForm();
    expect(screen.getByTestId(TestId.bookName)).toHaveFocus();
    for (const label of ["Patient name", "Mobile number", "Date", "Time", "Provider", "Location"]) {
      expect(within(screen.getByTestId(TestId.bookForm)).getByLabelText(label)).toBeInTheDocument();
    }
    expect(screen.getByTestId(TestId.bookDate)).toHaveValue(TODAY);
  });

  it("shows the booking with its queued confirmation", async () => {
    const backend = backendWith();
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = await openBookForm();
    await user.type(screen.getByTestId(TestId.bookName), "Avery Example");
    await user.type(screen.getByTestId(TestId.bookPhone), "(415) 555-0134");
    await user.type(screen.getByTestId(TestId.bookTime), "14:30");
    await user.type(screen.getByTestId(TestId.bookProvider), "Dr. Lee");
    await user.click(screen.getByTestId(TestId.bookSubmit));

    const notice = await screen.findByTestId(TestId.bookedNotice);
    expect(notice).toHaveTextContent(/Booked Avery Example on .*March 10, 2026 at 2:30\sPM with Dr\. Lee\./);
    // The notice follows the text as the list is re-read (queued → waiting to send → sent …).
    await waitFor(() =>
      expect(screen.getByTestId(TestId.bookedSms)).toHaveTextContent("Confirmation text: SMS waiting to send."),
    );
    expect(screen.queryByTestId(TestId.bookForm)).not.toBeInTheDocument();
    expect(backend.callsOf("bookAppointment")[0]?.args[0]).toMatchObject({
      name: "Avery Example",
      phone: "(415) 555-0134",
      start: `${TODAY} 14:30`,
      provider: "Dr. Lee",
    });
    const row = await rowFor("Avery Example");
    expect(within(row).getByTestId(TestId.appointmentSms)).toHaveTextContent("SMS waiting to send");
  });

  it("keeps the booking when the text fails, and says why", async () => {
    renderWithBackend(AppointmentsScreen, backendWith({ smsFailure: "Twilio is not set up yet; an admin can add the account in Settings" }), {});
    const user = await openBookForm();
    await user.type(screen.getByTestId(TestId.bookName), "Avery Example");
    await user.type(screen.getByTestId(TestId.bookPhone), "(415) 555-0134");
    await user.type(screen.getByTestId(TestId.bookTime), "16:00");
    await user.click(screen.getByTestId(TestId.bookSubmit));

    const notice = await screen.findByTestId(TestId.bookedNotice);
    expect(notice).toHaveTextContent("Booked Avery Example");
    expect(screen.getByTestId(TestId.bookedSms)).toHaveTextContent(
      "SMS failed: Twilio is not set up yet; an admin can add the account in Settings. The appointment is booked",
    );
    const row = await rowFor("Avery Example");
    expect(within(row).getByTestId(TestId.appointmentSms)).toHaveTextContent(
      "SMS failed: Twilio is not set up yet; an admin can add the account in Settings",
    );
  });

  it("asks for the number, day and time before calling the core", async () => {
    const backend = backendWith();
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = await openBookForm();
    await user.click(screen.getByTestId(TestId.bookSubmit));
    expect(screen.getByTestId(TestId.bookForm)).toHaveTextContent("Enter the patient's mobile number.");
    expect(screen.getByTestId(TestId.bookPhone)).toHaveFocus();
    await user.type(screen.getByTestId(TestId.bookPhone), "(415) 555-0134");
    await user.click(screen.getByTestId(TestId.bookSubmit));
    expect(screen.getByTestId(TestId.bookForm)).toHaveTextContent("Enter the time of the appointment.");
    expect(backend.callsOf("bookAppointment")).toHaveLength(0);
  });

  it("shows the core's validation error in words and keeps what was typed", async () => {
    const backend = backendWith();
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = await openBookForm();
    // A number not on file needs a name: only the core knows which numbers are on file.
    await user.type(screen.getByTestId(TestId.bookPhone), "(415) 555-0199");
    await user.type(screen.getByTestId(TestId.bookTime), "09:45");
    await user.click(screen.getByTestId(TestId.bookSubmit));
    const error = await screen.findByTestId(TestId.bookError);
    expect(error).toHaveTextContent("The appointment was not booked: +14155550199 is not on file yet; enter the patient's name");
    expect(error).not.toHaveTextContent("InvalidInput");
    expect(screen.getByTestId(TestId.bookPhone)).toHaveValue("(415) 555-0199");

    await user.clear(screen.getByTestId(TestId.bookPhone));
    await user.type(screen.getByTestId(TestId.bookPhone), "12");
    await user.click(screen.getByTestId(TestId.bookSubmit));
    await waitFor(() => expect(screen.getByTestId(TestId.bookError)).toHaveTextContent('"12" is not a phone number'));
    expect(screen.getByTestId(TestId.bookPhone)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId(TestId.bookPhone)).toHaveFocus();
  });

  it("closes with Escape and gives focus back to the button", async () => {
    renderWithBackend(AppointmentsScreen, backendWith(), {});
    const user = await openBookForm();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId(TestId.bookForm)).not.toBeInTheDocument();
    expect(screen.getByTestId(TestId.bookButton)).toHaveFocus();
  });
});

describe("Changing an appointment", () => {
  it("cancels only after confirmation, and keeping it changes nothing", async () => {
    const backend = backendWith();
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = userEvent.setup();
    const row = await rowFor("Fourth Patient");

    await user.click(within(row).getByTestId(TestId.appointmentCancel));
    const keep = screen.getByTestId(TestId.appointmentCancelKeep);
    expect(screen.getByTestId(TestId.appointmentCancelConfirm)).toHaveFocus();
    expect(screen.getByRole("group", { name: /Cancel Fourth Patient at 1:15\sPM\?/ })).toBeInTheDocument();
    await user.click(keep);
    expect(backend.callsOf("cancelAppointment")).toHaveLength(0);
    expect(within(row).getByTestId(TestId.appointmentCancel)).toHaveFocus();

    await user.click(within(row).getByTestId(TestId.appointmentCancel));
    await user.click(screen.getByTestId(TestId.appointmentCancelConfirm));
    expect(await screen.findByTestId(TestId.appointmentsNotice)).toHaveTextContent(
      "Fourth Patient at 1:15 PM is cancelled. 1 unsent text was stopped.",
    );
    const after = await rowFor("Fourth Patient");
    await waitFor(() => expect(within(after).getByTestId(TestId.appointmentStatus)).toHaveTextContent("Cancelled"));
    expect(within(after).queryByTestId(TestId.appointmentCancel)).not.toBeInTheDocument();
    expect(within(after).queryByTestId(TestId.appointmentArrived)).not.toBeInTheDocument();
  });

  it("marks arrived and no-show, and a no-show can still arrive late", async () => {
    const backend = backendWith();
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = userEvent.setup();

    await user.click(within(await rowFor("Sample Patient")).getByRole("button", { name: /Mark Sample Patient at 9:00\sAM arrived/ }));
    expect(await screen.findByTestId(TestId.appointmentsNotice)).toHaveTextContent("Sample Patient is marked arrived.");
    await waitFor(async () =>
      expect(within(await rowFor("Sample Patient")).getByTestId(TestId.appointmentStatus)).toHaveTextContent("Arrived"),
    );

    await user.click(within(await rowFor("Third Patient")).getByTestId(TestId.appointmentNoShow));
    await waitFor(async () =>
      expect(within(await rowFor("Third Patient")).getByTestId(TestId.appointmentStatus)).toHaveTextContent("No-show"),
    );
    const noShow = await rowFor("Third Patient");
    expect(within(noShow).queryByTestId(TestId.appointmentNoShow)).not.toBeInTheDocument();
    await user.click(within(noShow).getByTestId(TestId.appointmentArrived));
    await waitFor(async () =>
      expect(within(await rowFor("Third Patient")).getByTestId(TestId.appointmentStatus)).toHaveTextContent("Arrived"),
    );
  });

  it("shows a refused status change in words on the row", async () => {
    const backend = backendWith();
    backend.fail(
      "markNoShow",
      new BackendError("InvalidInput", "appointment 4 changed meanwhile; reload and try again"),
    );
    renderWithBackend(AppointmentsScreen, backend, {});
    await userEvent.click(within(await rowFor("Fourth Patient")).getByTestId(TestId.appointmentNoShow));
    expect(await screen.findByTestId(TestId.appointmentRowError)).toHaveTextContent(
      "appointment 4 changed meanwhile; reload and try again",
    );
  });

  it("edits time, provider and location, sending only what changed", async () => {
    const backend = backendWith();
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = userEvent.setup();
    await user.click(within(await rowFor("Fourth Patient")).getByTestId(TestId.appointmentEdit));
    const form = await screen.findByTestId(TestId.appointmentEditForm);
    expect(within(form).getByLabelText("Date")).toHaveFocus();
    await user.clear(screen.getByTestId(TestId.appointmentEditTime));
    await user.type(screen.getByTestId(TestId.appointmentEditTime), "15:45");
    await user.type(screen.getByTestId(TestId.appointmentEditProvider), "Dr. Lee");
    await user.click(screen.getByTestId(TestId.appointmentEditSave));

    const notice = await screen.findByTestId(TestId.appointmentsNotice);
    expect(notice).toHaveTextContent("Fourth Patient's appointment is moved to 2026-03-10 at 3:45 PM.");
    expect(notice).toHaveTextContent("New confirmation: SMS queued");
    expect(backend.callsOf("editAppointment")[0]?.args).toEqual([
      4,
      { start: `${TODAY} 15:45`, durationMinutes: null, provider: "Dr. Lee", location: null },
    ]);
    const row = await rowFor("Fourth Patient");
    await waitFor(() => expect(within(row).getByRole("rowheader")).toHaveTextContent(/3:45/));
    expect(row).toHaveTextContent("Dr. Lee");
  });

  it("says when the new time's confirmation could not be texted", async () => {
    const backend = backendWith();
    backend.setSmsFailure("the patient has opted out of texts");
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = userEvent.setup();
    await user.click(within(await rowFor("Fourth Patient")).getByTestId(TestId.appointmentEdit));
    await user.clear(screen.getByTestId(TestId.appointmentEditTime));
    await user.type(screen.getByTestId(TestId.appointmentEditTime), "16:00");
    await user.click(screen.getByTestId(TestId.appointmentEditSave));
    expect(await screen.findByTestId(TestId.appointmentsNotice)).toHaveTextContent(
      "SMS failed: the patient has opted out of texts",
    );
  });
});

const CSV = [
  "Patient Name,Phone,Start,Provider,Location",
  "Avery Example,(415) 555-0134,2026-03-10 08:30,Dr. Lee,Room 1",
  '"Rivera, Ana",(415) 555-0135,2026-03-10 09:30,Dr. Lee,"Room 2, east wing"',
  "",
  "No Number,,2026-03-10 10:00,Dr. Lee,Room 1",
  "Bad Number,12,2026-03-10 10:00,Dr. Lee,Room 1",
  "Bad Date,(415) 555-0136,next tuesday,Dr. Lee,Room 1",
  "Avery Example,(415) 555-0134,2026-03-10 08:30,Dr. Lee,Room 1",
].join("\r\n");

async function openImport() {
  const user = userEvent.setup();
  await screen.findByTestId(TestId.appointmentsDay);
  await user.click(screen.getByTestId(TestId.importButton));
  await screen.findByTestId(TestId.importPanel);
  return user;
}

describe("CSV import", () => {
  it("shows progress while importing, then every row with its reason and the counts", async () => {
    const backend = new MockBackend({ appointments: { today: TODAY } });
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = await openImport();
    expect(screen.getByLabelText("CSV file")).toHaveFocus();

    backend.pause();
    await user.upload(screen.getByTestId(TestId.importFile), new File([CSV], "monday.csv", { type: "text/csv" }));
    const progress = await screen.findByTestId(TestId.importProgress);
    await waitFor(() => expect(progress).toHaveTextContent("Importing monday.csv…"));
    expect(within(progress).getByRole("progressbar")).toBeInTheDocument();
    backend.resume();

    const report = await screen.findByTestId(TestId.importReport);
    expect(screen.queryByTestId(TestId.importProgress)).not.toBeInTheDocument();
    expect(screen.getByTestId(TestId.importSummary)).toHaveTextContent(
      "monday.csv: 2 rows imported, 4 rows skipped, 2 new patients added.",
    );
    expect(report).toHaveTextContent("Imported: 2");
    expect(report).toHaveTextContent("Skipped: 4");
    const rows = within(report).getAllByTestId(TestId.importRow).map(cells);
    expect(rows).toEqual([
      "2 Imported New patient added",
      "3 Imported New patient added",
      "5 Skipped missing phone number",
      '6 Skipped invalid phone number "12"',
      '7 Skipped unknown date format "next tuesday"',
      "8 Skipped duplicate of row 2",
    ]);
    expect(backend.callsOf("importAppointmentsCsv")[0]?.args[0]).toBe(CSV);
    // The imported rows are on today's list without a click.
    await waitFor(() => expect(screen.getAllByTestId(TestId.appointmentRow)).toHaveLength(2));
  });

  it("adds nothing when the same file is imported again", async () => {
    const backend = new MockBackend({ appointments: { today: TODAY } });
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = await openImport();
    const file = () => new File(["Name,Phone,Start\nAvery Example,(415) 555-0134,2026-03-10 08:30\n"], "day.csv");
    await user.upload(screen.getByTestId(TestId.importFile), file());
    expect(await screen.findByTestId(TestId.importSummary)).toHaveTextContent("1 row imported");
    await user.upload(screen.getByTestId(TestId.importFile), file());
    await waitFor(() =>
      expect(screen.getByTestId(TestId.importSummary)).toHaveTextContent("day.csv: Nothing new: all 1 row were already imported."),
    );
    expect(cells(screen.getByTestId(TestId.importRow))).toBe("2 Skipped already imported");
    expect(screen.getAllByTestId(TestId.appointmentRow)).toHaveLength(1);
  });

  it("explains a file the core cannot read as a schedule", async () => {
    renderWithBackend(AppointmentsScreen, new MockBackend({ appointments: { today: TODAY } }), {});
    const user = await openImport();
    await user.upload(screen.getByTestId(TestId.importFile), new File(["Name,Start\nA,2026-03-10 08:30\n"], "names.csv"));
    expect(await screen.findByTestId(TestId.importError)).toHaveTextContent(
      'names.csv was not imported: the file has no phone column; add a column headed "Phone"',
    );
  });

  it("refuses UTF-16 files with what to do instead", async () => {
    const backend = new MockBackend({ appointments: { today: TODAY } });
    renderWithBackend(AppointmentsScreen, backend, {});
    const user = await openImport();
    const utf16 = new Uint8Array([0xff, 0xfe, 0x4e, 0x00]);
    await user.upload(screen.getByTestId(TestId.importFile), new File([utf16], "excel.csv"));
    expect(await screen.findByTestId(TestId.importError)).toHaveTextContent('Save it as "CSV UTF-8"');
    expect(backend.callsOf("importAppointmentsCsv")).toHaveLength(0);
  });
  it("opens the group message panel for the day shown and closes it back to its button", async () => {
    const backend = new MockBackend({ appointments: { appointments: sampleDay(), today: TODAY } });
    renderWithBackend(AppointmentsScreen, backend, {});
    await screen.findByTestId(TestId.appointmentList);
    const user = userEvent.setup();
    await user.click(screen.getByTestId(TestId.groupButton));
    const panel = await screen.findByTestId(TestId.groupPanel);
    expect(panel).toHaveTextContent("Group message for");
    expect(within(panel).getAllByRole("option", { hidden: true }).map((o) => o.textContent)).toContain("Dr. Ortiz");
    await user.click(screen.getByTestId(TestId.groupClose));
    expect(screen.queryByTestId(TestId.groupPanel)).toBeNull();
    expect(screen.getByTestId(TestId.groupButton)).toHaveFocus();
  });
});
