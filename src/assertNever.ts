/**
 * The end of an exhaustive `switch`: TypeScript rejects the call when a case is missing, and a
 * value that slips past the types at run time (a cast, a newer caller) is reported, not ignored.
 *
 * @param value What no case matched: `never` when every case is handled.
 * @throws {TypeError} Always.
 */
export function assertNever(value: never): never {
  throw new TypeError(`Unexpected value: ${JSON.stringify(value)?.slice(0, 200)}`);
}
