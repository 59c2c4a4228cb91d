import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalBotConnector, type Fault } from '../support/bot-connector';
import { removeTemporaryFolders, startBot, type RunningBot } from '../support/bot-harness';
import {
  cardExecuteActivity,
  cardSubmitActivity,
  installActivity,
  invokeActivity,
  messageActivity,
  staffMember,
  type Person,
} from '../support/teams-activities';
import {
  cardOf,
  cardTexts,
  dpoChannelId,
  dpoChannelPost,
  dpoOfficer,
  dpoTeamId,
  eventually,
  fact,
  incidentEnvironment,
  isIncidentCard,
  outsider,
  postedCards,
  referencePattern,
  reportData,
  safeguardingLead,
  type CardJson,
  dpoChannelOptions,
} from '../support/incident-e2e';
import { RecordingLogger } from '../../src/shared/logger';
import { ManualClock } from '../../src/shared/clock';
import { icoColumns } from '../../src/incidents/export';
import type { Incident } from '../../src/incidents/types';
import type { OutboxItem } from '../../src/incidents/outbox';
import { inert } from '../../src/bot/cards/common';

/**
 * Incident reports end to end over real HTTP: Teams-shaped activities in at /api/messages, the
 * reporter's personal chat and the DPO channel as two conversations on the local Bot Connector,
 * with faults injected into the connector.
 */

function personalChat(person: Person): string {
  return `a:personal-${person.aadObjectId}`;
}

interface Harness {
  connector: LocalBotConnector;
  bot: RunningBot;
  logger: RecordingLogger;
}

function channelOptions(connector: LocalBotConnector, from: Person, replyToId?: string) {
  return dpoChannelOptions(connector.serviceUrl, from, replyToId);
}

async function installInDpoTeam({ connector, bot }: Harness): Promise<void> {
  const response = await bot.post(installActivity(channelOptions(connector, dpoOfficer)));
  expect(response.status).toBe(200);
}

/** Sends the report card from a person's personal chat; returns the reply and the activity sent. */
async function submitReport(
  { connector, bot }: Harness,
  data: Record<string, string>,
  from: Person = staffMember,
  activity = cardSubmitActivity(data, {
    serviceUrl: connector.serviceUrl,
    conversationId: personalChat(from),
    from,
  }),
) {
  const before = connector.sentTo(personalChat(from)).length;
  const response = await bot.post(activity);
  expect(response.status).toBe(200);
  const reply = connector.sentTo(personalChat(from)).slice(before).at(-1)?.activity.text as string;
  return { reply, reference: referencePattern.exec(reply ?? '')?.[0], activity };
}

async function incident(bot: RunningBot, reference: string): Promise<Incident | undefined> {
  return (await bot.runtime.records.get<Incident>('incidents', reference))?.value;
}

/** The card is in Teams and the outbox has nothing more to do for it, so a count is final. */
async function settled(bot: RunningBot, reference: string): Promise<void> {
  await eventually(async () => {
    const item = (await bot.runtime.records.get<OutboxItem>('outbox', `incident-card:${reference}`))?.value;
    return item?.state === 'delivered' && item.followUpDone === true;
  }, `the card for ${reference} to be delivered`);
}

async function execute(
  { connector, bot }: Harness,
  verb: string,
  data: Record<string, unknown>,
  from: Person,
  cardActivityId: string,
): Promise<{ type: string; value: CardJson | string }> {
  const response = await bot.post(
    cardExecuteActivity(verb, data, channelOptions(connector, from, cardActivityId)),
  );
  expect(response.status).toBe(200);
  const body = JSON.parse(response.body) as { statusCode: number; type: string; value: CardJson | string };
  expect(body.statusCode).toBe(200);
  return body;
}

