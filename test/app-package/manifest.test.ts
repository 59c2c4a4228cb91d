import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { parse as parseEnvironmentFile } from 'dotenv';
import { PNG } from 'pngjs';

const repoRoot = path.resolve(__dirname, '..', '..');
const appPackage = path.join(repoRoot, 'appPackage');
const manifestText = fs.readFileSync(path.join(appPackage, 'manifest.json'), 'utf8');
const manifest = JSON.parse(manifestText) as Record<string, unknown> & { manifestVersion: string };
const schemaFolder = path.join(
  repoRoot,
  'node_modules',
  '@microsoft',
  'app-manifest',
  'build',
  'json-schemas',
  'teams',
);

/** Values the toolkit would write at provision time; the rest come from the environment file. */
const provisionedSamples: Record<string, string> = {
  TEAMS_APP_ID: '2b6b4c1e-3d4f-4a6b-8c9d-0e1f2a3b4c5d',
  BOT_ID: '7f3e2d1c-0b9a-4876-9543-210fedcba987',
  BOT_DOMAIN: 'aipolicyabc123-app.azurewebsites.net',
};

function readEnvironment(name: string): Record<string, string> {
  return parseEnvironmentFile(fs.readFileSync(path.join(repoRoot, 'env', `.env.${name}`), 'utf8'));
}

/** Replaces ${{NAME}} the way the toolkit does; an unknown placeholder is an error, not an empty string. */
function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder ${name}`);
    return value;
  });
}

function loadSchema(version: string): object {
  const raw = fs.readFileSync(path.join(schemaFolder, `v${version}`, 'MicrosoftTeams.schema.json'), 'utf8');
  // Same clean-up as the toolkit: a few schema regexes use escapes (\a, \v) that JSON and JavaScript reject.
  return JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as object;
}

// Validated the way the toolkit's own `teamsApp/validateManifest` does (@microsoft/app-manifest uses these
// options), but offline: the package cannot be loaded under jest because it pulls in ESM-only modules.
const ajv = new Ajv({ allErrors: true, strictTypes: false });
addFormats(ajv, ['uri', 'email', 'regex']);
const validateAgainstSchema = ajv.compile(loadSchema(manifest.manifestVersion));

function validate(candidate: object): string[] {
  if (validateAgainstSchema(candidate)) return [];
  return (validateAgainstSchema.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

function readPng(file: string): PNG {
  return PNG.sync.read(fs.readFileSync(file));
}

describe('Teams app manifest', () => {
  it('points $schema at the official URL of its manifestVersion, which the schema package ships', () => {
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(fs.existsSync(path.join(schemaFolder, `v${manifest.manifestVersion}`))).toBe(true);
    expect(Number(manifest.manifestVersion.split('.')[1])).toBeGreaterThanOrEqual(19);
  });

  it.each(['local', 'dev'])('validates against the official schema once filled for env %s', (environment) => {
    const values = { ...readEnvironment(environment), ...provisionedSamples };
    const filled = JSON.parse(fillPlaceholders(manifestText, values)) as object;
    expect(validate(filled)).toEqual([]);
  });

  it.each([
    [
      'an unknown bot scope',
      (copy: Record<string, unknown>) => ((copy.bots as { scopes: string[] }[])[0].scopes = ['everywhere']),
    ],
    [
      'a bot id that is not a GUID',
      (copy: Record<string, unknown>) => ((copy.bots as { botId: string }[])[0].botId = 'not-a-guid'),
    ],
    ['a missing developer', (copy: Record<string, unknown>) => delete copy.developer],
  ])('the schema check rejects %s', (_case, breakIt) => {
    const copy = JSON.parse(
      fillPlaceholders(manifestText, { ...readEnvironment('dev'), ...provisionedSamples }),
    ) as Record<string, unknown>;
    breakIt(copy);
    expect(validate(copy).length).toBeGreaterThan(0);
  });

  it('offers the bot in personal, team and group chat with the commands the welcome card lists', () => {
    const bot = (
      manifest.bots as {
        scopes: string[];
        supportsFiles: boolean;
        commandLists: { commands: { title: string }[] }[];
      }[]
    )[0];
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(false);
    expect(bot.commandLists.flatMap((list) => list.commands.map((command) => command.title))).toEqual([
      'ask about the policy',
      'notetaker consent',
      'start a dpia',
      'report an incident',
      'my consent records',
      'help',
    ]);
  });

  it('has a message action "Report an incident" served by the bot', () => {
    const [extension] = manifest.composeExtensions as {
      botId: string;
      commands: Record<string, unknown>[];
    }[];
    expect(extension.botId).toBe('${{BOT_ID}}');
    expect(extension.commands).toEqual([
      expect.objectContaining({
        id: 'reportIncident',
        type: 'action',
        context: ['message'],
        fetchTask: true,
        title: 'Report an incident',
      }),
    ]);
  });

  it('ties the app to the bot registration and its web domain', () => {
    expect(manifest.validDomains).toEqual(['${{BOT_DOMAIN}}']);
    expect(manifest.webApplicationInfo).toEqual({ id: '${{BOT_ID}}', resource: 'api://botid-${{BOT_ID}}' });
  });
});

describe('Teams app icons', () => {
  const color = readPng(path.join(appPackage, 'color.png'));
  const outline = readPng(path.join(appPackage, 'outline.png'));

  it('has a 192x192 colour icon and a 32x32 outline icon', () => {
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
  });

  it('draws the outline in white only, on a fully transparent background', () => {
    const offending: string[] = [];
    let visible = 0;
    let transparent = 0;
    for (let index = 0; index < outline.data.length; index += 4) {
      const [red, green, blue, alpha] = outline.data.subarray(index, index + 4);
      if (alpha === 0) transparent += 1;
      else {
        visible += 1;
        if (red !== 255 || green !== 255 || blue !== 255)
          offending.push(`pixel ${index / 4}: ${red},${green},${blue},${alpha}`);
      }
    }
    expect(offending).toEqual([]);
    expect(visible).toBeGreaterThan(50);
    expect(transparent).toBeGreaterThan(32 * 32 * 0.4);
  });

  it('is exactly what scripts/make-icons.js draws', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'icons-'));
    try {
      execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'make-icons.js'), folder]);
      for (const name of ['color.png', 'outline.png']) {
        expect(
          fs.readFileSync(path.join(folder, name)).equals(fs.readFileSync(path.join(appPackage, name))),
        ).toBe(true);
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('are the files the manifest names', () => {
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });
});
