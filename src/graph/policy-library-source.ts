import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { supportedExtensions } from '../policies/reader';
import type { Logger } from '../shared/logger';
import { graphCall } from './client';

/** What one synchronisation found, by file name. */
export interface PolicySyncReport {
  /** The local folder now holding the policies (give it to the policy reader). */
  folder: string;
  /** Downloaded because they are new or their eTag / last-modified time changed. */
  changed: string[];
  /** Gone from the library, so deleted from the local copy. */
  removed: string[];
  unchanged: string[];
}

/** Where the trust keeps its policy documents, copied into a local folder the reader can index. */
export interface PolicyLibrarySource {
  sync(): Promise<PolicySyncReport>;
}

export interface SharePointPolicyLibraryOptions {
  client: Client;
  siteId: string;
  driveId: string;
  /** Folder path inside the document library, e.g. "Policies/AI". */
  folder: string;
  /** Local folder for the downloaded copies (created when missing). */
  cacheFolder: string;
  logger?: Logger;
}

interface DriveItem {
  id?: string;
  name?: string;
  eTag?: string;
  lastModifiedDateTime?: string;
  file?: object;
  folder?: object;
}
interface DriveItemPage {
  value?: DriveItem[];
  '@odata.nextLink'?: string;
}
interface SyncedFile {
  name: string;
  eTag?: string;
  lastModifiedDateTime?: string;
}

const stateFileName = '.sharepoint-sync.json';

/**
 * A SharePoint document library folder as the policy source (tenant mode): lists the folder
 * (`GET /sites/{site}/drives/{drive}/root:/{folder}:/children`) and downloads only what changed
 * (`/items/{id}/content`, which redirects to a pre-authenticated URL), judged by eTag and
 * last-modified time recorded from the previous run. The caller re-indexes when `changed` or `removed`
 * is not empty. Permission: Sites.Selected (read) on that one site.
 */
export class SharePointPolicyLibrary implements PolicyLibrarySource {
  constructor(private readonly options: SharePointPolicyLibraryOptions) {}

  async sync(): Promise<PolicySyncReport> {
    const { cacheFolder } = this.options;
    await fs.mkdir(cacheFolder, { recursive: true });
    const previous = await this.readState();
    const items = await this.list();
    const current: Record<string, SyncedFile> = {};
    const report: PolicySyncReport = { folder: cacheFolder, changed: [], removed: [], unchanged: [] };

    for (const item of items) {
      if (!item.id || !item.name || !item.file) continue;
      // The name comes from SharePoint: keep only its last segment so it cannot escape the folder.
      const name = path.basename(item.name);
      if (!supportedExtensions.includes(path.extname(name).toLowerCase()) || name.startsWith('.')) continue;
      const known = previous[item.id];
      const local = path.join(cacheFolder, name);
      const same =
        known !== undefined &&
        known.name === name &&
        known.eTag === item.eTag &&
        known.lastModifiedDateTime === item.lastModifiedDateTime &&
        (await exists(local));
      if (same) {
        report.unchanged.push(name);
      } else {
        await this.download(item.id, local);
        if (known && known.name !== name) await fs.rm(path.join(cacheFolder, known.name), { force: true });
        report.changed.push(name);
      }
      current[item.id] = { name, eTag: item.eTag, lastModifiedDateTime: item.lastModifiedDateTime };
    }

    const kept = new Set(Object.values(current).map((file) => file.name));
    for (const [id, file] of Object.entries(previous)) {
      if (current[id] || kept.has(file.name)) continue;
      await fs.rm(path.join(cacheFolder, path.basename(file.name)), { force: true });
      report.removed.push(file.name);
    }
    await fs.writeFile(path.join(cacheFolder, stateFileName), JSON.stringify(current, null, 2));
    this.options.logger?.log('info', 'graph.policies.synced', {
      changed: report.changed.length,
      removed: report.removed.length,
      unchanged: report.unchanged.length,
    });
    return report;
  }

  private async list(): Promise<DriveItem[]> {
    const { client, siteId, driveId, folder } = this.options;
    const folderPath = folder
      .split('/')
      .filter(Boolean)
      .map((segment) => encodeURIComponent(segment))
      .join('/');
    const items: DriveItem[] = [];
    let next: string | undefined =
      `/sites/${encodeURIComponent(siteId)}/drives/${encodeURIComponent(driveId)}/root:/${folderPath}:/children`;
    while (next) {
      const url: string = next;
      const page: DriveItemPage = await graphCall('list the policy library', () =>
        client.api(url).select('id,name,eTag,lastModifiedDateTime,file,folder').get(),
      );
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'];
    }
    return items;
  }

  private async download(itemId: string, target: string): Promise<void> {
    const { client, siteId, driveId } = this.options;
    const content: ArrayBuffer = await graphCall('download a policy document', () =>
      client
        .api(
          `/sites/${encodeURIComponent(siteId)}/drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(itemId)}/content`,
        )
        .responseType(ResponseType.ARRAYBUFFER)
        .get(),
    );
    // Write then rename, so a reader never indexes half a file.
    const partial = `${target}.partial`;
    await fs.writeFile(partial, Buffer.from(content));
    await fs.rename(partial, target);
  }

  private async readState(): Promise<Record<string, SyncedFile>> {
    try {
      return JSON.parse(
        await fs.readFile(path.join(this.options.cacheFolder, stateFileName), 'utf8'),
      ) as Record<string, SyncedFile>;
    } catch {
      return {};
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Re-reads the SharePoint library every `intervalMs` while the bot runs and calls `onChanged` when a
 * policy was added, changed or removed, so the bot re-indexes without a restart. A failed sync keeps
 * the current index (answers still work) and shows in the health check until the next success.
 */
export class PolicyLibraryRefresher {
  readonly name = 'sharepoint-policies';
  private timer?: NodeJS.Timeout;
  private running?: Promise<PolicySyncReport | undefined>;
  private last: { ok: boolean; detail: string } = { ok: true, detail: 'not synchronised since start-up' };

  constructor(
    private readonly options: {
      source: PolicyLibrarySource;
      intervalMs: number;
      onChanged: (report: PolicySyncReport) => Promise<void>;
      logger: Logger;
    },
  ) {}

  start(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.refreshNow(), this.options.intervalMs);
    // A pending sync must not keep a stopping process alive.
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sync now (or the one already under way). */
  refreshNow(): Promise<PolicySyncReport | undefined> {
    this.running ??= this.refresh().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    return this.last;
  }

  private async refresh(): Promise<PolicySyncReport | undefined> {
    try {
      const report = await this.options.source.sync();
      if (report.changed.length > 0 || report.removed.length > 0) {
        await this.options.onChanged(report);
        this.options.logger.log('info', 'graph.policies.reindexed', {
          changed: report.changed.length,
          removed: report.removed.length,
        });
      }
      this.last = {
        ok: true,
        detail: `${report.changed.length + report.unchanged.length} policy file(s) in SharePoint, in step`,
      };
      return report;
    } catch (error) {
      const detail = error instanceof Error ? error.message.slice(0, 200) : 'unknown';
      this.last = { ok: false, detail: `SharePoint sync failed, answering from the last copy: ${detail}` };
      this.options.logger.log('warn', 'graph.policies.sync-failed', { detail });
      return undefined;
    }
  }
}
