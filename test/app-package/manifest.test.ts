import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { commands } from '../../src/bot/cards/welcome';

const repoRoot = path.resolve(__dirname, '..', '..');
const appPackage = path.join(repoRoot, 'appPackage');
const manifestText = fs.readFileSync(path.join(appPackage, 'manifest.json'), 'utf8');

type JsonObject = Record<string, unknown>;

// What provision writes for each placeholder, in the shape the real value has.
const sampleValues: Record<string, string> = {
  TEAMS_APP_ID: '2b0e5a4c-7c1d-4d0e-9a51-6f1f2a3b4c5d',
  BOT_ID: '8f3a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b',
  BOT_DOMAIN: 'aipolicyabc123-app.azurewebsites.net',
  APP_NAME_SUFFIX: '-local',
};

function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((match) => match[1]))].sort();
}

function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no sample value for placeholder ${name}`);
    return value;
  });
}

function filledManifest(values: Record<string, string> = sampleValues): JsonObject {
  return JSON.parse(fillPlaceholders(manifestText, values)) as JsonObject;
}

/** The schema shipped inside @microsoft/app-manifest for the manifest's version; read from disk, never fetched. */
function bundledSchema(manifestVersion: string): JsonObject {
  const schemaFile = path.join(
    path.dirname(require.resolve('@microsoft/app-manifest/package.json')),
    'build',
    'json-schemas',
    'teams',
    `v${manifestVersion}`,
    'MicrosoftTeams.schema.json',
  );
  if (!fs.existsSync(schemaFile))
    throw new Error(`@microsoft/app-manifest has no schema for v${manifestVersion}`);
  // Same clean-up the toolkit applies: the published schema has `\a` and `\v` escapes that JSON.parse rejects.
  const text = fs.readFileSync(schemaFile, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  return JSON.parse(text) as JsonObject;
}

// Validated with the same validator and options as the toolkit's teamsApp/validateManifest
// (@microsoft/app-manifest's AppManifestUtils.validateAgainstSchema). That package itself cannot be loaded
// under jest: it imports the ESM-only strip-bom.
const compiledSchemas = new Map<string, ValidateFunction>();

async function schemaErrors(manifest: JsonObject): Promise<string[]> {
  const version = String(manifest.manifestVersion);
  let validate = compiledSchemas.get(version);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strictTypes: false });
    addFormats(ajv, ['uri', 'email', 'regex']);
    validate = ajv.compile(bundledSchema(version));
    compiledSchemas.set(version, validate);
  }
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath} ${error.message ?? ''}. Details: ${JSON.stringify(error.params)}`,
  );
}

function bot(manifest: JsonObject): JsonObject {
  return (manifest.bots as JsonObject[])[0];
}

