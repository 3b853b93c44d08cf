// cinder.rpc's ALLOWED_EXMODS: the exception modules whose failures Cinder's RPC callers rebuild
// as themselves (oslo's allowed_remote_exmods); every Cinder transport is made with this list.
import { DBConnectionError } from '../common/db/errors';
import { ExceptionModule } from '../common/rpc';
import * as exception from './exception';

/** cinder.exception as the RPC layer imports it: its classes found by name. */
export const CINDER_EXCEPTIONS = new ExceptionModule('cinder.exception', exception);

/**
 * Also oslo.db's DBConnectionError (Cinder allows only cinder.exception): cinder-volume's
 * database being down is then a 503 at the API, not a 500.
 */
export const OSLO_DB_EXCEPTIONS = new ExceptionModule('oslo_db.exception', { DBConnectionError });

export const ALLOWED_EXMODS: readonly ExceptionModule[] = [CINDER_EXCEPTIONS, OSLO_DB_EXCEPTIONS];
