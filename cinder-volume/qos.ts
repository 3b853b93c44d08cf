// The qos_specs of a connection (the manager's _parse_connection_options): the keys of the
// volume type's QoS spec (read with the volume, typeQosColumn) when its consumer is the front end (or both), for the hypervisor to
// apply; null otherwise. A `<tune>_per_gb` key becomes `<tune>` scaled by the volume's size,
// bounded below by `<tune>_per_gb_min` and above by `<tune>_max`, as integers.
import { InvalidInput } from '../cinder-common/exception';
import type { TypeQos } from '../cinder-common/qos-db';

const TUNE = ['read_iops_sec', 'read_bytes_sec', 'write_iops_sec', 'write_bytes_sec', 'total_iops_sec', 'total_bytes_sec'];
const FRONT_END = ['front-end', 'both'];

type Specs = Record<string, string | number | null>;

/** Python's int() of a spec's value: digits with a sign and spaces around (underscores between). */
function pyInt(specs: Specs, key: string, typeId: string): number {
  const raw = specs[key];
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string' || !/^\s*[+-]?\d+(_\d+)*\s*$/.test(raw)) {
    throw new InvalidInput({ reason: `QoS spec ${key} of volume type ${typeId} is not an integer: ${String(raw)}` });
  }
  return Number(raw.replace(/_/g, ''));
}

export function scalePerGb(specs: Specs, size: number, typeId: string): Specs {
  const out = { ...specs };
  for (const o of TUNE) {
    const perGb = `${o}_per_gb`;
    if (!(perGb in out)) continue;
    const min = `${o}_per_gb_min` in out ? pyInt(out, `${o}_per_gb_min`, typeId) : 0;
    const value = pyInt(out, perGb, typeId) * size;
    const perGbValue = Math.max(min, value);
    const max = `${o}_max` in out ? pyInt(out, `${o}_max`, typeId) : perGbValue;
    delete out[`${o}_per_gb_min`];
    delete out[`${o}_max`];
    out[o] = Math.min(perGbValue, max);
    delete out[perGb];
  }
  return out;
}

export function connectionQosSpecs(qos: TypeQos | null, typeId: string | null, size: number): Specs | null {
  if (!qos || !FRONT_END.includes(qos.consumer)) return null;
  return scalePerGb(qos.specs, size, typeId ?? '');
}
