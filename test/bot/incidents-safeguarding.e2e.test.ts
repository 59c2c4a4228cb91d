import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalBotConnector } from '../support/bot-connector';
import { removeTemporaryFolders, temporaryFolder } from '../support/bot-harness';
import { startBotProcess, type BotProcess } from '../support/bot-process';
import { startAzureOpenAiServer, type AzureOpenAiTestServer } from '../support/azure-openai-server';
import {
  cardSubmitActivity,
  installActivity,
  messageActivity,
  staffMember,
} from '../support/teams-activities';
import {
  dpoChannelId,
  incidentEnvironment,
  safeguardingLead,
  dpoChannelOptions,
} from '../support/incident-e2e';

/**
 * A safeguarding concern must not reach the Azure OpenAI server, the logs or the DPO channel. The
 * bot runs as a real process here so that it can trust the local model server's throwaway
 * certificate (NODE_EXTRA_CA_CERTS) and so that its real log output can be searched.
 */

const personalChat = `a:personal-${staffMember.aadObjectId}`;

describe('a safeguarding concern with Azure OpenAI configured (the bot as a real process)', () => {
  let connector: LocalBotConnector;
  let azure: AzureOpenAiTestServer;
  let bot: BotProcess;

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
    azure = await startAzureOpenAiServer({ apiKey: 'test-key' });
    // The child process trusts the local server's throwaway certificate the way Node always allows.
    const folder = temporaryFolder();
    const certificate = path.join(folder, 'azure-openai-ca.pem');
    fs.writeFileSync(certificate, azure.certificate);
    bot = await startBotProcess({
      ...incidentEnvironment,
      DATA_FOLDER: path.join(folder, 'data'),
      LOG_LEVEL: 'debug',
      AZURE_OPENAI_ENDPOINT: azure.endpoint,
      AZURE_OPENAI_DEPLOYMENT: 'gpt-4o',
      AZURE_OPENAI_API_KEY: 'test-key',
      NODE_EXTRA_CA_CERTS: certificate,
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await azure?.close();
    await connector?.stop();
    removeTemporaryFolders();
  });

  it('sends no text of the concern to Azure OpenAI, the logs, the DPO channel or the DSL', async () => {
    const serviceUrl = connector.serviceUrl;
    await bot.post(installActivity(dpoChannelOptions(serviceUrl)));
    await bot.post(messageActivity('hello', { serviceUrl, from: safeguardingLead }));
    // A control: an ordinary question does reach the model server, so silence below means something.
    await bot.post(messageActivity('Can I use ChatGPT to write reports?', { serviceUrl }));
    expect(azure.requests.length).toBeGreaterThan(0);
    const requestsBefore = azure.requests.length;

    const secret = 'SECRET-DISCLOSURE a pupil described harm at home';
    const channelBefore = connector.sentTo(dpoChannelId).length;
    await bot.post(
      cardSubmitActivity(
        { verb: 'incident.report', type: 'safeguarding', whatHappened: secret, actionsTaken: secret },
        { serviceUrl },
      ),
    );
    expect(connector.sentTo(personalChat).at(-1)?.activity.text).toMatch(/Please speak to Dee Ess now/);
    const alert = await connector.waitFor(
      (recorded) =>
        recorded.conversationId === `a:personal-${safeguardingLead.aadObjectId}` &&
        /concern/.test(recorded.activity.text ?? ''),
    );
    expect(alert.activity.text).toBe(
      `A safeguarding concern was raised by ${staffMember.name}. Please contact them.`,
    );

    expect(azure.requests.length).toBe(requestsBefore);
    expect(azure.requests.map((request) => request.rawBody).join('\n')).not.toContain('SECRET-DISCLOSURE');
    expect(bot.output()).toContain('safeguarding.alert-queued');
    expect(bot.output()).not.toContain('SECRET-DISCLOSURE');
    expect(JSON.stringify(connector.activities)).not.toContain('SECRET-DISCLOSURE');
    expect(connector.sentTo(dpoChannelId)).toHaveLength(channelBefore);
  });
});
