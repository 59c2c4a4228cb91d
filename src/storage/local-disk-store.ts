import { randomBytes } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Clock, systemClock } from '../shared/clock';
import { Logger, silentLogger } from '../shared/logger';
import { assertValidKey, encodeKey, fileNameForKey, keyForFileName } from './key-encoding';
import { compareKeys, matches, serializeValue } from './serialization';
import {
  DocumentStore,
  StorageConflictError,
  StorageCorruptError,
  StoredDocument,
  WriteCondition,
} from './types';

export interface LocalDiskStoreOptions {
  /** Folder holding one sub-folder per collection; created on first write. */
  folder: string;
  /**
   * fsync each document before it replaces the old one, so a power cut leaves the old or the new
   * version, never an empty file. Costs a disk flush per write; benches may turn it off.
   */
  durable?: boolean;
  /** A lock older than this is taken to belong to a process that died while writing. */
  staleLockAfterMilliseconds?: number;
  /** Give up waiting for another writer of the same document after this long. */
  lockTimeoutMilliseconds?: number;
  clock?: Clock;
  logger?: Logger;
  createEtag?: () => string;
}

export class StorageLockTimeoutError extends Error {
  readonly code = 'storage-lock-timeout' as const;
  constructor(readonly lockPath: string) {
    super(
      `Timed out waiting for the lock ${lockPath}. If no bot process is running, the lock is left over ` +
        'from a crash and can be deleted.',
    );
    this.name = 'StorageLockTimeoutError';
  }
}

interface FileContent {
  format: 1;
  key: string;
  etag: string;
  value: unknown;
}

type ReadOutcome =
  { kind: 'missing' } | { kind: 'found'; content: FileContent } | { kind: 'corrupt'; detail: string };

/** How long a lock file may stay empty before it is taken to be left by a crashed creator. */
const emptyLockStaleAfter = 2_000;

interface LockContent {
  pid: number;
  host: string;
  token: string;
  at: number;
}

const documentExtension = '.json';
const listBatchSize = 64;

/**
 * Writers in one process queue here before they touch the lock file, so a busy conversation does not
 * spin on the file system. Module-wide because two stores over one folder in a process share locks.
 */
const inProcessQueues = new Map<string, Promise<void>>();

/**
 * One JSON file per document: `<folder>/<encoded collection>/<encoded key>.json`.
 *
 * - Writes go to a temporary file that is renamed over the document, so readers (which take no lock)
 *   see the old or the new version, never half of one.
 * - Conditional writes hold a lock file per document (`<name>.lock`, created with O_EXCL), so they are
 *   honoured across processes sharing the folder. A lock whose owner process is gone, or that is older
 *   than `staleLockAfterMilliseconds`, is broken; breaking is itself guarded by an O_EXCL file so two
 *   waiters cannot both break a lock and then remove each other's fresh one.
 * - ETags are random, so a document deleted and created again never matches an old ETag.
 * - A damaged file is reported (StorageCorruptError naming the file) and never deleted: an
 *   unconditional overwrite or delete first moves it aside to `<name>.corrupt-<time>`.
 * - Reads are synchronous and writes asynchronous and fsynced (see readText for why).
 */
export class LocalDiskStore implements DocumentStore {
  private readonly folder: string;
  private readonly durable: boolean;
  private readonly staleLockAfter: number;
  private readonly lockTimeout: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly createEtag: () => string;
  private readonly host = hostname();

  constructor(options: LocalDiskStoreOptions) {
    this.folder = path.resolve(options.folder);
    this.durable = options.durable ?? true;
    this.staleLockAfter = options.staleLockAfterMilliseconds ?? 30_000;
    this.lockTimeout = options.lockTimeoutMilliseconds ?? 15_000;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.createEtag = options.createEtag ?? (() => randomBytes(12).toString('base64url'));
  }

  async get<T>(collection: string, key: string): Promise<StoredDocument<T> | undefined> {
    const file = this.documentPath(collection, key);
    const outcome = readDocument(file, key);
    if (outcome.kind === 'missing') return undefined;
    if (outcome.kind === 'corrupt') throw new StorageCorruptError(collection, key, file, outcome.detail);
    return { key, value: outcome.content.value as T, etag: outcome.content.etag };
  }

