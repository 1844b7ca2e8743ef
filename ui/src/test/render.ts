/**
 * Renders a component with a backend in context, the way the app root provides it, so tests
 * exercise the same `useBackend()` path as production.
 */
import { render } from "@testing-library/svelte";
import type { Component } from "svelte";
import type { Backend } from "../lib/backend/backend";
import { BACKEND_CONTEXT_KEY } from "../lib/backend/context";

export function renderWithBackend<Props extends Record<string, unknown>>(
  component: Component<Props>,
  backend: Backend,
  props: Props,
) {
  return render(component as Component<Record<string, unknown>>, {
    props,
    context: new Map([[BACKEND_CONTEXT_KEY, backend]]),
  });
}

/** Ids are looked up through `TestId` so the tests break if a component stops using it. */
export { TestId } from "../lib/testids";
