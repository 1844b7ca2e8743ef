// Hand-written barrel: the sibling files are generated from the Rust types by ts-rs and
// overwritten on regeneration, so this is the one file here that is safe to edit.
export type { AppMode } from "./AppMode";
export type { AppStatus } from "./AppStatus";
export type { BackfillProgress } from "./BackfillProgress";
export type { CoreEvent } from "./CoreEvent";
export type { Direction } from "./Direction";
export type { Encoding } from "./Encoding";
export type { ErrorCode } from "./ErrorCode";
export type { IpcError } from "./IpcError";
export type { LineType } from "./LineType";
export type { MessageStatus } from "./MessageStatus";
export type { NewPatient } from "./NewPatient";
export type { NewReply } from "./NewReply";
export type { OutboxState } from "./OutboxState";
export type { Patient } from "./Patient";
export type { PatientPhone } from "./PatientPhone";
export type { SegmentInfo } from "./SegmentInfo";
export type { SendTextInput } from "./SendTextInput";
export type { SyncSnapshot } from "./SyncSnapshot";
export type { SyncState } from "./SyncState";
export type { SyncStatus } from "./SyncStatus";
export type { TextPreview } from "./TextPreview";
export type { ThreadContext } from "./ThreadContext";
export type { ThreadMessage } from "./ThreadMessage";
export type { ThreadSummary } from "./ThreadSummary";
