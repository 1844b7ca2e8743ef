import { describe, expect, it } from "vitest";
import { bracedList, languageName, markWords, placeholderMeaning } from "./words";

describe("template words", () => {
  it("marks whole words in any case, not parts of words", () => {
    expect(markWords("Reply CANCEL to cancel; cancellation fees apply", ["cancel"])).toEqual([
      { text: "Reply ", marked: false },
      { text: "CANCEL", marked: true },
      { text: " to ", marked: false },
      { text: "cancel", marked: true },
      { text: "; cancellation fees apply", marked: false },
    ]);
    expect(markWords("Your test results", ["test results"])).toEqual([
      { text: "Your ", marked: false },
      { text: "test results", marked: true },
    ]);
    expect(markWords("Plain text", [])).toEqual([{ text: "Plain text", marked: false }]);
  });

  it("names languages and placeholders in words", () => {
    expect(languageName("es")).toBe("Spanish (es)");
    expect(languageName("zz-unknown-tag-that-is-long")).toBe("zz-unknown-tag-that-is-long");
    expect(placeholderMeaning("clinic_phone")).toBe("the clinic's phone number");
    expect(placeholderMeaning("new_one")).toBe("new one");
  });

  it("lists placeholders the way a sentence does", () => {
    expect(bracedList(["date"])).toBe("{date}");
    expect(bracedList(["date", "time", "provider"])).toBe("{date}, {time} and {provider}");
  });
});
