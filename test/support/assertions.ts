// Small assertions the tests share.

/** The error `p` rejects with; fails the test when `p` resolves. */
export async function refused(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected a refusal'); }, (e: Error) => e);
}
