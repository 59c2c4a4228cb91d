import { createHash } from 'node:crypto';

/**
 * Keys come from Teams ids, user input and record numbers, so they may hold any character. Every
 * backend forbids some (file names: / \ : * and reserved names; Table keys: / \ # ? and control
 * characters; blob names: a '%' is taken as already URL-encoded by the SDK). One encoding serves all:
 * letters, digits and '-' stay as they are, every other UTF-8 byte becomes `_xx` (lower-case hex).
 *
 * The encoding is a prefix code, so `encode(prefix)` is a prefix of `encode(key)` exactly when
 * `prefix` is a prefix of `key`: backends can list by prefix on encoded names.
 */
export interface KeyEncodingOptions {
  /**
   * Escape upper-case letters too. Needed for file names: on case-insensitive file systems (Windows,
   * macOS) `A.json` and `a.json` are the same file. The hex digits are lower-case, so nothing an
   * encoding produces differs from another only by case.
   */
  escapeUpperCase: boolean;
}

const lowerSafe = /[a-z0-9-]/;
const anySafe = /[A-Za-z0-9-]/;

export class InvalidKeyError extends Error {
  readonly code = 'invalid-key' as const;
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Invalid storage key ${JSON.stringify(key.slice(0, 80))}: ${reason}`);
    this.name = 'InvalidKeyError';
  }
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Keys must be non-empty, well-formed UTF-16 (a lone surrogate cannot be encoded without loss). */
export function assertValidKey(key: string, what = 'key'): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), `${what} is empty`);
  if (loneSurrogate.test(key)) throw new InvalidKeyError(key, `${what} contains a lone UTF-16 surrogate`);
}

export function encodeKey(key: string, options: KeyEncodingOptions): string {
  const safe = options.escapeUpperCase ? lowerSafe : anySafe;
  let encoded = '';
  for (const character of key) {
    if (character.length === 1 && safe.test(character)) {
      encoded += character;
      continue;
    }
    for (const byte of Buffer.from(character, 'utf8')) encoded += '_' + byte.toString(16).padStart(2, '0');
  }
  return encoded;
}

export function decodeKey(encoded: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < encoded.length; index++) {
    const character = encoded[index];
    if (character === '_') {
      const hex = encoded.slice(index + 1, index + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) throw new Error(`Not an encoded key: ${encoded}`);
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(character.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const maximumPlainFileName = 160;
const windowsReservedName = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/**
 * A file name (without extension) for a key. Long keys (Teams conversation ids can be long, and
 * file names are limited to 255 bytes) keep a readable head and a SHA-256 of the whole key after a
 * '~', which the encoding never produces; the full key is stored inside the file.
 */
export function fileNameForKey(key: string): string {
  let encoded = encodeKey(key, { escapeUpperCase: true });
  if (windowsReservedName.test(encoded))
    encoded = '_' + encoded.charCodeAt(0).toString(16) + encoded.slice(1);
  if (encoded.length <= maximumPlainFileName) return encoded;
  const digest = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 40);
  return encoded.slice(0, 100) + '~' + digest;
}

/** The key a plain (not hashed) file name stands for, or undefined when only the file itself knows. */
export function keyForFileName(name: string): string | undefined {
  if (name.includes('~')) return undefined;
  return decodeKey(name);
}
