import { LocalBotConnector } from '../support/bot-connector';
import { removeTemporaryFolders, startBot, type RunningBot } from '../support/bot-harness';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { cardSubmitActivity, installActivity, type Person } from '../support/teams-activities';
import {
  dpoChannelId,
  dpoChannelPost,
  eventually,
  incidentEnvironment,
  isIncidentCard,
  postedCards,
  referencePattern,
  reportData,
  dpoChannelOptions,
} from '../support/incident-e2e';
import { RecordingLogger } from '../../src/shared/logger';
import type { OutboxItem } from '../../src/incidents/outbox';
import type { Incident } from '../../src/incidents/types';

/**
 * Two bot instances on one storage account (Azurite), as when the App Service scales out: both
 * poll the same outbox, and every incident card reaches the DPO channel exactly once.
 */
describe('two bot instances sharing one Azure Storage account', () => {
  let azurite: RunningAzurite;
  let connector: LocalBotConnector;
  const bots: RunningBot[] = [];
  const loggers = [new RecordingLogger(), new RecordingLogger()];

  beforeAll(async () => {
    [azurite, connector] = await Promise.all([startAzurite(), new LocalBotConnector().start()]);
    const environment = {
      ...incidentEnvironment,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      AZURE_STORAGE_CONTAINER: 'scaleout-state',
      AZURE_STORAGE_TABLE_PREFIX: 'scaleout',
      OUTBOX_INTERVAL_MS: '40',
      OUTBOX_LEASE_MS: '10000',
    };
    for (const logger of loggers) bots.push(await startBot({ env: environment, overrides: { logger } }));
  });

  afterAll(async () => {
    for (const bot of bots) await bot.stop();
    await connector?.stop();
    await azurite?.stop();
    removeTemporaryFolders();
  });

  it('delivers each card exactly once while both instances race for the outbox', async () => {
    const [first, second] = bots;
    await first.post(installActivity(dpoChannelOptions(connector.serviceUrl)));
    // A slow connector keeps deliveries in flight while the other instance polls past them.
    connector.inject({ match: dpoChannelPost, delayMs: 250, times: 4 });
    connector.inject({ match: dpoChannelPost, status: 503, times: 2 });

    const reporters: Person[] = Array.from({ length: 8 }, (_, index) => ({
      id: `29:reporter-${index}`,
      name: `Reporter ${index}`,
      aadObjectId: `aad-reporter-${index}`,
    }));
    // Reports arrive at both instances at the same time.
    await Promise.all(
      reporters.map((from, index) =>
        bots[index % 2].post(
          cardSubmitActivity(reportData(), {
            serviceUrl: connector.serviceUrl,
            conversationId: `a:personal-${from.aadObjectId}`,
            from,
          }),
        ),
      ),
    );
    const references = reporters.map(
      (from) =>
        referencePattern.exec(
          connector.sentTo(`a:personal-${from.aadObjectId}`).at(-1)?.activity.text ?? '',
        )?.[0],
    );
    expect(references.every(Boolean)).toBe(true);
    expect(new Set(references).size).toBe(reporters.length);

    await eventually(
      async () => {
        const items = await second.runtime.records.list<OutboxItem>('outbox');
        const cards = items.filter((document) => document.value.id.startsWith('incident-card:'));
        return (
          cards.length === reporters.length &&
          cards.every((document) => document.value.state === 'delivered' && document.value.followUpDone)
        );
      },
      'every card to be delivered',
      20_000,
    );

    for (const reference of references) expect(postedCards(connector, reference!)).toHaveLength(1);
    const cardsInChannel = connector
      .sentTo(dpoChannelId)
      .filter((recorded) => references.some((reference) => isIncidentCard(recorded, reference!)));
    expect(cardsInChannel).toHaveLength(reporters.length);

    // Both instances see the same register, each incident knowing its one card.
    const register = await first.runtime.records.list<Incident>('incidents');
    expect(register).toHaveLength(reporters.length);
    const cardIds = new Set(cardsInChannel.map((recorded) => recorded.assignedId));
    for (const { value } of register) expect(cardIds.has(value.channelCardActivityId!)).toBe(true);

    const deliveries = loggers.flatMap((logger) =>
      logger.entries.filter(
        (entry) =>
          entry.event === 'outbox.delivered' && String(entry.fields?.item).startsWith('incident-card:'),
      ),
    );
    expect(deliveries).toHaveLength(reporters.length);
  });
});
