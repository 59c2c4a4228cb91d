import fs from 'node:fs';
import path from 'node:path';
import { parse as parseEnvironmentFile } from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { knownEnvironmentVariables, loadConfig } from '../../src/config';

// No Bicep compiler runs here, so these tests read the Bicep source as text. They pin down what would
// otherwise only fail at `teamsapp provision` time: names that must agree across the manifest, the
// toolkit's project files, the environment files, the Bicep template and src/config.ts.

const repoRoot = path.resolve(__dirname, '..', '..');
const read = (relative: string): string => fs.readFileSync(path.join(repoRoot, relative), 'utf8');

const bicep = read('infra/azure.bicep');
const parameterFile = JSON.parse(read('infra/azure.parameters.json')) as {
  parameters: Record<string, { value: unknown }>;
};
const placeholderPattern = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(placeholderPattern)].map((match) => match[1]))];
}

interface BicepParam {
  name: string;
  defaultValue?: string;
}

function bicepParams(): BicepParam[] {
  return [...bicep.matchAll(/^param\s+(\w+)\s+\w+(?:\s*=\s*(.+))?$/gm)].map((match) => ({
    name: match[1],
    defaultValue: match[2]?.trim(),
  }));
}

function bicepOutputs(): string[] {
  return [...bicep.matchAll(/^output\s+(\w+)\s/gm)].map((match) => match[1]);
}

/** name → Bicep value expression of each entry in the web app's appSettings. */
function webAppSettings(): Map<string, string> {
  const block = /appSettings:\s*\[([\s\S]*?)\n\s*\]/.exec(bicep);
  if (!block) throw new Error('no appSettings block in infra/azure.bicep');
  const settings = new Map<string, string>();
  for (const match of block[1].matchAll(/name:\s*'([^']+)'\s*\n\s*value:\s*(.+)/g))
    settings.set(match[1], match[2].trim());
  return settings;
}

/**
 * The value of a Bicep expression when it is known before deployment: a string literal (with `${name}`
 * interpolations of such values), a parameter's default, a variable, or a resource's `name`.
 */
function staticValue(expression: string): string | undefined {
  const text = expression.trim();
  const literal = /^'([^']*)'$/.exec(text);
  if (literal) {
    const filled = literal[1].replace(/\$\{(\w+)\}/g, (whole, name: string) => staticValue(name) ?? whole);
    return filled.includes('${') ? undefined : filled;
  }
  const resourceName = /^(\w+)\.name$/.exec(text);
  if (resourceName) {
    const block = new RegExp(`^resource ${resourceName[1]} '[^']*' = \\{[\\s\\S]*?\\n  name: (.+)`, 'm').exec(
      bicep,
    );
    return block ? staticValue(block[1]) : undefined;
  }
  if (!/^\w+$/.test(text)) return undefined;
  const param = bicepParams().find((candidate) => candidate.name === text);
  if (param) return param.defaultValue === undefined ? undefined : staticValue(param.defaultValue);
  const variable = new RegExp(`^var ${text} = (.+)$`, 'm').exec(bicep);
  return variable ? staticValue(variable[1]) : undefined;
}

interface Action {
  uses: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}

interface Project {
  environmentFolderPath?: string;
  provision?: Action[];
  deploy?: Action[];
  publish?: Action[];
}

/** Environment variables an action writes: its writeToEnvironmentFile, plus the template outputs of arm/deploy. */
function produced(action: Action): string[] {
  const names = Object.values(action.writeToEnvironmentFile ?? {});
  if (action.uses === 'arm/deploy') names.push(...bicepOutputs());
  return names;
}

/** Placeholders an action needs: in its own inputs, and in the manifest or parameter files it reads. */
function needed(action: Action): string[] {
  const inputs = JSON.stringify(action.with ?? {});
  const names = placeholdersIn(inputs);
  if (/manifestPath/.test(inputs)) names.push(...placeholdersIn(read('appPackage/manifest.json')));
  if (action.uses === 'arm/deploy') names.push(...placeholdersIn(read('infra/azure.parameters.json')));
  return names;
}

const projects = [
  { file: 'teamsapp.yml', environment: 'dev' },
  { file: 'teamsapp.local.yml', environment: 'local' },
];

describe('Bicep parameters', () => {
  const declared = bicepParams();

  it('declares every parameter the parameters file sets', () => {
    const names = declared.map((param) => param.name);
    expect(Object.keys(parameterFile.parameters).filter((name) => !names.includes(name))).toEqual([]);
  });

  it('gets a value for every parameter without a default', () => {
    const missing = declared
      .filter((param) => param.defaultValue === undefined && !(param.name in parameterFile.parameters))
      .map((param) => param.name);
    expect(missing).toEqual([]);
  });

  it('holds no secrets in the parameters file', () => {
    expect(JSON.stringify(parameterFile)).not.toMatch(/SECRET_|password|key/i);
  });
});

