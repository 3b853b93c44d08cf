// The uuids of an extend's or a retype's quota reservations, derived from what the volume row
// records: its id and the transition_request_id cinder-api writes with 'extending' or
// 'retyping'. They otherwise travel only in the cast, so an operation whose cast was lost
// (cinder-api killed before sending it, cinder-volume killed after taking it) could not be
// rolled back before reservation_expire.
import { createHash } from 'node:crypto';

/** Our namespace for these name-based uuids (a fixed random uuid). */
const NAMESPACE = 'a3c1e0a4-5f0b-4d8e-9c57-2b7f6e1d9a42';

/** An RFC 9562 version 5 uuid (sha1, name-based) of `name` in `namespace`; node has none built in. */
export function uuidV5(name: string, namespace: string): string {
  const h = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The uuid of the reservation an extend (its volume and token) makes for `resource`. The type's
 * gigabytes go by their role, not the type's name, so a type renamed meanwhile keeps its uuid.
 */
export function extendReservationUuid(volumeId: string, token: string, resource: string): string {
  const role = resource.startsWith('gigabytes_') ? 'gigabytes_<type>' : resource;
  return uuidV5(JSON.stringify([volumeId, token, role]), NAMESPACE);
}

/** Every reservation an extend may have made: gigabytes and the type's (a uuid with no row rolls back nothing). */
export function extendReservationUuids(volumeId: string, token: string): string[] {
  return ['gigabytes', 'gigabytes_<type>'].map((r) => extendReservationUuid(volumeId, token, r));
}

/**
 * The uuid of a retype's reservation for `resource` on the type's side `side` (the new type's
 * count goes up, the old one's down). By role, not by the types' names, as an extend's.
 */
export function retypeReservationUuid(volumeId: string, token: string, side: 'new' | 'old', resource: string): string {
  const role = `${side}:${resource.startsWith('gigabytes_') ? 'gigabytes' : 'volumes'}`;
  return uuidV5(JSON.stringify([volumeId, token, 'retype', role]), NAMESPACE);
}

/** Every reservation a retype may have made. */
export function retypeReservationUuids(volumeId: string, token: string): string[] {
  return (['new', 'old'] as const).flatMap((side) => ['volumes_t', 'gigabytes_t'].map((r) => retypeReservationUuid(volumeId, token, side, r)));
}
