import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import type { AuditLine, StaffFlag } from "../bindings";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import ComplianceScreen from "./ComplianceScreen.svelte";

const PHONE = "+14155550134";

function flag(overrides: Partial<StaffFlag> = {}): StaffFlag {
  return {
    id: 1,
    phone: PHONE,
    messageId: 10,
    messageSid: "SM0001",
    body: "please stop texting me",
    reason: "plain_words_opt_out",
    appointmentId: null,
    createdAt: Date.UTC(2026, 2, 10, 15, 0),
    resolvedAt: null,
    resolvedBy: null,
    ...overrides,
  };
}

function auditRows(count: number): AuditLine[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    at: Date.UTC(2026, 2, 1) + i * 60_000,
    actor: i % 2 ? "system" : "front desk",
    action: i % 2 ? "text.sent" : "consent.granted",
    subject: i % 3 === 0 ? "+14155550199" : PHONE,
    detail: JSON.stringify({ message_id: i }),
  }));
}

async function openTab(name: keyof typeof TestId) {
  await userEvent.click(screen.getByTestId(TestId[name]));
}

describe("Compliance: texts waiting for staff", () => {
  it("says plainly when nothing is waiting, on every list", async () => {
    renderWithBackend(ComplianceScreen, new MockBackend(), {});
    expect(await screen.findByTestId(TestId.flagsEmpty)).toHaveTextContent("Nothing is waiting for staff.");
    await openTab("complianceTabOptOuts");
    expect(await screen.findByTestId(TestId.optOutsEmpty)).toHaveTextContent("No one has opted out.");
    await openTab("complianceTabConsent");
    expect(await screen.findByTestId(TestId.consentEmpty)).toHaveTextContent("No consent records yet.");
    await openTab("complianceTabAudit");
    expect(await screen.findByTestId(TestId.auditEmpty)).toHaveTextContent("The audit log is empty.");
  });

  it("shows the patient's words and the reason, and confirming opts the number out", async () => {
    const backend = new MockBackend({ flags: [flag()] });
    renderWithBackend(ComplianceScreen, backend, {});
    const row = await screen.findByTestId(TestId.flagRow);
    expect(row).toHaveTextContent("(415) 555-0134");
    expect(row).toHaveTextContent("please stop texting me");
    expect(within(row).getByTestId(TestId.flagReason)).toHaveTextContent("Sounds like they want no more texts");
    expect(screen.getByTestId(TestId.complianceFlagCount)).toHaveTextContent("1");

    await userEvent.click(within(row).getByTestId(TestId.flagConfirm));
    await waitFor(() => expect(screen.queryByTestId(TestId.flagRow)).not.toBeInTheDocument());
    expect(screen.getByTestId(TestId.flagsStatus)).toHaveTextContent("(415) 555-0134 is now opted out");
    expect(screen.getByTestId(TestId.flagsStatus)).toHaveFocus();
    expect(backend.callsOf("resolveFlag")[0]?.args).toEqual([1, "opted_out"]);
    expect((await backend.threadContext(PHONE)).optedOut).toBe(true);

    await openTab("complianceTabOptOuts");
    const optOut = await screen.findByTestId(TestId.optOutRow);
    expect(optOut).toHaveTextContent("No — opted out");
    expect(optOut).toHaveTextContent("Staff confirmed the patient's request");
    expect(optOut).toHaveTextContent("SM0001");
  });

  it("dismisses a flag without opting out, and offers 'handled' for a reschedule request", async () => {
    const backend = new MockBackend({
      flags: [flag(), flag({ id: 2, messageId: 11, body: "R", reason: "reschedule_requested", createdAt: 1 })],
    });
    renderWithBackend(ComplianceScreen, backend, {});
    const rows = await screen.findAllByTestId(TestId.flagRow);
    expect(rows).toHaveLength(2);
    const reschedule = rows[1]!;
    expect(within(reschedule).queryByTestId(TestId.flagConfirm)).not.toBeInTheDocument();
    expect(within(reschedule).getByTestId(TestId.flagReason)).toHaveTextContent("Asks to reschedule");

    await userEvent.click(within(rows[0]!).getByTestId(TestId.flagDismiss));
    await waitFor(() => expect(screen.getAllByTestId(TestId.flagRow)).toHaveLength(1));
    expect((await backend.threadContext(PHONE)).optedOut).toBe(false);

    await userEvent.click(within(screen.getByTestId(TestId.flagRow)).getByTestId(TestId.flagDone));
    expect(await screen.findByTestId(TestId.flagsEmpty)).toBeInTheDocument();
    expect(backend.callsOf("resolveFlag").map((c) => c.args)).toEqual([
      [1, "dismissed"],
      [2, "done"],
    ]);
  });

  it("keeps the flag and says why in words when resolving fails", async () => {
    const backend = new MockBackend({
      flags: [flag()],
      failures: { resolveFlag: new BackendError("DatabaseLocked", "") },
    });
    renderWithBackend(ComplianceScreen, backend, {});
    await userEvent.click(await screen.findByTestId(TestId.flagConfirm));
    const error = await screen.findByTestId(TestId.flagError);
    expect(error).toHaveTextContent("The clinic database is busy right now");
    expect(screen.getByTestId(TestId.flagRow)).toBeInTheDocument();
  });

  it("shows a flag raised while the screen is open, without a click", async () => {
    const backend = new MockBackend();
    renderWithBackend(ComplianceScreen, backend, {});
    await screen.findByTestId(TestId.flagsEmpty);
    backend.addFlag(flag());
    expect(await screen.findByTestId(TestId.flagRow)).toHaveTextContent("please stop texting me");
  });

  it("moves between sections with the arrow keys", async () => {
    renderWithBackend(ComplianceScreen, new MockBackend(), {});
    const first = screen.getByTestId(TestId.complianceTabFlags);
    first.focus();
    await userEvent.keyboard("{ArrowRight}");
    expect(screen.getByTestId(TestId.complianceTabOptOuts)).toHaveFocus();
    expect(screen.getByTestId(TestId.complianceTabOptOuts)).toHaveAttribute("aria-selected", "true");
    await userEvent.keyboard("{End}");
    expect(screen.getByTestId(TestId.complianceTabAudit)).toHaveFocus();
    await userEvent.keyboard("{ArrowRight}");
    expect(first).toHaveFocus();
  });

  it("reports a list that cannot be read in words, with a retry", async () => {
    const backend = new MockBackend({
      flags: [flag()],
      failures: { listStaffFlags: new BackendError("Storage", "the database could not be read") },
    });
    renderWithBackend(ComplianceScreen, backend, {});
    const error = await screen.findByTestId(TestId.flagsError);
    expect(error).toHaveTextContent("The database could not be read.");
    backend.fail("listStaffFlags", null);
    await userEvent.click(within(error).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId(TestId.flagRow)).toBeInTheDocument();
  });
});

