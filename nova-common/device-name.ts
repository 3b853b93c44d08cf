// Device names (docs/attach-detach.md, Device names): nova/compute/utils get_next_device_name, the generic
// algorithm the fake driver uses. Prefix from the server's root device; the requested letter is
// kept if free; otherwise the first unused letter a, b, …, z, aa, ab, …
import { InvalidDevicePath } from './exception';

export const DEVICE_RE = /(^\/dev\/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$/;
const PREFIX_RE = /^((x?v|s|h)d)/;

/** block_device_mapping.device_name is VARCHAR(255): a longer name could never be stored. */
const MAX_DEVICE_LENGTH = 255;

export function matchDevice(device: string): [string, string] {
  const m = device.length <= MAX_DEVICE_LENGTH ? DEVICE_RE.exec(device) : null;
  if (!m) throw new InvalidDevicePath({ path: device });
  return [m[1], m[2]];
}

/** "vdb" for "/dev/vdb"; the letters of a device without /dev/, prefix and partition digits. */
export function deviceLetter(device: string): string {
  return device.replace(/^\/dev\//, '').replace(PREFIX_RE, '').replace(/\d+$/, '');
}

/** a, b, …, z, aa, ab, … (bijective base 26). */
export function letterFor(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    n -= 1;
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  }
  return s;
}

export interface NextDevice {
  /** The device to try. */
  device: string;
  /** True when it is the caller's requested letter (a clash is then DevicePathInUse). */
  requested: boolean;
}

/**
 * Pick the device for a new attachment given the names already in use on the server.
 * Returns null when the requested letter is taken (caller raises DevicePathInUse).
 */
export function nextDeviceName(rootDeviceName: string | null, used: Array<string | null>, requested: string | null): NextDevice | null {
  const root = rootDeviceName ?? '/dev/sda1';
  const [prefix] = matchDevice(root);
  const letters = new Set(used.filter((d): d is string => !!d).map(deviceLetter));
  letters.add(deviceLetter(root));
  if (requested) {
    const [, letter] = matchDevice(requested);
    return letters.has(letter) ? null : { device: `${prefix}${letter}`, requested: true };
  }
  for (let i = 0; ; i++) {
    const l = letterFor(i);
    if (!letters.has(l)) return { device: `${prefix}${l}`, requested: false };
  }
}
