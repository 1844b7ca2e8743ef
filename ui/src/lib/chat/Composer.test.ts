import { screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderWithBackend, TestId } from "../../test/render";
import { BackendError } from "../backend/errors";
import { MockBackend, mockMessage, type MockOptions } from "../backend/mock";
import Composer from "./Composer.svelte";

const PHONE = "+14155550101";

function renderComposer(options: MockOptions = {}, offReasonId: string | null = null) {
  // A thread we have texted before, so no opt-out footer unless a test wants one.
  const backend = new MockBackend({
    messages: { [PHONE]: [mockMessage({ id: 1, direction: "outbound", status: "delivered" })] },
    ...options,
  });
  const onSent = vi.fn();
  const onOptedOut = vi.fn();
  const view = renderWithBackend(Composer, backend, { phone: PHONE, who: "Sample Patient", offReasonId, onSent, onOptedOut });
  return { backend, onSent, onOptedOut, user: userEvent.setup(), unmount: view.unmount };
}

const input = () => screen.getByTestId(TestId.composerInput) as HTMLTextAreaElement;
const counter = () => screen.getByTestId(TestId.composerCounter);
const sends = (backend: MockBackend) => backend.callsOf("sendText").map((c) => c.args[0]);

describe("Composer", () => {
  it("has a label naming the patient", () => {
    renderComposer();
    expect(screen.getByLabelText("Text to Sample Patient")).toBe(input());
  });

  it("sends on Enter and starts a new line on Shift+Enter", async () => {
    const { backend, onSent, user } = renderComposer();
    await user.type(input(), "Hello{Shift>}{Enter}{/Shift}there");
    expect(input()).toHaveValue("Hello\nthere");
    expect(sends(backend)).toEqual([]);

    await user.keyboard("{Enter}");
    await vi.waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    expect(sends(backend)).toEqual([{ to: PHONE, body: "Hello\nthere" }]);
    expect(input()).toHaveValue("");
  });

  it("sends with the button too, and not when the box is blank", async () => {
    const { backend, onSent, user } = renderComposer();
    expect(screen.getByTestId(TestId.composerSend)).toBeDisabled();
    await user.type(input(), "   {Enter}");
    expect(sends(backend)).toEqual([]);

    await user.clear(input());
    await user.type(input(), "See you at 9");
    await user.click(screen.getByTestId(TestId.composerSend));
    await vi.waitFor(() => expect(onSent).toHaveBeenCalled());
    expect(sends(backend)).toEqual([{ to: PHONE, body: "See you at 9" }]);
  });

  it("counts characters, segments, encoding and cost as the text changes", async () => {
    const { backend, user } = renderComposer({ pricePerSegment: 0.01 });
    expect(counter()).toHaveTextContent("Enter sends · Shift+Enter for a new line");

    await user.type(input(), "Hello");
    await vi.waitFor(() => expect(counter()).toHaveTextContent("5 characters · 1 segment (GSM-7) · est. cost 0.01"));
    // The counter is asked for the number the text goes to (it decides on the opt-out footer).
    expect(backend.callsOf("previewText").at(-1)?.args).toEqual(["Hello", PHONE]);

    await user.clear(input());
    await user.click(input());
    await user.paste("a".repeat(161));
    await vi.waitFor(() => expect(counter()).toHaveTextContent("161 characters · 2 segments (GSM-7) · est. cost 0.02"));

    await user.clear(input());
    await user.click(input());
    await user.paste("See you 👍");
    await vi.waitFor(() => expect(counter()).toHaveTextContent("(UCS-2)"));
    expect(counter()).toHaveTextContent("Special characters (👍)");
  });

  it("says when the opt-out footer will be added to a first text", async () => {
    const { user } = renderComposer({ messages: {} });
    await user.type(input(), "Welcome to the clinic");
    const note = await screen.findByTestId(TestId.composerFooterNote);
    expect(note).toHaveTextContent("“Reply STOP to opt out.” will be added: this is the first text to this number.");
  });

  it("refuses a text over the length limit before sending it", async () => {
    const { backend, user } = renderComposer();
    await user.click(input());
    await user.paste("a".repeat(1601));
    await vi.waitFor(() => expect(counter()).toHaveTextContent("Too long: 1,601 of 1,600 characters. Shorten it by 1."));
    expect(input()).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId(TestId.composerSend)).toBeDisabled();
    await user.keyboard("{Enter}");
    expect(sends(backend)).toEqual([]);
  });

  it("shows only the newest counter when answers arrive out of order", async () => {
    class SlowPreviews extends MockBackend {
      readonly waiting: Array<() => void> = [];
      override async previewText(body: string, to?: string) {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        return super.previewText(body, to);
      }
    }
    const backend = new SlowPreviews();
    renderWithBackend(Composer, backend, {
      phone: PHONE,
      who: "Sample Patient",
      offReasonId: null,
      onSent: vi.fn(),
      onOptedOut: vi.fn(),
    });
    const user = userEvent.setup();
    await user.type(input(), "ab");
    expect(backend.waiting).toHaveLength(2);

    // "ab" plus the first-text footer is 25 characters; "a" alone would be 24.
    backend.waiting[1]!();
    await vi.waitFor(() => expect(counter()).toHaveTextContent("25 characters"));
    backend.waiting[0]!();
    await new Promise((r) => setTimeout(r, 10));
    expect(counter()).toHaveTextContent("25 characters");
  });

  it("outside the sending window, sends anyway only with a reason, and passes the reason on", async () => {
    const { backend, onSent, user } = renderComposer({ quietHours: true });
    await user.type(input(), "Your results are ready{Enter}");

    const warning = await screen.findByTestId(TestId.quietHoursWarning);
    expect(warning).toHaveAttribute("role", "alert");
    expect(warning).toHaveTextContent(/^It is quiet time for \+14155550101/);
    expect(warning).toHaveTextContent("give a reason");
    expect(onSent).not.toHaveBeenCalled();
    expect(input()).toHaveValue("Your results are ready");

    await user.click(screen.getByTestId(TestId.quietHoursOverride));
    const reason = screen.getByTestId(TestId.quietHoursReason);
    await vi.waitFor(() => expect(reason).toHaveFocus());
    expect(screen.getByLabelText(/Why must it go out now/)).toBe(reason);
    expect(screen.getByTestId(TestId.quietHoursConfirm)).toBeDisabled();

    await user.type(reason, "Patient asked for it tonight");
    await user.click(screen.getByTestId(TestId.quietHoursConfirm));
    await vi.waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    expect(sends(backend)).toEqual([
      { to: PHONE, body: "Your results are ready" },
      { to: PHONE, body: "Your results are ready", overrideReason: "Patient asked for it tonight" },
    ]);
    expect(screen.queryByTestId(TestId.quietHoursWarning)).not.toBeInTheDocument();
    expect(input()).toHaveValue("");
  });

  it("can leave a quiet-hours text unsent, keeping the draft", async () => {
    const { backend, user } = renderComposer({ quietHours: true });
    await user.type(input(), "Tomorrow then{Enter}");
    await screen.findByTestId(TestId.quietHoursWarning);
    await user.click(screen.getByTestId(TestId.quietHoursCancel));
    expect(screen.queryByTestId(TestId.quietHoursWarning)).not.toBeInTheDocument();
    expect(input()).toHaveValue("Tomorrow then");
    expect(sends(backend)).toHaveLength(1);
  });

  it("keeps the draft and says what went wrong when a send fails", async () => {
    const { backend, onSent, user } = renderComposer();
    backend.fail("sendText", new BackendError("NotConfigured", ""));
    await user.type(input(), "Hello{Enter}");
    const error = await screen.findByTestId(TestId.composerError);
    expect(error).toHaveTextContent("Texting isn't set up yet.");
    expect(error).not.toHaveTextContent("NotConfigured");
    expect(input()).toHaveValue("Hello");
    expect(onSent).not.toHaveBeenCalled();
  });

  it("keeps an unsent text for its number when the chat is left, and not for another number", async () => {
    const { backend, unmount, user } = renderComposer();
    await user.type(input(), "Your forms are ready");
    unmount();

    const other = renderWithBackend(Composer, backend, {
      phone: "+14155550199",
      who: "Other Patient",
      offReasonId: null,
      onSent: vi.fn(),
      onOptedOut: vi.fn(),
    });
    expect(input()).toHaveValue("");
    other.unmount();

    renderWithBackend(Composer, backend, { phone: PHONE, who: "Sample Patient", offReasonId: null, onSent: vi.fn(), onOptedOut: vi.fn() });
    expect(input()).toHaveValue("Your forms are ready");
  });

  it("forgets a text that went out after its chat was left", async () => {
    const { backend, unmount, user } = renderComposer();
    await user.type(input(), "On my way");
    backend.pause();
    await user.keyboard("{Enter}");
    await vi.waitFor(() => expect(sends(backend)).toHaveLength(1));
    unmount();
    backend.resume();
    // Let the send settle with no composer on screen.
    await new Promise((r) => setTimeout(r, 10));

    renderWithBackend(Composer, backend, { phone: PHONE, who: "Sample Patient", offReasonId: null, onSent: vi.fn(), onOptedOut: vi.fn() });
    expect(input()).toHaveValue("");
  });

  it("keeps what was typed while a text was sending as the next draft", async () => {
    const { backend, onSent, unmount, user } = renderComposer();
    await user.type(input(), "First");
    backend.pause();
    await user.keyboard("{Enter}");
    await vi.waitFor(() => expect(sends(backend)).toHaveLength(1));
    await user.type(input(), " and more");
    backend.resume();
    await vi.waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    unmount();

    renderWithBackend(Composer, backend, { phone: PHONE, who: "Sample Patient", offReasonId: null, onSent: vi.fn(), onOptedOut: vi.fn() });
    expect(input()).toHaveValue("First and more");
  });

  it("is off, with the reason linked, while texting is not allowed", () => {
    renderComposer({}, "why-off");
    expect(input()).toBeDisabled();
    expect(input().getAttribute("aria-describedby")).toContain("why-off");
    expect(screen.getByTestId(TestId.composerSend)).toBeDisabled();
  });
});
