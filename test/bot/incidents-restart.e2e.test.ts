import { LocalBotConnector } from '../support/bot-connector';
import { removeTemporaryFolders, temporaryFolder } from '../support/bot-harness';
import { startBotProcess, type BotProcess } from '../support/bot-process';
import { cardSubmitActivity, installActivity, staffMember } from '../support/teams-activities';
import {
  dpoChannelPost,
  eventually,
  incidentEnvironment,
  postedCards,
  referencePattern,
  reportData,
  dpoChannelOptions,
} from '../support/incident-e2e';
import { createDocumentStores } from '../../src/storage';
import type { OutboxItem } from '../../src/incidents/outbox';

/**
 * The bot as a real process, killed with SIGKILL in the middle of delivering a report and started
 * again on the same data folder: the report is in the register and its card arrives exactly once.
 */

const personalChat = `a:personal-${staffMember.aadObjectId}`;

describe('a bot process killed between the register write and the delivery', () => {
  let connector: LocalBotConnector;
  const processes: BotProcess[] = [];

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
  });

  afterAll(async () => {
    for (const running of processes) await running.stop();
    await connector?.stop();
    removeTemporaryFolders();
  });

  it('delivers the card exactly once after a restart, and a retried activity still makes no second incident', async () => {
    const dataFolder = temporaryFolder();
    const environment = { ...incidentEnvironment, DATA_FOLDER: dataFolder, OUTBOX_LEASE_MS: '1500' };
    const first = await startBotProcess(environment);
    processes.push(first);
    await first.post(installActivity(dpoChannelOptions(connector.serviceUrl)));

    // Teams hangs on the card: the process dies mid-delivery, holding its claim on the outbox item.
    connector.inject({ match: dpoChannelPost, stall: true });
    const attempts = () =>
      connector.requests.filter((request) => dpoChannelPost(request.method, request.path)).length;
    const attemptsBefore = attempts(); // the welcome card posted on install
    const activity = cardSubmitActivity(reportData(), { serviceUrl: connector.serviceUrl });
    expect((await first.post(activity)).status).toBe(200);
    const reply = connector.sentTo(personalChat).at(-1)?.activity.text as string;
    const reference = referencePattern.exec(reply)?.[0] as string;
    expect(reference).toBeDefined();
    await eventually(() => attempts() > attemptsBefore, 'the first delivery attempt to reach the connector');
    first.kill('SIGKILL');
    await first.exited;
    connector.releaseStalled();
    expect(postedCards(connector, reference)).toHaveLength(0);

    const second = await startBotProcess(environment);
    processes.push(second);
    await connector.waitFor((recorded) => postedCards(connector, reference).includes(recorded), 15_000);
    const { records } = createDocumentStores({ kind: 'local', folder: dataFolder });
    await eventually(async () => {
      const item = (await records.get<OutboxItem>('outbox', `incident-card:${reference}`))?.value;
      return item?.state === 'delivered' && item.followUpDone === true;
    }, 'the outbox to record the delivery');
    expect(postedCards(connector, reference)).toHaveLength(1);
    expect(await records.list('incidents')).toHaveLength(1);

    // Bot Framework retries the original activity against the new process.
    await second.post(activity);
    expect(connector.sentTo(personalChat).at(-1)?.activity.text).toMatch(
      new RegExp(`already recorded as \\*\\*${reference}\\*\\*`),
    );
    expect(await records.list('incidents')).toHaveLength(1);
    expect(postedCards(connector, reference)).toHaveLength(1);
    await second.stop();
  });
});
