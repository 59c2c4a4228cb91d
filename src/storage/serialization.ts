/**
 * Documents are stored as JSON text. Serialising on the way in also copies the value, so a caller that
 * mutates an object after `put` (or after `get`) cannot change what is stored.
 */
export function serializeValue(collection: string, key: string, value: unknown): string {
  const text: string | undefined = JSON.stringify(value);
  if (text === undefined) {
    throw new TypeError(
      `Cannot store ${collection}/${key}: the value is not JSON-serialisable (${typeof value})`,
    );
  }
  return text;
}

/** Plain code-unit order, the same in every backend whatever its native listing order is. */
export function compareKeys(left: { key: string }, right: { key: string }): number {
  return left.key < right.key ? -1 : left.key > right.key ? 1 : 0;
}

/** `ifMatch: '*'` means "any existing version", as in HTTP. */
export function matches(existing: { etag: string } | undefined, ifMatch: string | undefined): boolean {
  if (ifMatch === undefined) return true;
  if (!existing) return false;
  return ifMatch === '*' || existing.etag === ifMatch;
}
