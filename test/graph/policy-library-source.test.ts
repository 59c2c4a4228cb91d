import * as fs from 'node:fs';
import * as path from 'node:path';
import { SharePointPolicyLibrary } from '../../src/graph/policy-library-source';
import { loadPolicyDocuments } from '../../src/policies/reader';
import { ManualClock } from '../../src/shared/clock';
import { removeTemporaryFolders, temporaryFolder } from '../support/bot-harness';
import { LocalGraphServer } from '../support/graph-server';
import { clientFor, RecordedSleeps } from './helpers';

const site = 'contoso.sharepoint.com,aaaa,bbbb';
const drive = 'b!drive-id-of-policies';
const folder = 'Policies/AI';
const listing = /\/root:\/.+:\/children$/;
const content = /\/items\/.+\/content$/;

const aiPolicy = (version: string) =>
  `# Acceptable Use of AI\n\nVersion ${version}\n\n## 1. Purpose\n\nStaff may use approved AI tools for planning.\n\n## 2. Personal data\n\nNever enter pupil personal data into public AI tools.\n`;

describe('the SharePoint policy library', () => {
  let server: LocalGraphServer;
  let cacheFolder: string;
  let sleeps: RecordedSleeps;
  let library: SharePointPolicyLibrary;

  beforeAll(async () => {
    server = await new LocalGraphServer().start();
  });
  afterAll(async () => {
    await server.stop();
    removeTemporaryFolders();
  });

  beforeEach(() => {
    server.reset();
    cacheFolder = path.join(temporaryFolder('graph-policies-'), 'cache');
    sleeps = new RecordedSleeps();
    library = new SharePointPolicyLibrary({
      client: clientFor(server, { sleeps }),
      siteId: site,
      driveId: drive,
      folder,
      cacheFolder,
    });
    server.putFiles(site, drive, folder, [
      { name: 'ai-policy.md', content: aiPolicy('1'), lastModifiedDateTime: '2025-01-10T09:00:00Z' },
      {
        name: 'data-protection.txt',
        content: 'DATA PROTECTION\n\n1. Scope\n\nAll staff.\n',
        lastModifiedDateTime: '2025-01-11T09:00:00Z',
      },
      { name: 'logo.png', content: 'not a policy' },
    ]);
  });

  it('downloads the policy files into the cache, without sending the Graph token to the download URL', async () => {
    const report = await library.sync();
    expect(report.changed.sort()).toEqual(['ai-policy.md', 'data-protection.txt']);
    expect(report.removed).toEqual([]);
    expect(fs.readFileSync(path.join(cacheFolder, 'ai-policy.md'), 'utf8')).toBe(aiPolicy('1'));
    expect(fs.existsSync(path.join(cacheFolder, 'logo.png'))).toBe(false);
    expect(server.callsTo(listing)[0].path).toBe(
      `/v1.0/sites/${site}/drives/${drive}/root:/${folder}:/children`,
    );
    expect(server.callsTo(content).map((call) => call.status)).toEqual([302, 302]);
    expect(server.downloads).toHaveLength(2);
    expect(server.downloads.every((download) => download.authorization === undefined)).toBe(true);
    // And the reader can index what arrived.
    const documents = await loadPolicyDocuments({
      paths: [cacheFolder],
      clock: new ManualClock('2025-03-01T00:00:00Z'),
    });
    expect(documents).toHaveLength(2);
  });

  it('downloads again only what changed, by eTag and last-modified time, and removes what was deleted', async () => {
    await library.sync();
    server.reset();
    expect((await library.sync()).unchanged.sort()).toEqual(['ai-policy.md', 'data-protection.txt']);
    expect(server.callsTo(content)).toHaveLength(0);

    server.putFiles(site, drive, folder, [
      { name: 'ai-policy.md', content: aiPolicy('2'), lastModifiedDateTime: '2025-02-01T09:00:00Z' },
    ]);
    server.reset();
    const report = await library.sync();
    expect(report).toMatchObject({
      changed: ['ai-policy.md'],
      removed: ['data-protection.txt'],
      unchanged: [],
    });
    expect(server.callsTo(content)).toHaveLength(1);
    expect(fs.readFileSync(path.join(cacheFolder, 'ai-policy.md'), 'utf8')).toContain('Version 2');
    expect(fs.existsSync(path.join(cacheFolder, 'data-protection.txt'))).toBe(false);
  });

  it('downloads a file again when its local copy went missing', async () => {
    await library.sync();
    fs.rmSync(path.join(cacheFolder, 'data-protection.txt'));
    expect((await library.sync()).changed).toEqual(['data-protection.txt']);
  });

  it('rides out a 503 burst on the listing and 429 on a download', async () => {
    server.inject({ match: listing, status: 503, times: 2 });
    server.inject({ match: content, status: 429, retryAfterSeconds: 2 });
    const report = await library.sync();
    expect(report.changed).toHaveLength(2);
    expect(sleeps.waits).toEqual([375, 750, 2000]);
  });

  it('fails with a typed error on 401 and leaves the previous copy in place', async () => {
    await library.sync();
    server.reset();
    server.inject({ match: listing, status: 401 });
    await expect(library.sync()).rejects.toMatchObject({ reason: 'unauthorized' });
    expect(server.calls).toHaveLength(1);
    expect(fs.existsSync(path.join(cacheFolder, 'ai-policy.md'))).toBe(true);
  });

  it('reports a missing folder as not found', async () => {
    const elsewhere = new SharePointPolicyLibrary({
      client: clientFor(server),
      siteId: site,
      driveId: drive,
      folder: 'Policies/Nope',
      cacheFolder,
    });
    await expect(elsewhere.sync()).rejects.toMatchObject({ reason: 'not-found', code: 'not-found' });
  });
});
