// Compare-and-swap vocabulary shared by the nova and cinder db-apis. A state transition is one
// conditional UPDATE naming the state it expects (…ConditionalUpdate); any other write is a plain
// update whose values may not touch a state column, so a reader sees which writes are guarded.

/** One expected value, or a list (IN; a null inside also matches NULL). */
export type OneOrMany<T> = T | readonly T[];

/** At least one key of T: an empty expectation would make a conditional update a plain one. */
export type AtLeastOne<T> = { [K in keyof T]-?: Required<Pick<T, K>> & Partial<T> }[keyof T];

/** The values of a plain update of T: anything but the state columns K. */
export type PlainValues<T, K extends keyof T> = Omit<Partial<T>, K> & { [P in K]?: never };

/** Refuse an expectation that names nothing (a caller that cast its way past AtLeastOne). */
export function requireExpected(expected: object, what: string): void {
  if (!Object.values(expected).some((v) => v !== undefined)) throw new Error(`${what}: a conditional update needs an expected state`);
}