describe("Compliance: opt-outs and consent", () => {
  it("lists opt-outs with their evidence in words", async () => {
    const backend = new MockBackend({
      optStates: [
        { phone: PHONE, state: "opted_out", keyword: "STOP", sid: "SM1234", at: 2_000, source: "keyword" },
        { phone: "+14155550199", state: "opted_in", keyword: "START", sid: "SM5678", at: 1_000, source: "keyword" },
        { phone: "+14155550111", state: "opted_out", keyword: null, sid: "SM9999", at: 3_000, source: "twilio_21610" },
      ],
    });
    renderWithBackend(ComplianceScreen, backend, {});
    await openTab("complianceTabOptOuts");
    const rows = await screen.findAllByTestId(TestId.optOutRow);
    expect(rows.map((r) => r.dataset.state)).toEqual(["opted_out", "opted_out", "opted_in"]);
    expect(rows[0]).toHaveTextContent("error 21610");
    expect(rows[1]).toHaveTextContent('Patient texted "STOP"');
    expect(rows[1]).toHaveTextContent("SM1234");
    expect(rows[2]).toHaveTextContent("Yes — opted back in");
  });

  it("adds a consent record and lists it", async () => {
    const backend = new MockBackend();
    renderWithBackend(ComplianceScreen, backend, {});
    await openTab("complianceTabConsent");
    await screen.findByTestId(TestId.consentEmpty);
    await userEvent.type(screen.getByLabelText("Mobile number"), "(415) 555-0134");
    await userEvent.selectOptions(screen.getByLabelText("How"), "verbal");
    await userEvent.type(screen.getByLabelText(/Note/), "Asked at the desk");
    await userEvent.click(screen.getByTestId(TestId.consentSubmit));

    expect(await screen.findByTestId(TestId.consentSaved)).toHaveTextContent("Saved: agreed to texts for (415) 555-0134.");
    const row = await screen.findByTestId(TestId.consentRow);
    expect(row).toHaveTextContent("Agreed to texts");
    expect(row).toHaveTextContent("Said so in person or by phone");
    expect(row).toHaveTextContent("Asked at the desk");
    expect(row).toHaveTextContent("front desk");
    expect(backend.callsOf("recordConsent")[0]?.args[0]).toEqual({
      phone: "(415) 555-0134",
      kind: "granted",
      method: "verbal",
      note: "Asked at the desk",
    });
    expect(screen.getByLabelText("Mobile number")).toHaveValue("");
  });

  it("explains a number it cannot use, marks the field and keeps the form", async () => {
    const backend = new MockBackend();
    renderWithBackend(ComplianceScreen, backend, {});
    await openTab("complianceTabConsent");
    const phone = screen.getByLabelText("Mobile number");
    await userEvent.click(screen.getByTestId(TestId.consentSubmit));
    expect(screen.getByTestId(TestId.consentFormError)).toHaveTextContent("Enter the patient's mobile number.");
    expect(backend.callsOf("recordConsent")).toHaveLength(0);

    await userEvent.type(phone, "12");
    await userEvent.type(screen.getByLabelText(/Note/), "kept");
    await userEvent.click(screen.getByTestId(TestId.consentSubmit));
    const error = await screen.findByTestId(TestId.consentFormError);
    expect(error).toHaveTextContent("isn't a phone number");
    expect(phone).toHaveAttribute("aria-invalid", "true");
    expect(phone).toHaveFocus();
    expect(screen.getByLabelText(/Note/)).toHaveValue("kept");
    expect(screen.queryByTestId(TestId.consentRow)).not.toBeInTheDocument();
  });

  it("shows the core's reason for a note it refuses", async () => {
    renderWithBackend(ComplianceScreen, new MockBackend(), {});
    await openTab("complianceTabConsent");
    await userEvent.type(screen.getByLabelText("Mobile number"), "4155550134");
    await userEvent.click(screen.getByLabelText(/Note/));
    await userEvent.paste("x".repeat(501));
    await userEvent.click(screen.getByTestId(TestId.consentSubmit));
    expect(await screen.findByTestId(TestId.consentFormError)).toHaveTextContent(
      "The note is too long; keep it to 500 characters.",
    );
  });
});