describe('incident reports from staff to the DPO channel', () => {
  const harness = {} as Harness;

  beforeAll(async () => {
    harness.connector = await new LocalBotConnector().start();
    harness.logger = new RecordingLogger();
    harness.bot = await startBot({ env: incidentEnvironment, overrides: { logger: harness.logger } });
    await installInDpoTeam(harness);
  });

  afterEach(() => harness.connector.clearFaults());

  afterAll(async () => {
    await harness.bot?.stop();
    await harness.connector?.stop();
    removeTemporaryFolders();
  });

  it('opens the report card on "report an incident", with a label on every input', async () => {
    const { connector, bot } = harness;
    await bot.post(messageActivity('report an incident', { serviceUrl: connector.serviceUrl }));
    const card = cardOf(connector.sentTo(personalChat(staffMember)).at(-1)!);
    const inputs = (card?.body as CardJson[]).filter((element) => String(element.type).startsWith('Input.'));
    expect(inputs.map((input) => input.id)).toEqual(
      expect.arrayContaining(['type', 'whatHappened', 'tool', 'whenDiscovered', 'dataSubjects', 'school']),
    );
    for (const input of inputs) expect(input.label).toBeTruthy();
  });

  it('gives a reference at once and posts the card to the DPO channel exactly once', async () => {
    const { connector, bot } = harness;
    const { reply, reference } = await submitReport(harness, reportData());
    expect(reply).toMatch(/your report is recorded as \*\*INC-\d{4}-\d{4}\*\*/i);
    // The reference is given before delivery: the register already has it.
    expect((await incident(bot, reference!))?.status).toBe('new');
    await settled(bot, reference!);
    const cards = postedCards(connector, reference!);
    expect(cards).toHaveLength(1);
    const card = cardOf(cards[0]);
    expect(fact(card, 'School')).toBe('Oak Primary');
    expect(fact(card, 'Reported by')).toBe(staffMember.name);
    expect(fact(card, 'Status')).toBe('New, not yet acknowledged');
    expect(card?.actions.map((action: CardJson) => action.title)).toEqual(['Acknowledge', 'Assign to…']);
    expect((await incident(bot, reference!))?.channelCardActivityId).toBe(cards[0].assignedId);
  });

  it('keeps the reporter’s name off the channel card when they ask', async () => {
    const { connector, bot } = harness;
    const { reference } = await submitReport(harness, reportData({ withholdName: 'true' }));
    await settled(bot, reference!);
    const card = cardOf(postedCards(connector, reference!)[0]);
    expect(fact(card, 'Reported by')).toMatch(/withheld/i);
    expect(JSON.stringify(card)).not.toContain(staffMember.name);
  });

  it.each<[string, Fault & { times: number }]>([
    ['429 with Retry-After', { status: 429, retryAfterSeconds: 1, times: 2 }],
    ['a burst of 503s', { status: 503, times: 4 }],
    ['connection resets', { reset: true, times: 3 }],
  ])('delivers the card exactly once through %s', async (_name, fault) => {
    const { connector, bot, logger } = harness;
    connector.inject({ match: dpoChannelPost, ...fault });
    const attemptsBefore = connector.requests.filter((request) =>
      dpoChannelPost(request.method, request.path),
    ).length;
    const { reference } = await submitReport(harness, reportData());
    await settled(bot, reference!);
    expect(postedCards(connector, reference!)).toHaveLength(1);
    const attempts = connector.requests.filter((request) => dpoChannelPost(request.method, request.path));
    expect(attempts.length - attemptsBefore).toBeGreaterThan(fault.times);
    if (fault.retryAfterSeconds) {
      const retries = logger.entries.filter(
        (entry) => entry.event === 'outbox.retrying' && entry.fields?.item === `incident-card:${reference}`,
      );
      expect(retries.map((entry) => entry.fields?.retryInMs)).toEqual([1000, 1000]);
    }
  });

  it('creates no second incident when Bot Framework retries the same activity, even at the same moment', async () => {
    const { connector, bot } = harness;
    const first = await submitReport(harness, reportData());
    const again = await submitReport(harness, reportData(), staffMember, first.activity);
    expect(again.reference).toBe(first.reference);
    expect(again.reply).toMatch(/already recorded/);

    const activity = cardSubmitActivity(reportData(), {
      serviceUrl: connector.serviceUrl,
      conversationId: personalChat(staffMember),
    });
    const before = (await bot.runtime.records.list('incidents')).length;
    await Promise.all([bot.post(activity), bot.post(activity)]);
    expect((await bot.runtime.records.list('incidents')).length).toBe(before + 1);

    await settled(bot, first.reference!);
    expect(postedCards(connector, first.reference!)).toHaveLength(1);
  });

  it('lets the DPO walk a reportable incident to closed, the card updating in place', async () => {
    const { connector, bot } = harness;
    const { reference } = await submitReport(harness, reportData());
    await settled(bot, reference!);
    const cardId = postedCards(connector, reference!)[0].assignedId;

    const steps: [string, Record<string, unknown>, string, string[]][] = [
      ['incident.acknowledge', {}, 'Acknowledged', ['Assign to…', 'Reportable to the ICO?']],
      ['incident.assign', { assignee: 'Pat Deputy' }, 'Assigned', ['Reassign…', 'Reportable to the ICO?']],
      [
        'incident.decide',
        { reportable: 'yes', reason: 'Names of pupils with SEN were disclosed.' },
        'Decision recorded',
        ['Mark reported'],
      ],
      ['incident.mark-reported', { icoCaseReference: 'IC-123456-A1B2' }, 'Reported to the ICO', ['Close']],
      ['incident.close', { closeNote: 'Chat deleted; staff retrained.' }, 'Closed', []],
    ];
    for (const [index, [verb, fields, status, buttons]] of steps.entries()) {
      const version = index + 1;
      const response = await execute(harness, verb, { reference, version, ...fields }, dpoOfficer, cardId);
      expect(response.type).toBe('application/vnd.microsoft.card.adaptive');
      const card = response.value as CardJson;
      expect(fact(card, 'Status')).toBe(status);
      expect((card.actions ?? []).map((action: CardJson) => action.title)).toEqual(buttons);
      expect(card.refresh.action.verb).toBe('incident.refresh');
      // Everyone in the channel sees it: the posted card is replaced through the Bot Connector.
      await connector.waitFor(
        (recorded) =>
          recorded.method === 'PUT' &&
          recorded.conversationId === dpoChannelId &&
          recorded.activityId === cardId &&
          fact(cardOf(recorded), 'Status') === status,
      );
    }
    const closed = await incident(bot, reference!);
    expect(closed).toMatchObject({
      status: 'closed',
      version: 6,
      assignee: 'Pat Deputy',
      icoCaseReference: 'IC-123456-A1B2',
      decision: { reportable: true, reason: 'Names of pupils with SEN were disclosed.' },
    });
    expect(closed?.events.map((event) => [event.action, event.by.name])).toEqual([
      ['reported', staffMember.name],
      ['acknowledged', dpoOfficer.name],
      ['assigned', dpoOfficer.name],
      ['decided', dpoOfficer.name],
      ['reported-to-ico', dpoOfficer.name],
      ['closed', dpoOfficer.name],
    ]);
    expect(postedCards(connector, reference!)).toHaveLength(1);

    // The reporter can follow it.
    await bot.post(messageActivity(`incident status ${reference}`, { serviceUrl: connector.serviceUrl }));
    expect(connector.sentTo(personalChat(staffMember)).at(-1)?.activity.text).toMatch(
      new RegExp(`${reference} .*Closed.*Reportable to the ICO: yes`),
    );
  });

  it('logs a "not reportable" decision with its reason, then closes', async () => {
    const { bot } = harness;
    const { reference } = await submitReport(harness, reportData({ type: 'unsafe-ai-output' }));
    await settled(bot, reference!);
    const cardId = (await incident(bot, reference!))!.channelCardActivityId!;
    await execute(harness, 'incident.acknowledge', { reference, version: 1 }, dpoOfficer, cardId);
    const undecided = await execute(
      harness,
      'incident.decide',
      { reference, version: 2, reason: 'x' },
      dpoOfficer,
      cardId,
    );
    expect(undecided.value).toMatch(/choose yes or no/i);
    const decided = await execute(
      harness,
      'incident.decide',
      { reference, version: 2, reportable: 'no', reason: 'No personal data was involved.' },
      dpoOfficer,
      cardId,
    );
    expect(fact(decided.value as CardJson, 'Reportable to ICO')).toBe('No: No personal data was involved.');
    const closed = await execute(harness, 'incident.close', { reference, version: 3 }, dpoOfficer, cardId);
    expect(fact(closed.value as CardJson, 'Status')).toBe('Closed');
    expect((await incident(bot, reference!))?.decision).toMatchObject({
      reportable: false,
      reason: 'No personal data was involved.',
    });
  });

  it('refuses a forged action from someone outside the DPO channel politely, changing nothing', async () => {
    const { bot } = harness;
    const { reference } = await submitReport(harness, reportData());
    await settled(bot, reference!);
    const before = await incident(bot, reference!);
    for (const [verb, fields] of [
      ['incident.acknowledge', {}],
      ['incident.decide', { reportable: 'no', reason: 'Nothing to see here.' }],
      ['incident.close', {}],
    ] as const) {
      const response = await execute(
        harness,
        verb,
        { reference, version: 1, ...fields },
        outsider,
        before!.channelCardActivityId!,
      );
      expect(response.type).toBe('application/vnd.microsoft.activity.message');
      expect(response.value).toMatch(/only members of the DPO channel.*nothing was changed/i);
    }
    expect(await incident(bot, reference!)).toEqual(before);
  });

  it('refuses a replayed or stale action and shows the current card instead', async () => {
    const { connector, bot } = harness;
    const { reference } = await submitReport(harness, reportData());
    await settled(bot, reference!);
    const cardId = (await incident(bot, reference!))!.channelCardActivityId!;
    const acknowledge = cardExecuteActivity(
      'incident.acknowledge',
      { reference, version: 1 },
      channelOptions(connector, dpoOfficer, cardId),
    );
    expect((await bot.post(acknowledge)).status).toBe(200);
    await execute(
      harness,
      'incident.assign',
      { reference, version: 2, assignee: 'Pat Deputy' },
      dpoOfficer,
      cardId,
    );
    const before = await incident(bot, reference!);

    // The same activity again (a replay), and a stale card pressed with an old version.
    for (const replay of [
      acknowledge,
      cardExecuteActivity(
        'incident.assign',
        { reference, version: 2, assignee: 'Someone Else' },
        channelOptions(connector, dpoOfficer, cardId),
      ),
    ]) {
      const response = await bot.post(replay);
      const body = JSON.parse(response.body) as { type: string; value: CardJson };
      expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(cardTexts(body.value).join(' ')).toMatch(/out of date.*Nothing was changed/);
      expect(fact(body.value, 'Assigned to')).toBe('Pat Deputy');
    }
    expect(await incident(bot, reference!)).toEqual(before);
  });

  it('reports through the message action on a Teams message, prefilled with a link and never the message text', async () => {
    const { connector, bot } = harness;
    const staffRoom = {
      serviceUrl: connector.serviceUrl,
      conversationId: '19:staff-room@thread.tacv2',
      kind: 'channel' as const,
      teamId: '19:school-team@thread.tacv2',
      channelId: '19:staff-room@thread.tacv2',
    };
    const messagePayload = {
      id: '1700000000123',
      linkToMessage: 'https://teams.microsoft.com/l/message/19:staff-room/1700000000123',
      body: { contentType: 'html', content: 'MESSAGE-BODY-TEXT about a pupil' },
    };
    const fetched = await bot.post(
      invokeActivity(
        'composeExtension/fetchTask',
        { commandId: 'reportIncident', commandContext: 'message', messagePayload },
        staffRoom,
      ),
    );
    const task = (JSON.parse(fetched.body) as { task: { type: string; value: CardJson } }).task;
    expect(task.type).toBe('continue');
    const form = task.value.card.content as CardJson;
    const whatHappened = (form.body as CardJson[]).find((element) => element.id === 'whatHappened');
    expect(whatHappened?.value).toContain(messagePayload.linkToMessage);
    expect(JSON.stringify(task)).not.toContain('MESSAGE-BODY-TEXT');

    const submitted = await bot.post(
      invokeActivity(
        'composeExtension/submitAction',
        { commandId: 'reportIncident', commandContext: 'message', messagePayload, data: reportData() },
        staffRoom,
      ),
    );
    const answer = (JSON.parse(submitted.body) as { task: { type: string; value: string } }).task;
    expect(answer.type).toBe('message');
    const reference = referencePattern.exec(answer.value)?.[0];
    expect(reference).toBeDefined();
    await settled(bot, reference!);
    expect(postedCards(connector, reference!)).toHaveLength(1);
    expect((await incident(bot, reference!))?.reporterAadObjectId).toBe(staffMember.aadObjectId);
  });

  it('refuses an oversized report with a clear reason and records nothing', async () => {
    const { bot } = harness;
    const before = (await bot.runtime.records.list('incidents')).length;
    const { reply, reference } = await submitReport(
      harness,
      reportData({ whatHappened: 'x'.repeat(4001), school: 's'.repeat(201) }),
    );
    expect(reference).toBeUndefined();
    expect(reply).toMatch(/Nothing was recorded yet/);
    expect(reply).toMatch(/What happened is 4,001 characters long; please keep it under 4,000/);
    expect(reply).toMatch(/School is 201 characters long/);
    expect((await bot.runtime.records.list('incidents')).length).toBe(before);
  });

  it('renders script and markup in a report inert on the channel card', async () => {
    const { connector, bot } = harness;
    const hostile = {
      whatHappened:
        '<script>alert(1)</script> **urgent** [click me](https://evil.example/) ![x](https://evil.example/x.png)',
      school: '<img src=x onerror=alert(1)>',
      tool: '[ChatGPT](javascript:alert(1))',
      actionsTaken: '# Heading\n> quote `code`',
    };
    const { reference } = await submitReport(harness, reportData(hostile));
    await settled(bot, reference!);
    const card = cardOf(postedCards(connector, reference!)[0]);
    const shown = [
      ...new Set([
        fact(card, 'School'),
        fact(card, 'AI tool'),
        ...cardTexts(card).filter((text) => text.includes('script') || text.includes('Heading')),
      ]),
    ];
    expect(shown).toHaveLength(4);
    // Every Markdown/HTML character a person typed is escaped, so nothing becomes a link, image or tag.
    for (const text of shown) expect(text).not.toMatch(/(^|[^\\])[<>[\]()*`!#]/m);
    expect(fact(card, 'School')).toBe('\\<img src=x onerror=alert\\(1\\)\\>');
    // …and the register keeps exactly what was typed.
    expect((await incident(bot, reference!))?.report.whatHappened).toBe(hostile.whatHappened);
  });

  it('exports the register as CSV and JSON to DPO members in the DPO channel only', async () => {
    const { connector, bot } = harness;
    const { reference } = await submitReport(harness, reportData({ school: 'Elm, "Academy"' }));
    await settled(bot, reference!);
    const inChannel = (from: Person, text: string) =>
      bot.post(messageActivity(text, { ...channelOptions(connector, from), conversationId: dpoChannelId }));

    const codeBlocks = async (text: string) => {
      const before = connector.sentTo(dpoChannelId).length;
      await inChannel(dpoOfficer, text);
      return connector
        .sentTo(dpoChannelId)
        .slice(before)
        .map((recorded) => /```\n([\s\S]*)\n```/.exec(recorded.activity.text ?? '')?.[1] ?? '');
    };
    const csvParts = await codeBlocks('export incidents');
    const header = csvParts[0].split('\r\n')[0];
    const rows = csvParts.flatMap((part) => part.split('\r\n').slice(1));
    expect(header.split(',').slice(0, 4)).toEqual([
      'Our reference',
      'Type of incident',
      'Organisation (school)',
      'What has happened?',
    ]);
    expect(rows.length).toBe((await bot.runtime.records.list('incidents')).length);
    expect(rows.find((row) => row.startsWith(`${reference},`))).toContain('"Elm, ""Academy"""');

    const json = (await codeBlocks('export incidents json')).flatMap(
      (part) => JSON.parse(part) as Record<string, unknown>[],
    );
    expect(json.length).toBe(rows.length);
    const exported = json.find((row) => row['Our reference'] === reference);
    expect(Object.keys(exported ?? {})).toEqual([...icoColumns, 'Action log']);
    expect(exported?.['Organisation (school)']).toBe('Elm, "Academy"');

    const refusedCount = connector.sentTo(dpoChannelId).length;
    await inChannel(outsider, 'export incidents');
    const refusal = connector
      .sentTo(dpoChannelId)
      .slice(refusedCount)
      .filter((recorded) => recorded.activity.text);
    expect(refusal).toHaveLength(1);
    expect(refusal[0].activity.text).toMatch(/Only members of the DPO team/);
    expect(refusal[0].activity.text).not.toContain(reference);

    // A DPO member in some other group conversation gets no personal data there.
    const elsewhere = messageActivity('export incidents', {
      serviceUrl: connector.serviceUrl,
      conversationId: '19:staff-room@thread.v2',
      kind: 'groupChat',
      from: dpoOfficer,
    });
    await bot.post(elsewhere);
    expect(connector.sentTo('19:staff-room@thread.v2').at(-1)?.activity.text).toMatch(/holds personal data/);
  });

  it('keeps a safeguarding concern out of the DPO channel, the register and the logs; only a minimal alert goes to the DSL', async () => {
    const { connector, bot, logger } = harness;
    // The DSL has talked to the bot once, so their personal chat is known.
    await bot.post(messageActivity('hello', { serviceUrl: connector.serviceUrl, from: safeguardingLead }));
    const secret = 'SECRET-DISCLOSURE pupil J told me about harm at home';
    const channelBefore = connector.sentTo(dpoChannelId).length;
    const incidentsBefore = (await bot.runtime.records.list('incidents')).length;

    // The card's safeguarding button sends no inputs; a forged or older client might, so send them.
    const { reply, reference } = await submitReport(harness, {
      verb: 'incident.report',
      type: 'safeguarding',
      whatHappened: secret,
      actionsTaken: secret,
      school: secret,
    });
    expect(reference).toBeUndefined();
    expect(reply).toContain('Please speak to Dee Ess now: extension 201 or the safeguarding office.');
    expect(reply).toContain('Record it on CPOMS yourself; do not use AI to draft it.');

    const alert = await connector.waitFor(
      (recorded) =>
        recorded.conversationId === personalChat(safeguardingLead) &&
        /safeguarding concern/.test(recorded.activity.text ?? ''),
    );
    expect(alert.activity.text).toBe(
      `A safeguarding concern was raised by ${staffMember.name}. Please contact them.`,
    );
    await eventually(async () => {
      const items = await bot.runtime.records.list<OutboxItem>('outbox');
      return items.every((item) => item.value.state !== 'pending');
    }, 'the outbox to be idle');

    expect(connector.sentTo(dpoChannelId).length).toBe(channelBefore);
    expect((await bot.runtime.records.list('incidents')).length).toBe(incidentsBefore);
    expect(JSON.stringify(connector.activities)).not.toContain('SECRET-DISCLOSURE');
    expect(logger.text()).not.toContain('SECRET-DISCLOSURE');
    expect(filesContaining(bot.dataFolder, 'SECRET-DISCLOSURE')).toEqual([]);
  });

  it('reports a stuck delivery on /healthz and tells the reporter', async () => {
    const { connector, bot } = harness;
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    connector.inject({ match: dpoChannelPost, status: 503, times: 100 });
    const { reference } = await submitReport(harness, reportData());
    const notice = await connector.waitFor(
      (recorded) =>
        recorded.conversationId === personalChat(staffMember) &&
        /could not post it to the DPO channel/.test(recorded.activity.text ?? ''),
      15_000,
    );
    expect(notice.activity.text).toContain(reference);
    const health = await fetch(`${bot.url}/healthz`);
    expect(health.status).toBe(503);
    const report = (await health.json()) as {
      status: string;
      checks: Record<string, { ok: boolean; detail: string }>;
    };
    expect(report.status).toBe('degraded');
    expect(Object.values(report.checks).find((check) => !check.ok)?.detail).toContain(
      `incident-card:${reference}`,
    );
    expect((await incident(bot, reference!))?.deliveryStuck).toBe(true);
    await bot.post(messageActivity(`incident status ${reference}`, { serviceUrl: connector.serviceUrl }));
    expect(connector.sentTo(personalChat(staffMember)).at(-1)?.activity.text).toMatch(
      /tell the DPO directly/,
    );

    // Once someone says which channel to use again, the stuck card is retried and arrives once.
    connector.clearFaults();
    await bot.post(
      messageActivity('use this channel for incident reports', channelOptions(connector, dpoOfficer)),
    );
    expect(connector.sentTo(dpoChannelId).at(-1)?.activity.text).toMatch(/will be posted now/);
    await settled(bot, reference!);
    expect(postedCards(connector, reference!)).toHaveLength(1);
    expect((await incident(bot, reference!))?.deliveryStuck).toBeUndefined();
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });
});

describe('choosing the DPO channel', () => {
  const harness = {} as Harness;

  beforeAll(async () => {
    harness.connector = await new LocalBotConnector().start();
    harness.logger = new RecordingLogger();
    harness.bot = await startBot({
      env: { ...incidentEnvironment, DPO_TEAM_ID: '' },
      overrides: { logger: harness.logger },
    });
  });

  afterAll(async () => {
    await harness.bot?.stop();
    await harness.connector?.stop();
    removeTemporaryFolders();
  });

  it('holds cards until a DPO member says "use this channel for incident reports", then delivers them there', async () => {
    const { connector, bot } = harness;
    const { reference } = await submitReport(harness, reportData());
    const otherChannel = '19:general@thread.tacv2';
    const inChannel = (from: Person, conversationId: string) =>
      messageActivity('use this channel for incident reports', {
        serviceUrl: connector.serviceUrl,
        conversationId: `${conversationId};messageid=1700000000001`,
        kind: 'channel',
        teamId: dpoTeamId,
        channelId: conversationId,
        from,
      });
    await bot.post(inChannel(outsider, otherChannel));
    expect(connector.sentTo(`${otherChannel};messageid=1700000000001`).at(-1)?.activity.text).toMatch(
      /Only members of the DPO team.*Nothing was changed/,
    );
    await bot.post(
      messageActivity('use this channel for incident reports', {
        serviceUrl: connector.serviceUrl,
        from: dpoOfficer,
      }),
    );
    expect(connector.sentTo(personalChat(dpoOfficer)).at(-1)?.activity.text).toMatch(
      /Say this in the channel/,
    );
    expect(postedCards(connector, reference!)).toHaveLength(0);

    await bot.post(inChannel(dpoOfficer, dpoChannelId));
    await settled(bot, reference!);
    // Posted to the channel itself (a new thread), not as a reply in the thread the command was said in.
    expect(postedCards(connector, reference!)).toHaveLength(1);
    expect(connector.activities.filter((recorded) => isIncidentCard(recorded, reference!))).toHaveLength(1);
  });
});

describe('the 72-hour ICO deadline on the channel card, across UK clock changes', () => {
  const harness = {} as Harness;
  const clock = new ManualClock('2025-01-01T12:00:00Z');

  beforeAll(async () => {
    harness.connector = await new LocalBotConnector().start();
    harness.logger = new RecordingLogger();
    harness.bot = await startBot({ env: incidentEnvironment, overrides: { logger: harness.logger, clock } });
    await installInDpoTeam(harness);
  });

  afterAll(async () => {
    await harness.bot?.stop();
    await harness.connector?.stop();
    removeTemporaryFolders();
  });

  it.each([
    // Discovered in GMT, deadline after the spring change: 72 elapsed hours end at 11:00 BST.
    ['2025-03-29T09:00:00Z', '28/03/2025 10:00', 'Mon 31 Mar 2025, 11:00 BST (49 hours left)'],
    // Discovered in BST, deadline after the autumn change: 72 elapsed hours end at 11:00 GMT.
    ['2025-10-25T09:00:00Z', '24/10/2025 12:00', 'Mon 27 Oct 2025, 11:00 GMT (50 hours left)'],
  ])('at %s, discovered %s (UK time), shows %s', async (now, discovered, shown) => {
    const { connector, bot } = harness;
    clock.set(now);
    const { reference } = await submitReport(harness, reportData({ whenDiscovered: discovered }));
    await settled(bot, reference!);
    const card = cardOf(postedCards(connector, reference!)[0]);
    // Fact values go through `inert`, which escapes the brackets; ICU may put a comma after the weekday.
    expect(
      fact(card, 'ICO deadline')
        ?.replace(/\u202f/g, ' ')
        .replace(/^(\w{3}),/, '$1'),
    ).toBe(inert(shown));
  });
});

function filesContaining(folder: string, needle: string): string[] {
  const found: string[] = [];
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (fs.readFileSync(full, 'utf8').includes(needle)) found.push(full);
    }
  };
  visit(folder);
  return found;
}

describe('installing the app in the DPO team named by its group id', () => {
  const harness = {} as Harness;
  const dpoTeamGroupId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

  beforeAll(async () => {
    harness.connector = await new LocalBotConnector().start();
    harness.logger = new RecordingLogger();
    harness.bot = await startBot({
      // Admins copy the GUID from the Teams admin centre; Teams sends it as channelData.team.aadGroupId.
      env: { ...incidentEnvironment, DPO_TEAM_ID: dpoTeamGroupId.toUpperCase() },
      overrides: { logger: harness.logger },
    });
  });

  afterAll(async () => {
    await harness.bot?.stop();
    await harness.connector?.stop();
    removeTemporaryFolders();
  });

  it('makes that channel the DPO channel and retries cards that had given up before it was known', async () => {
    const { connector, bot } = harness;
    const { reference } = await submitReport(harness, reportData());
    await connector.waitFor(
      (recorded) =>
        recorded.conversationId === personalChat(staffMember) &&
        /could not post it to the DPO channel/.test(recorded.activity.text ?? ''),
      15_000,
    );
    expect(postedCards(connector, reference!)).toHaveLength(0);

    const response = await bot.post(
      installActivity({ ...channelOptions(connector, dpoOfficer), teamAadGroupId: dpoTeamGroupId }),
    );
    expect(response.status).toBe(200);
    await settled(bot, reference!);
    expect(postedCards(connector, reference!)).toHaveLength(1);
    expect(postedCards(connector, reference!)[0].conversationId).toBe(dpoChannelId);
    expect((await incident(bot, reference!))?.deliveryStuck).toBeUndefined();
  });
});
