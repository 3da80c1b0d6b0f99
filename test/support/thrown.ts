/** The error `fn` throws, as `{ name, message }`; fails the test when nothing is thrown. */
export function thrown(fn: () => unknown): { name: string; message: string } {
  try {
    fn();
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected an error, none was thrown');
}
