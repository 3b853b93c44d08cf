// The name-based uuids of an extend's quota reservations (cinder-common/extend-reservations.ts):
// RFC 9562's version 5, and one uuid per volume, token and role whatever the type is called.
import { expect } from 'chai';
import { extendReservationUuid, extendReservationUuids, uuidV5 } from '../../../cinder-common/extend-reservations';

const V = '6176d374-310e-46cd-a226-7acf987cb366';

describe('extend reservation uuids', () => {
  it("uuidV5 gives RFC 9562's version 5 uuid (Python's uuid.uuid5)", () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).to.equal('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('one uuid per volume, token and resource; the per-type one whatever the type is named', () => {
    const [gb, typed] = extendReservationUuids(V, 'req-1');
    expect(extendReservationUuid(V, 'req-1', 'gigabytes')).to.equal(gb);
    expect(extendReservationUuid(V, 'req-1', 'gigabytes___DEFAULT__')).to.equal(typed);
    expect(extendReservationUuid(V, 'req-1', 'gigabytes_renamed')).to.equal(typed);
    expect(new Set([gb, typed, ...extendReservationUuids(V, 'req-2'), ...extendReservationUuids('other', 'req-1')]).size).to.equal(6);
    for (const u of [gb, typed]) expect(u).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
