import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { forgetAllDrafts } from "../lib/chat/drafts";

// Composer drafts live for the app session; each test starts a new one.
afterEach(() => forgetAllDrafts());
