/**
 * `data-testid` values shared by the components, the Vitest tests and the WebdriverIO smoke
 * test. The JSON file is the single source of truth because the e2e script is plain Node and
 * reads it with `fs` instead of going through a TypeScript build.
 */
import ids from "./testids.json";

export type TestIdName = keyof typeof ids;

export const TestId: Readonly<Record<TestIdName, string>> = Object.freeze(ids);
