// A suite's in-process nova-api and nova-compute on a fresh MariaDB database of their own
// (dropped after): the set-up of the Nova API tests that check what the migrations make there.
import { createTestDatabase } from '../../support/servers';
import { startNova, type Nova } from '../../functional/nova/harness';

/** Registers the suite's before and after; the returned function gives the running Nova. */
export function novaOnMariaDB(): () => Nova {
  let nova: Nova | undefined;
  let drop: () => Promise<void> = async () => undefined;
  before(async function () {
    const db = await createTestDatabase(this, 'nova');
    drop = db.drop;
    nova = await startNova({ database: { connection: db.url } });
  });
  after(async () => {
    await nova?.stop();
    await drop();
  });
  return () => nova as Nova;
}
