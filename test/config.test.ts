import { ConfigError, loadConfig, type Environment } from '../src/config';

const tenant: Environment = {
  MICROSOFT_APP_ID: 'app-id',
  MICROSOFT_APP_PASSWORD: 'secret',
  MICROSOFT_APP_TENANT_ID: 'tenant-id',
};

describe('configuration', () => {
  it('runs offline with nothing configured at all', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('offline');
    expect(config.port).toBe(3978);
    expect(config.storage.kind).toBe('local');
    expect(config.bot).toBeUndefined();
    expect(config.azureOpenAI).toBeUndefined();
    expect(config.policiesPath).toMatch(/policies[\\/]example$/);
  });

  it('switches to tenant mode when an app id is given', () => {
    const config = loadConfig(tenant);
    expect(config.mode).toBe('tenant');
    expect(config.bot).toMatchObject({
      appId: 'app-id',
      tenantId: 'tenant-id',
      allowedTenantId: 'tenant-id',
    });
  });

  it('uses a managed identity without a secret', () => {
    const config = loadConfig({
      MICROSOFT_APP_ID: 'app-id',
      MICROSOFT_APP_TYPE: 'UserAssignedMSI',
      MICROSOFT_APP_TENANT_ID: 'tenant-id',
      AZURE_CLIENT_ID: 'identity-client-id',
    });
    expect(config.bot?.appType).toBe('UserAssignedMSI');
    expect(config.bot?.appPassword).toBeUndefined();
  });

  it.each<[string, Environment, string]>([
    ['a port that is not a number', { PORT: 'eighty' }, 'PORT'],
    ['a port out of range', { PORT: '70000' }, 'PORT'],
    ['an unknown log level', { LOG_LEVEL: 'chatty' }, 'LOG_LEVEL'],
    [
      'tenant mode without a tenant',
      { MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 's' },
      'MICROSOFT_APP_TENANT_ID',
    ],
    [
      'tenant mode without a secret',
      { MICROSOFT_APP_ID: 'app', MICROSOFT_APP_TENANT_ID: 't' },
      'MICROSOFT_APP_PASSWORD',
    ],
    [
      'a managed identity without its client id',
      { MICROSOFT_APP_ID: 'app', MICROSOFT_APP_TYPE: 'UserAssignedMSI', MICROSOFT_APP_TENANT_ID: 't' },
      'AZURE_CLIENT_ID',
    ],
    ['an unknown app type', { ...tenant, MICROSOFT_APP_TYPE: 'Personal' }, 'MICROSOFT_APP_TYPE'],
    ['a secret without an app id', { MICROSOFT_APP_PASSWORD: 'secret' }, 'MICROSOFT_APP_PASSWORD'],
    [
      'an Azure OpenAI endpoint without a deployment',
      { AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' },
      'AZURE_OPENAI_DEPLOYMENT',
    ],
    [
      'an Azure OpenAI endpoint that is not a URL',
      { AZURE_OPENAI_ENDPOINT: 'x', AZURE_OPENAI_DEPLOYMENT: 'gpt' },
      'AZURE_OPENAI_ENDPOINT',
    ],
    [
      'a blob URL without a table URL',
      { AZURE_STORAGE_BLOB_URL: 'https://a.blob.core.windows.net' },
      'AZURE_STORAGE_TABLE_URL',
    ],
    ['a Graph address that is not a URL', { ...tenant, GRAPH_BASE_URL: 'graph' }, 'GRAPH_BASE_URL'],
    ['an outbox interval of zero', { OUTBOX_INTERVAL_MS: '0' }, 'OUTBOX_INTERVAL_MS'],
  ])('stops start-up on %s, naming the variable and the fix', (_case, environment, variable) => {
    let thrown: unknown;
    try {
      loadConfig(environment);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.fix.length).toBeGreaterThan(10);
  });

  it('reads Azure storage from a connection string', () => {
    const config = loadConfig({ AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });
    expect(config.storage).toMatchObject({ kind: 'azure', connectionString: 'UseDevelopmentStorage=true' });
  });
});
