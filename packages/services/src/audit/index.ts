export { afterCursor, type CursorKey, cursorTimestamp, decodeCursor, encodeCursor, toPage } from './cursor';
export { listAuditLogs } from './list';
export { type AuditEntry, recordAudit } from './record';