describe("Compliance: audit log", () => {
  it("pages newest first and filters by number", async () => {
    const backend = new MockBackend({ audit: auditRows(7) });
    renderWithBackend(ComplianceScreen, backend, {});
    await openTab("complianceTabAudit");
    const rows = await screen.findAllByTestId(TestId.auditRow);
    expect(rows.length).toBe(7);
    // seq 7 is the newest: a consent record, then seq 6, a text sent.
    expect(rows[0]).toHaveTextContent("Consent recorded");
    expect(rows[1]).toHaveTextContent("Text sent");
    expect(screen.getByTestId(TestId.auditPageInfo)).toHaveTextContent("Entries 1–7 of 7");
    expect(screen.getByTestId(TestId.auditNewer)).toBeDisabled();
    expect(screen.getByTestId(TestId.auditOlder)).toBeDisabled();

    await userEvent.type(screen.getByTestId(TestId.auditPhoneFilter), "(415) 555-0199");
    await userEvent.click(screen.getByRole("button", { name: "Show" }));
    await waitFor(() => expect(screen.getAllByTestId(TestId.auditRow)).toHaveLength(3));
    expect(backend.callsOf("readAudit").at(-1)?.args[0]).toEqual({ page: 0, pageSize: 50, phone: "(415) 555-0199" });
  });

  it("moves to older and newer pages", async () => {
    const backend = new MockBackend({ audit: auditRows(120) });
    renderWithBackend(ComplianceScreen, backend, {});
    await openTab("complianceTabAudit");
    await screen.findAllByTestId(TestId.auditRow);
    expect(screen.getByTestId(TestId.auditPageInfo)).toHaveTextContent("Entries 1–50 of 120");
    await userEvent.click(screen.getByTestId(TestId.auditOlder));
    await userEvent.click(await screen.findByTestId(TestId.auditOlder));
    await waitFor(() => expect(screen.getByTestId(TestId.auditPageInfo)).toHaveTextContent("Entries 101–120 of 120"));
    expect(screen.getAllByTestId(TestId.auditRow)).toHaveLength(20);
    expect(screen.getByTestId(TestId.auditOlder)).toBeDisabled();
    await userEvent.click(screen.getByTestId(TestId.auditNewer));
    await waitFor(() => expect(screen.getByTestId(TestId.auditPageInfo)).toHaveTextContent("Entries 51–100 of 120"));
  });

  it("verifies the chain: intact with the row count", async () => {
    renderWithBackend(ComplianceScreen, new MockBackend({ audit: auditRows(12) }), {});
    await openTab("complianceTabAudit");
    await userEvent.click(screen.getByTestId(TestId.auditVerify));
    const result = await screen.findByTestId(TestId.auditVerifyResult);
    expect(result).toHaveAttribute("data-ok", "true");
    expect(result).toHaveAttribute("role", "status");
    expect(result).toHaveTextContent("The audit log is intact: 12 entries checked");
  });

  it("verifies the chain: a broken one says which row, as an alert", async () => {
    const backend = new MockBackend({
      audit: auditRows(12),
      verify: {
        ok: false,
        rows: 4,
        lastSeq: 12,
        lastHash: null,
        problem: { kind: "edited", seq: 5 },
        message: "the audit log has been tampered with: row 5 was edited; rows before it are intact",
      },
    });
    renderWithBackend(ComplianceScreen, backend, {});
    await openTab("complianceTabAudit");
    await userEvent.click(screen.getByTestId(TestId.auditVerify));
    const result = await screen.findByTestId(TestId.auditVerifyResult);
    expect(result).toHaveAttribute("role", "alert");
    expect(result).toHaveTextContent("The audit log has been tampered with: row 5 was edited");
    expect(result).toHaveTextContent("tell your clinic admin");
  });

  it("exports a date range and says where the file is", async () => {
    const backend = new MockBackend({ audit: auditRows(6) });
    renderWithBackend(ComplianceScreen, backend, {});
    await openTab("complianceTabAudit");
    const from = screen.getByTestId(TestId.auditExportFrom);
    const to = screen.getByTestId(TestId.auditExportTo);
    await userEvent.clear(to);
    await userEvent.type(from, "2026-03-01");
    await userEvent.type(to, "2026-03-31");
    await userEvent.type(screen.getByTestId(TestId.auditExportPhone), "(415) 555-0134");
    await userEvent.click(screen.getByTestId(TestId.auditExport));
    const result = await screen.findByTestId(TestId.auditExportResult);
    expect(result).toHaveTextContent("Saved 4 entries to /home/front-desk/Documents/clinic-desk-audit.csv");
    expect(backend.callsOf("exportAudit")[0]?.args[0]).toEqual({
      from: "2026-03-01",
      to: "2026-03-31",
      phone: "(415) 555-0134",
    });
  });

  it("sends the receptionist to unlock Settings when an export needs the admin", async () => {
    const backend = new MockBackend({
      audit: auditRows(3),
      failures: {
        exportAudit: new BackendError("AdminRequired", "only an admin can do this; enter the admin passphrase first"),
      },
    });
    renderWithBackend(ComplianceScreen, backend, {});
    await openTab("complianceTabAudit");
    await userEvent.click(screen.getByTestId(TestId.auditExport));
    expect(await screen.findByTestId(TestId.auditExportError)).toHaveTextContent(
      "Exporting the audit log needs the admin passphrase: unlock Settings, then export again.",
    );
  });

  it("explains a reversed date range in words", async () => {
    renderWithBackend(ComplianceScreen, new MockBackend(), {});
    await openTab("complianceTabAudit");
    const to = screen.getByTestId(TestId.auditExportTo);
    await userEvent.clear(to);
    await userEvent.type(screen.getByTestId(TestId.auditExportFrom), "2026-03-10");
    await userEvent.type(to, "2026-03-01");
    await userEvent.click(screen.getByTestId(TestId.auditExport));
    expect(await screen.findByTestId(TestId.auditExportError)).toHaveTextContent(
      "The start date 2026-03-10 is after the end date 2026-03-01; swap them.",
    );
  });
});
