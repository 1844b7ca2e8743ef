/**
 * Demo mode (the bundled Twilio simulator with sample data) is part of the product, but the
 * generated `AppMode` only lists it once the core can run in it. Typing the status strip and the
 * mock against this wider type keeps the UI compiling either way, and ready for it.
 */
import type { AppMode } from "./bindings";

export type DisplayMode = AppMode | "demo";
