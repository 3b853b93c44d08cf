// nova.rpc's ALLOWED_EXMODS: the exception modules whose failures Nova's RPC callers rebuild as
// themselves (oslo's allowed_remote_exmods); every Nova transport is made with this list.
import { ExceptionModule } from '../common/rpc';
import * as exception from './exception';

/** nova.exception as the RPC layer imports it: its classes found by name. */
export const NOVA_EXCEPTIONS = new ExceptionModule('nova.exception', exception);

export const ALLOWED_EXMODS: readonly ExceptionModule[] = [NOVA_EXCEPTIONS];
