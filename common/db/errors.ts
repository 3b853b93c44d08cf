// Database errors that mean "the server is unreachable", as opposed to a bad statement. The
// APIs answer these with 503 and internal steps retry them (oslo.db's DBConnectionError).
import { OpenStackException } from '../exception';

/** oslo_db.exception.DBConnectionError: the database cannot be reached (HTTP 503 at the APIs). */
export class DBConnectionError extends OpenStackException {
  static override msgFmt = 'Database connection failed: %(reason)s';
  static override code = 503;
  static override wireModule = 'oslo_db.exception';
}

/** mysql2 / Node socket codes of a lost, refused or overloaded database connection. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'PROTOCOL_ENQUEUE_AFTER_QUIT', 'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR', 'ER_CONNECTION_KILLED', 'ER_QUERY_INTERRUPTED', 'ER_NET_READ_ERROR', 'ER_NET_WRITE_INTERRUPTED',
  // A Galera node outside the primary component (while the cluster re-forms after a node died,
  // or while it rejoins) answers every statement with 1047 "WSREP has not yet prepared node for
  // application use": as unavailable as a closed port, until the cluster is whole again.
  'ER_UNKNOWN_COM_ERROR',
]);

/**
 * A Galera node outside the primary component: 1047 for a statement it is asked, and 1180
 * "…(provider status: Not connected to Primary Component)" for a write caught replicating as
 * it fell out (1180 names other commit failures too, so the provider's text is what marks it).
 */
export const WSREP_UNAVAILABLE_TEXT = /WSREP has not yet prepared node|Not connected to Primary Component/i;

const CONNECTION_TEXT = /connection is in closed state|Pool is closed|Connection lost|connect ETIMEDOUT|Can't connect to|Lost connection/i;

/** Whether `e` (or what it wraps: TypeORM's driverError, an Error cause) is a lost database connection. */
export function isDbConnectionError(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && depth < 4; depth++) {
    if (cur instanceof DBConnectionError) return true;
    const err = cur as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; fatal?: unknown };
    if (typeof err.code === 'string' && CONNECTION_CODES.has(err.code)) return true;
    // The server's unix socket (`?unix_socket=`) is removed while it is down: connecting finds no file.
    if (err.code === 'ENOENT' && (cur as { syscall?: unknown }).syscall === 'connect') return true;
    if (typeof err.message === 'string' && (CONNECTION_TEXT.test(err.message) || WSREP_UNAVAILABLE_TEXT.test(err.message))) return true;
    cur = err.driverError ?? err.cause;
  }
  return false;
}

/** Rethrow a connectivity error as DBConnectionError (crosses RPC by name, maps to 503). */
export function asDbConnectionError(e: unknown): unknown {
  if (e instanceof DBConnectionError || !isDbConnectionError(e)) return e;
  const reason = (e as { driverError?: { code?: string }; code?: string; message?: string });
  return new DBConnectionError({ reason: reason.driverError?.code ?? reason.code ?? reason.message ?? 'unreachable' });
}
