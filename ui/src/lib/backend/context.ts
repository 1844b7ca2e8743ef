/**
 * Hands the chosen backend to components through Svelte context, so no component imports the
 * Tauri implementation and every screen can be rendered against the mock.
 */
import { getContext, setContext } from "svelte";
import type { Backend } from "./backend";

export const BACKEND_CONTEXT_KEY = Symbol("clinic-desk.backend");

/** Call during component initialisation (the app root does this once). */
export function provideBackend(backend: Backend): Backend {
  return setContext(BACKEND_CONTEXT_KEY, backend);
}

export function useBackend(): Backend {
  const backend = getContext<Backend | undefined>(BACKEND_CONTEXT_KEY);
  if (!backend) {
    throw new Error("useBackend() needs provideBackend() in an ancestor component");
  }
  return backend;
}