  async list<T>(collection: string, keyPrefix = ''): Promise<StoredDocument<T>[]> {
    const directory = this.collectionPath(collection);
    let names: string[];
    try {
      // Synchronous for the reason given at readText.
      names = readdirSync(directory);
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) return [];
      throw error;
    }
    const candidates = names.filter((name) => {
      if (!name.endsWith(documentExtension) || name.startsWith('.')) return false;
      const key = safeKeyForFileName(name.slice(0, -documentExtension.length));
      // Hashed names only know their key inside the file: read those.
      return key === undefined || key.startsWith(keyPrefix);
    });
    const documents: StoredDocument<T>[] = [];
    for (let start = 0; start < candidates.length; start += listBatchSize) {
      // Reads are synchronous (see readText); yielding between batches keeps a long listing from
      // holding up other turns.
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const batch = candidates.slice(start, start + listBatchSize);
      const outcomes = batch.map((name) => readDocument(path.join(directory, name)));
      outcomes.forEach((outcome, index) => {
        const file = path.join(directory, batch[index]);
        if (outcome.kind === 'corrupt') {
          const key = safeKeyForFileName(batch[index].slice(0, -documentExtension.length)) ?? batch[index];
          throw new StorageCorruptError(collection, key, file, outcome.detail);
        }
        if (outcome.kind === 'found' && outcome.content.key.startsWith(keyPrefix)) {
          documents.push({
            key: outcome.content.key,
            value: outcome.content.value as T,
            etag: outcome.content.etag,
          });
        }
      });
    }
    return documents.sort(compareKeys);
  }

  async put<T>(collection: string, key: string, value: T, condition: WriteCondition = {}): Promise<string> {
    const file = this.documentPath(collection, key);
    const text = serializeValue(collection, key, value);
    return this.withDocumentLock(file, async () => {
      const current = readDocument(file, key);
      if (current.kind === 'corrupt') {
        if (condition.ifMatch !== undefined || condition.ifNoneMatch !== undefined) {
          throw new StorageCorruptError(collection, key, file, current.detail);
        }
        await this.setAside(file, collection);
      }
      const existing = current.kind === 'found' ? current.content : undefined;
      if (condition.ifNoneMatch === '*' && existing)
        throw new StorageConflictError(collection, key, 'already-exists');
      if (!matches(existing, condition.ifMatch))
        throw new StorageConflictError(collection, key, 'etag-mismatch');
      const etag = this.createEtag();
      const body = `{"format":1,"key":${JSON.stringify(key)},"etag":${JSON.stringify(etag)},"value":${text}}\n`;
      await this.replaceFile(file, body);
      return etag;
    });
  }

  async delete(
    collection: string,
    key: string,
    condition: Pick<WriteCondition, 'ifMatch'> = {},
  ): Promise<void> {
    const file = this.documentPath(collection, key);
    try {
      await fs.access(file);
    } catch {
      return; // Nothing to delete; skip the lock.
    }
    await this.withDocumentLock(file, async () => {
      const current = readDocument(file, key);
      if (current.kind === 'missing') return;
      if (current.kind === 'corrupt') {
        if (condition.ifMatch !== undefined)
          throw new StorageCorruptError(collection, key, file, current.detail);
        await this.setAside(file, collection);
        return;
      }
      if (!matches(current.content, condition.ifMatch)) {
        throw new StorageConflictError(collection, key, 'etag-mismatch');
      }
      await fs.unlink(file);
    });
  }

  private collectionPath(collection: string): string {
    assertValidKey(collection, 'collection');
    return path.join(this.folder, encodeKey(collection, { escapeUpperCase: true }));
  }

  private documentPath(collection: string, key: string): string {
    assertValidKey(key);
    return path.join(this.collectionPath(collection), fileNameForKey(key) + documentExtension);
  }

  private async replaceFile(file: string, body: string): Promise<void> {
    const temporary = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    const handle = await fs.open(temporary, 'w');
    try {
      await handle.writeFile(body, 'utf8');
      if (this.durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temporary, file);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }

  private async setAside(file: string, collection: string): Promise<void> {
    const aside = `${file}.corrupt-${this.clock.now().toISOString().replace(/[:.]/g, '-')}`;
    await fs.rename(file, aside);
    this.logger.log('warn', 'storage.corrupt-document-set-aside', { collection, file: aside });
  }

  private async withDocumentLock<R>(file: string, work: () => Promise<R>): Promise<R> {
    const lockPath = file.slice(0, -documentExtension.length) + '.lock';
    const previous = inProcessQueues.get(lockPath) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    inProcessQueues.set(lockPath, tail);
    await previous;
    try {
      const token = await this.acquireLockFile(lockPath);
      try {
        return await work();
      } finally {
        await this.releaseLockFile(lockPath, token);
      }
    } finally {
      release();
      if (inProcessQueues.get(lockPath) === tail) inProcessQueues.delete(lockPath);
    }
  }

  private async acquireLockFile(lockPath: string): Promise<string> {
    const token = randomBytes(12).toString('hex');
    const content: LockContent = { pid: process.pid, host: this.host, token, at: this.clock.now().getTime() };
    const started = Date.now();
    let wait = 1;
    for (;;) {
      try {
        // 'wx' = O_CREAT | O_EXCL: exactly one process creates the file.
        await fs.writeFile(lockPath, JSON.stringify(content), { flag: 'wx' });
        return token;
      } catch (error) {
        if (isErrorCode(error, 'ENOENT')) {
          await fs.mkdir(path.dirname(lockPath), { recursive: true });
          continue;
        }
        if (!isErrorCode(error, 'EEXIST')) throw error;
      }
      if (await this.breakLockIfStale(lockPath)) continue;
      if (Date.now() - started > this.lockTimeout) throw new StorageLockTimeoutError(lockPath);
      await delay(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 25);
    }
  }

  private async releaseLockFile(lockPath: string, token: string): Promise<void> {
    const raw = readText(lockPath);
    // Only remove our own lock: if ours was broken as stale, the file now belongs to someone else.
    if (raw !== undefined && parseLock(raw)?.token === token) await fs.rm(lockPath, { force: true });
  }

  private async breakLockIfStale(lockPath: string): Promise<boolean> {
    const raw = readText(lockPath);
    if (raw === undefined) return true; // Released meanwhile: try again at once.
    if (!(await this.isStale(lockPath, raw))) return false;
    const breakerPath = lockPath + '.break';
    try {
      await fs.writeFile(breakerPath, String(process.pid), { flag: 'wx' });
    } catch (error) {
      if (!isErrorCode(error, 'EEXIST')) throw error;
      const breaker = await statOrUndefined(breakerPath);
      if (breaker && Date.now() - breaker.mtimeMs > this.staleLockAfter)
        await fs.rm(breakerPath, { force: true });
      return false;
    }
    try {
      // Remove the lock only if it is still the very one judged stale.
      if (readText(lockPath) === raw) {
        await fs.rm(lockPath, { force: true });
        this.logger.log('warn', 'storage.stale-lock-broken', { lock: lockPath });
      }
    } finally {
      await fs.rm(breakerPath, { force: true });
    }
    return true;
  }

  private async isStale(lockPath: string, raw: string): Promise<boolean> {
    const lock = parseLock(raw);
    if (lock) {
      if (lock.host === this.host && !processIsAlive(lock.pid)) return true;
      return this.clock.now().getTime() - lock.at > this.staleLockAfter;
    }
    // Empty or unreadable: possibly being written this instant by its creator, so judge by age only.
    // Its creator writes the content in the same call that creates the file, so an empty lock that
    // has stayed empty for a couple of seconds belongs to a process killed in between; waiting the
    // full stale limit for it would hold up the outbox after a crash for no reason.
    const status = await statOrUndefined(lockPath);
    return (
      status !== undefined && Date.now() - status.mtimeMs > Math.min(emptyLockStaleAfter, this.staleLockAfter)
    );
  }
}