describe.each(projects)('$file', ({ file, environment }) => {
  const project = parseYaml(read(file)) as Project;
  const environmentFile = path.join(project.environmentFolderPath ?? './env', `.env.${environment}`);
  const environmentValues = parseEnvironmentFile(read(environmentFile));

  it('provisions, validates, zips and updates the Teams app', () => {
    const steps = (project.provision ?? []).map((action) => action.uses);
    expect(steps[0]).toBe('teamsApp/create');
    for (const step of [
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]) {
      expect(steps).toContain(step);
    }
    expect(steps.indexOf('teamsApp/update')).toBeGreaterThan(steps.indexOf('teamsApp/zipAppPackage'));
  });

  it(`has every placeholder set by env/.env.${environment} or by an earlier action`, () => {
    const available = new Set(Object.keys(environmentValues));
    const unresolved: string[] = [];
    for (const lifecycle of ['provision', 'deploy', 'publish'] as const) {
      for (const action of project[lifecycle] ?? []) {
        for (const name of needed(action)) {
          if (!available.has(name)) unresolved.push(`${lifecycle} ${action.uses}: ${name}`);
        }
        for (const name of produced(action)) available.add(name);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('keeps secrets out of the committed environment file', () => {
    expect(Object.keys(environmentValues).filter((name) => name.startsWith('SECRET_'))).toEqual([]);
  });
});

describe('teamsapp.yml for Azure', () => {
  const project = parseYaml(read('teamsapp.yml')) as Project;
  const deploy = (project.provision ?? []).find((action) => action.uses === 'arm/deploy');

  it('deploys infra/azure.bicep with its parameters file', () => {
    expect(deploy?.with?.templates).toEqual([
      expect.objectContaining({ path: './infra/azure.bicep', parameters: './infra/azure.parameters.json' }),
    ]);
  });

  it('gets BOT_ID, BOT_DOMAIN and the App Service id from the Bicep outputs', () => {
    expect(bicepOutputs()).toEqual(
      expect.arrayContaining([
        'BOT_ID',
        'BOT_DOMAIN',
        'BOT_AZURE_APP_SERVICE_RESOURCE_ID',
        'AZURE_OPENAI_ENDPOINT',
      ]),
    );
  });

  it('builds the app and zip-deploys it to that App Service', () => {
    const steps = project.deploy ?? [];
    const build = steps.findIndex(
      (action) => action.uses === 'cli/runNpmCommand' && action.with?.args === 'run build',
    );
    const zipDeploy = steps.findIndex((action) => action.uses === 'azureAppService/zipDeploy');
    expect(build).toBeGreaterThanOrEqual(0);
    expect(zipDeploy).toBeGreaterThan(build);
    const upload = steps[zipDeploy].with ?? {};
    expect(upload.resourceId).toBe('${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}');
    if (typeof upload.ignoreFile === 'string')
      expect(fs.existsSync(path.join(repoRoot, upload.ignoreFile))).toBe(true);
  });

  it('starts on App Service the file package.json names as the entry point', () => {
    const packageJson = JSON.parse(read('package.json')) as { main: string };
    expect(bicep).toContain(`appCommandLine: 'node ${packageJson.main}'`);
  });

  it('publishes the app package to the Teams admin center', () => {
    expect((project.publish ?? []).map((action) => action.uses)).toContain('teamsApp/publishAppPackage');
  });
});

describe('web app settings', () => {
  const settings = webAppSettings();
  // App Service reads these itself; the bot never does.
  const platformSettings = ['SCM_DO_BUILD_DURING_DEPLOYMENT'];

  it('names only variables that src/config.ts reads', () => {
    const known: readonly string[] = knownEnvironmentVariables;
    expect(
      [...settings.keys()].filter((name) => !known.includes(name) && !platformSettings.includes(name)),
    ).toEqual([]);
  });

  it.each([
    'MICROSOFT_APP_ID',
    'MICROSOFT_APP_TYPE',
    'MICROSOFT_APP_TENANT_ID',
    'AZURE_CLIENT_ID',
    'AZURE_OPENAI_ENDPOINT',
    'AZURE_OPENAI_DEPLOYMENT',
    'AZURE_OPENAI_API_VERSION',
    'AZURE_STORAGE_BLOB_URL',
    'AZURE_STORAGE_TABLE_URL',
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
    'DPO_TEAM_ID',
    'DSL_NAME',
    'DSL_CONTACT',
    'POLICIES_PATH',
  ])('sets %s', (name) => {
    expect(settings.has(name)).toBe(true);
  });

  it('signs the bot in as the managed identity, with no password', () => {
    expect(settings.get('MICROSOFT_APP_TYPE')).toBe("'UserAssignedMSI'");
    expect(settings.get('MICROSOFT_APP_ID')).toBe('identity.properties.clientId');
    expect(settings.get('AZURE_CLIENT_ID')).toBe('identity.properties.clientId');
    expect(
      [...settings.keys()].filter(
        (name) =>
          /PASSWORD|API_KEY|CONNECTION_STRING$/.test(name) &&
          name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING',
      ),
    ).toEqual([]);
  });

  it('points the bot at the blob container and the table the template creates', () => {
    expect(staticValue(settings.get('AZURE_STORAGE_CONTAINER') ?? "'bot-state'")).toBe(
      staticValue('stateContainer.name'),
    );
    // The Table store names its table `<AZURE_STORAGE_TABLE_PREFIX>records`; the prefix defaults to policybot.
    const prefix = staticValue(settings.get('AZURE_STORAGE_TABLE_PREFIX') ?? "'policybot'");
    expect(`${prefix}records`).toBe(staticValue('recordsTable.name'));
    expect(staticValue('stateContainer.name')).toBe('bot-state');
  });

  it('makes a configuration the bot accepts in tenant mode', () => {
    // Values Azure fills in at deployment time, by setting name.
    const deployed: Record<string, string> = {
      MICROSOFT_APP_ID: '7f3e2d1c-0b9a-4876-9543-210fedcba987',
      AZURE_CLIENT_ID: '7f3e2d1c-0b9a-4876-9543-210fedcba987',
      MICROSOFT_APP_TENANT_ID: '0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a',
      ALLOWED_TENANT_ID: '0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a',
      AZURE_OPENAI_ENDPOINT: 'https://aipolicyabc-openai.openai.azure.com/',
      AZURE_OPENAI_DEPLOYMENT: 'gpt-4o-mini',
      AZURE_STORAGE_BLOB_URL: 'https://aipolicyabc.blob.core.windows.net/',
      AZURE_STORAGE_TABLE_URL: 'https://aipolicyabc.table.core.windows.net/',
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
    };
    const environment: Record<string, string> = {};
    for (const [name, expression] of settings) {
      const value = staticValue(expression) ?? deployed[name];
      if (value === undefined) throw new Error(`no sample value for ${name} = ${expression}`);
      environment[name] = value;
    }
    const config = loadConfig(environment);
    expect(config.mode).toBe('tenant');
    expect(config.bot).toMatchObject({
      appType: 'UserAssignedMSI',
      tenantId: deployed.MICROSOFT_APP_TENANT_ID,
    });
    expect(config.storage.kind).toBe('azure');
    expect(config.azureOpenAI).toBeDefined();
  });
});

describe('Azure resources', () => {
  it.each([
    ['a user-assigned managed identity', /'Microsoft\.ManagedIdentity\/userAssignedIdentities@/],
    ['a Linux App Service on Node 20', /linuxFxVersion: 'NODE\|20-lts'/],
    ['the start command of the built app', /appCommandLine: 'node dist\/src\/index\.js'/],
    ['HTTPS only', /httpsOnly: true/],
    [
      'an Azure Bot signed in as the managed identity',
      /msaAppType: 'UserAssignedMSI'[\s\S]*msaAppMSIResourceId: identity\.id/,
    ],
    ['the Teams channel', /channelName: 'MsTeamsChannel'/],
    ['a storage account without shared keys', /allowSharedKeyAccess: false/],
    ['no public blob access', /allowBlobPublicAccess: false/],
    ['TLS 1.2 for storage', /minimumTlsVersion: 'TLS1_2'/],
    ['Azure OpenAI without API keys', /kind: 'OpenAI'[\s\S]*disableLocalAuth: true/],
    ['Storage Blob Data Contributor for the identity', /ba92f5b4-2d11-453d-a403-e96b0029c9fe/],
    ['Storage Table Data Contributor for the identity', /0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3/],
    ['Cognitive Services OpenAI User for the identity', /5e0bd9bd-7b93-4f28-af87-19fc36ad61bd/],
    ['Application Insights on a Log Analytics workspace', /WorkspaceResourceId: logAnalytics\.id/],
  ])('has %s', (_what, pattern) => {
    expect(bicep).toMatch(pattern);
  });

  it('grants each role to the managed identity', () => {
    const grants = [...bicep.matchAll(/principalId: (\S+)/g)].map((match) => match[1]);
    expect(grants).toEqual(Array(3).fill('identity.properties.principalId'));
  });
});