describe('appPackage/manifest.json', () => {
  it('uses only ${{NAME}} placeholders that have a sample value here', () => {
    expect(placeholdersIn(manifestText)).toEqual(Object.keys(sampleValues).sort());
    expect(manifestText).not.toMatch(/\$\{\{(?![A-Za-z0-9_]+\}\})/);
  });

  it('declares a schema URL and manifestVersion that agree, for a version the toolkit package ships', () => {
    const manifest = filledManifest();
    const version = String(manifest.manifestVersion);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/en-us/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`,
    );
    expect(() => bundledSchema(version)).not.toThrow();
  });

  it('validates against the official Teams JSON schema, offline', async () => {
    expect(await schemaErrors(filledManifest())).toEqual([]);
  });

  it('still validates with an empty app name suffix (cloud environments)', async () => {
    expect(await schemaErrors(filledManifest({ ...sampleValues, APP_NAME_SUFFIX: '' }))).toEqual([]);
  });

  // Proves the validation above can fail: each broken manifest must be rejected, naming the bad field.
  it.each<[string, (manifest: JsonObject) => void, string]>([
    ['a bot id that is not a GUID', (manifest) => (bot(manifest).botId = 'not-a-guid'), '/bots/0/botId'],
    [
      'an unknown bot scope',
      (manifest) => (bot(manifest).scopes = ['personal', 'meeting']),
      '/bots/0/scopes',
    ],
    [
      'a short name over 30 characters',
      (manifest) => ((manifest.name as JsonObject).short = 'x'.repeat(31)),
      '/name/short',
    ],
    ['an unknown top-level property', (manifest) => (manifest.meetingSurfaces = ['sidePanel']), 'additional'],
  ])('rejects %s', async (_case, breakIt, expected) => {
    const manifest = filledManifest();
    breakIt(manifest);
    const errors = await schemaErrors(manifest);
    expect(errors.join('\n')).toContain(expected);
  });

  it('offers the bot in personal chats, teams and group chats (meeting chats are group chats), without files', () => {
    const manifestBot = bot(filledManifest());
    expect([...(manifestBot.scopes as string[])].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(manifestBot.supportsFiles).toBe(false);
    expect(manifestBot.botId).toBe(sampleValues.BOT_ID);
  });

  it('lists exactly the commands the bot understands (src/bot/cards/welcome.ts)', () => {
    const commandLists = bot(filledManifest()).commandLists as JsonObject[];
    for (const list of commandLists) {
      const titles = (list.commands as JsonObject[]).map((command) => command.title);
      expect([...titles].sort()).toEqual(Object.values(commands).sort());
    }
    expect(commandLists.flatMap((list) => list.scopes as string[]).sort()).toEqual([
      'groupChat',
      'personal',
      'team',
    ]);
  });

  it('has a bot-based "Report an incident" action on messages that opens a dialog fetched from the bot', () => {
    const manifest = filledManifest();
    const extension = (manifest.composeExtensions as JsonObject[])[0];
    expect(extension.botId).toBe(sampleValues.BOT_ID);
    expect(extension.composeExtensionType).toBe('botBased');
    const command = (extension.commands as JsonObject[]).find(
      (candidate) => candidate.id === 'reportIncident',
    );
    expect(command).toMatchObject({
      type: 'action',
      context: ['message'],
      fetchTask: true,
      title: 'Report an incident',
    });
  });

  it('asks for the resource-specific permissions the meeting, DPO-channel and activity-feed features use', () => {
    const manifest = filledManifest();
    const permissions = ((manifest.authorization as JsonObject).permissions as JsonObject)
      .resourceSpecific as JsonObject[];
    const names = permissions.map((permission) => permission.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'OnlineMeeting.ReadBasic.Chat', // getMeetingInfo: organiser, start time, meeting chat
        'OnlineMeetingParticipant.Read.Chat', // getMeetingParticipant: role of whoever objects
        'TeamsActivity.Send.Group', // activity-feed notice to the DPO team
        'TeamMember.Read.Group', // DPO team membership check
        'ChannelSettings.Read.Group', // resolve the DPO channel
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(permissions.every((permission) => permission.type === 'Application')).toBe(true);
  });

  it('declares the activity-feed type the incident notice uses', () => {
    const activities = filledManifest().activities as JsonObject;
    const types = (activities.activityTypes as JsonObject[]).map((activityType) => activityType.type);
    expect(types).toContain('incidentReported');
  });

  it("ties webApplicationInfo to the bot's own id, which is what RSC grants to bot APIs key on", () => {
    const manifest = filledManifest();
    expect(manifest.webApplicationInfo).toEqual({
      id: sampleValues.BOT_ID,
      resource: `api://botid-${sampleValues.BOT_ID}`,
    });
    expect(manifest.validDomains).toEqual([sampleValues.BOT_DOMAIN]);
  });

  it('points developer links at https addresses and references icons that exist in the package', () => {
    const manifest = filledManifest();
    for (const url of Object.entries(manifest.developer as JsonObject).filter(([key]) =>
      key.endsWith('Url'),
    )) {
      expect(String(url[1])).toMatch(/^https:\/\//);
    }
    for (const file of Object.values(manifest.icons as JsonObject)) {
      expect(fs.existsSync(path.join(appPackage, String(file)))).toBe(true);
    }
  });
});
