export type { Backend, Unsubscribe } from "./backend";
export { BackendError, plainMessage, toBackendError } from "./errors";
export { STORE_CHANGED_EVENT, parseStoreChanges, type StoreChange } from "./events";
export { BACKEND_CONTEXT_KEY, provideBackend, useBackend } from "./context";
