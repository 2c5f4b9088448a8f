/**
 * The element at `index`, or a test failure that says which one was missing: a typed replacement
 * for `list[i]!` under `noUncheckedIndexedAccess`.
 */
export function at<T>(list: ArrayLike<T>, index: number): T {
  const value = list[index];
  if (value === undefined) throw new Error(`expected an element at index ${index}, but there are ${list.length}`);
  return value;
}
