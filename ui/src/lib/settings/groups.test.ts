import { describe, expect, it } from "vitest";
import { MOCK_SETTINGS } from "../backend/mock";
import { groupOf, groupSettings, labelOf } from "./groups";

describe("settings groups", () => {
  it("puts every key in its area and unknown ones under Advanced", () => {
    expect(groupOf("clinic.timezone")).toBe("Clinic");
    expect(groupOf("sending_window.holidays")).toBe("Sending window");
    expect(groupOf("keywords.opt_out")).toBe("Keywords and replies");
    expect(groupOf("replies.help")).toBe("Keywords and replies");
    expect(groupOf("reminders.hours_before")).toBe("Reminders");
    expect(groupOf("messages.price_per_segment")).toBe("Messages");
    expect(groupOf("outbox.ambiguous_grace_seconds")).toBe("Advanced");
    expect(groupOf("something.new")).toBe("Advanced");
  });

  it("labels known keys in words and falls back to the key", () => {
    expect(labelOf("sending_window.start")).toBe("Texts may go out from");
    expect(labelOf("something.new")).toBe("something.new");
  });

  it("orders groups as the screen shows them and leaves out empty ones", () => {
    const groups = groupSettings(MOCK_SETTINGS.filter((s) => !s.key.startsWith("reminders.")));
    expect(groups.map((g) => g.name)).toEqual(["Clinic", "Sending window", "Keywords and replies", "Messages", "Advanced"]);
    expect(groups[1]?.entries.map((e) => e.key)).toEqual(["sending_window.start", "sending_window.end"]);
  });
});
