// Dicts keyed by what users send (metadata, extra specs): `obj[key] = value` loses a key named
// `__proto__` (it sets the prototype, or nothing), and `key in obj` finds Object.prototype's
// names (`toString`, `constructor`) in an empty dict. These keep every key an own property.

/** Sets `key` as an own, enumerable data property, whatever its name. */
export function putOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}
