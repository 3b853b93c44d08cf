// attachd_volumes{status}: computed when scraped, from the cinder database, by one GROUP BY
// (cinder-api adds the source: CinderDB.volumeCountsByStatus). A database that does not answer
// leaves the gauge empty for that scrape, logged; /metrics itself still answers.
import { Gauge } from 'prom-client';
import { getLogger } from '../log';
import { registry } from './registry';

const LOG = getLogger('metrics');

export type VolumeCounts = () => Promise<Array<{ status: string | null; count: number }>>;

const sources = new Set<VolumeCounts>();

new Gauge({
  name: 'attachd_volumes', help: 'Volumes (not deleted) by status, read from the cinder database at scrape time',
  labelNames: ['status'], registers: [registry],
  async collect() {
    this.reset();
    const totals = new Map<string, number>();
    for (const source of sources) {
      try {
        for (const { status, count } of await source()) totals.set(status ?? 'none', (totals.get(status ?? 'none') ?? 0) + count);
      } catch (e) {
        LOG.warning(`attachd_volumes not collected: ${(e as Error).message}`);
      }
    }
    for (const [status, n] of totals) this.set({ status }, n);
  },
});

/** Adds a cinder database to count (one per cinder-api in the process); returns its removal. */
export function addVolumeCounts(source: VolumeCounts): () => void {
  sources.add(source);
  return () => { sources.delete(source); };
}