function readDocument(file: string, expectedKey?: string): ReadOutcome {
  const raw = readText(file);
  if (raw === undefined) return { kind: 'missing' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { kind: 'corrupt', detail: `invalid JSON: ${(error as Error).message}` };
  }
  if (!isFileContent(parsed))
    return { kind: 'corrupt', detail: 'not a stored document (format, key, etag, value)' };
  if (expectedKey !== undefined && parsed.key !== expectedKey) {
    return { kind: 'corrupt', detail: `holds key ${JSON.stringify(parsed.key)} instead` };
  }
  return { kind: 'found', content: parsed };
}

function isFileContent(value: unknown): value is FileContent {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record.format === 1 &&
    typeof record.key === 'string' &&
    typeof record.etag === 'string' &&
    'value' in record
  );
}

function parseLock(raw: string): LockContent | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const lock = parsed as Record<string, unknown>;
    if (
      typeof lock.pid === 'number' &&
      typeof lock.host === 'string' &&
      typeof lock.token === 'string' &&
      typeof lock.at === 'number'
    ) {
      return { pid: lock.pid, host: lock.host, token: lock.token, at: lock.at };
    }
  } catch {
    // Fall through: not a lock we wrote completely.
  }
  return undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrorCode(error, 'EPERM');
  }
}

function safeKeyForFileName(name: string): string | undefined {
  try {
    return keyForFileName(name);
  } catch {
    return undefined;
  }
}

/**
 * Synchronous on purpose. Documents are small JSON files on a local disk, normally in the page cache,
 * so a blocking read costs microseconds; `fs.promises.readFile` instead makes four trips through
 * libuv's four-thread pool (open, fstat, read, close), each queued behind every other turn's file
 * work and behind the fsyncs of durable writes. With 50 conversations at once (bench/bot) a turn's
 * state read waited 60 ms on average that way, and 0.4 ms like this; listing the tool register went
 * from 84 ms to 0.6 ms. Writes stay asynchronous and fsynced: this changes how fast we read, not
 * what is on disk. A listing yields between batches (see `list`).
 */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

async function statOrUndefined(file: string): Promise<{ mtimeMs: number } | undefined> {
  try {
    return await fs.stat(file);
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
