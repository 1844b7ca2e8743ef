import { screen, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import type { Dashboard } from "../bindings";
import { BackendError } from "../backend/errors";
import { MockBackend } from "../backend/mock";
import DashboardScreen from "./DashboardScreen.svelte";

function figures(overrides: Partial<Dashboard> = {}): Dashboard {
  return {
    delivery: { delivered: 97, failed: 3, rate: 0.97, alert: false },
    perDay: [
      { date: "2026-03-10", inbound: 4, outbound: 10 },
      { date: "2026-03-11", inbound: 2, outbound: 7 },
    ],
    perMonth: [
      { month: "2026-02", segments: 0, cost: 0, estimated: 0 },
      { month: "2026-03", segments: 120, cost: 1.23, estimated: 0.05 },
    ],
    failures: [
      { errorCode: 30003, description: "the phone is unreachable", count: 2 },
      { errorCode: null, description: "no reason given by the carrier", count: 1 },
    ],
    ...overrides,
  };
}

describe("Dashboard", () => {
  it("explains that there is nothing yet for a clinic that has not texted", async () => {
    renderWithBackend(DashboardScreen, new MockBackend(), {});
    expect(await screen.findByTestId(TestId.dashboardEmpty)).toHaveTextContent("Nothing to report yet.");
  });

  it("shows the delivery rate, the charts' figures, cost per month and failures in words", async () => {
    renderWithBackend(DashboardScreen, new MockBackend({ dashboard: figures() }), {});
    const delivery = await screen.findByTestId(TestId.dashboardDelivery);
    expect(delivery).toHaveTextContent("97.0 % of texts delivered in the last 30 days");
    expect(delivery).toHaveTextContent("97 delivered, 3 not delivered");
    expect(screen.queryByTestId(TestId.dashboardAlert)).not.toBeInTheDocument();

    const perDay = within(screen.getByTestId(TestId.dashboardPerDay));
    const row = perDay.getByRole("row", { name: /3\/10/ });
    expect(row).toHaveTextContent("10");
    expect(row).toHaveTextContent("4");

    const months = screen.getByRole("table", { name: "Segments and cost per month" });
    expect(within(months).getAllByRole("row")).toHaveLength(2);
    expect(months).toHaveTextContent("120");
    expect(months).toHaveTextContent("$1.23 ($0.05 estimated)");

    const failures = screen.getByTestId(TestId.dashboardFailures);
    expect(failures).toHaveTextContent("the phone is unreachable (Twilio 30003)");
    expect(failures).toHaveTextContent("no reason given by the carrier");
  });

  it("raises an alert when fewer than 95 % of texts are delivered", async () => {
    const low = figures({ delivery: { delivered: 90, failed: 10, rate: 0.9, alert: true } });
    renderWithBackend(DashboardScreen, new MockBackend({ dashboard: low }), {});
    const alert = await screen.findByTestId(TestId.dashboardAlert);
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent("Fewer than 95 % of texts reached patients");
  });

  it("says so in words when the figures cannot be read, and retries", async () => {
    const backend = new MockBackend({
      dashboard: figures(),
      failures: { dashboard: new BackendError("Storage", "The database could not be read.") },
    });
    renderWithBackend(DashboardScreen, backend, {});
    const error = await screen.findByTestId(TestId.dashboardError);
    expect(error).toHaveTextContent("The database could not be read.");
    backend.fail("dashboard", null);
    within(error).getByRole("button", { name: "Try again" }).click();
    expect(await screen.findByTestId(TestId.dashboardDelivery)).toBeInTheDocument();
  });
});
