import { LocalBotConnector } from '../support/bot-connector';
import { removeTemporaryFolders, startBot, temporaryFolder, type RunningBot } from '../support/bot-harness';
import {
  cardExecuteActivity,
  cardSubmitActivity,
  installActivity,
  messageActivity,
  type Person,
} from '../support/teams-activities';
import { button, cardText, lastCard, submission, waitForCard, waitForText } from '../support/card-driver';
import { ManualClock } from '../../src/shared/clock';
import { SequentialIds } from '../../src/shared/ids';
import type { DpiaState } from '../../src/checklists/dpia-service';
import type { ToolRecord } from '../../src/registers/tool-register';
import type { CardJson } from '../../src/devtools/card-text';

/**
 * The DPIA from the requester's chat to the DPO channel and back, over HTTP: every step is filled
 * in on the card the bot sent, the DPO card arrives through the outbox, the DPO acts with
 * Universal Actions, and the register and the requester hear about the decision.
 */

const requester: Person = { id: '29:requester', name: 'Rita Requester', aadObjectId: 'aad-requester' };
const dpo: Person = { id: '29:dpo', name: 'Dana DPO', aadObjectId: 'aad-dpo' };
const stranger: Person = { id: '29:stranger', name: 'Stan Stranger', aadObjectId: 'aad-stranger' };
const requesterChat = `a:personal-${requester.aadObjectId}`;
const dpoTeam = '19:dpo-team@thread.tacv2';
const dpoChannel = '19:dpo-channel@thread.tacv2';
const recap = 'Microsoft Teams Premium intelligent recap';
const recapId = 'microsoft-teams-premium-intelligent-recap';

interface InvokeBody {
  statusCode: number;
  type: string;
  value: CardJson | string;
}

describe('DPIA end to end (requester chat → DPO channel → register → requester)', () => {
  let connector: LocalBotConnector;
  let bot: RunningBot;
  let dataFolder: string;
  const clock = new ManualClock('2026-03-10T09:00:00Z');
  const env = { DPO_TEAM_ID: dpoTeam, DPO_MEMBERS: dpo.aadObjectId, OUTBOX_INTERVAL_MS: '100' };

  const personal = (person: Person) => ({
    serviceUrl: connector.serviceUrl,
    conversationId: `a:personal-${person.aadObjectId}`,
    from: person,
  });
  const inDpoChannel = (person: Person) => ({
    serviceUrl: connector.serviceUrl,
    conversationId: dpoChannel,
    kind: 'channel' as const,
    teamId: dpoTeam,
    channelId: dpoChannel,
    from: person,
  });
  const say = (text: string, person = requester) => bot.post(messageActivity(text, personal(person)));
  const press = (value: Record<string, unknown>, person = requester) =>
    bot.post(cardSubmitActivity(value, personal(person)));
  const mark = () => connector.activities.length;
  const dpiaRecord = async (id: string) => (await bot.runtime.records.get<DpiaState>('dpia', id))?.value;
  const registerEntry = async (id: string) =>
    (await bot.runtime.records.get<ToolRecord>('ai-tool-register', id))?.value;

  /** The outbox records the DPO card's activity id just after delivery; waits for it. */
  async function cardPosted(id: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const activityId = (await dpiaRecord(id))?.data.dpoCardActivityId;
      if (activityId) return activityId;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  }

  /** A DPO card button pressed in the channel: Teams answers with the refreshed card (or a message). */
  async function execute(card: CardJson, title: string, answers: Record<string, unknown>, person = dpo) {
    const pressed = button(card, title);
    const value = submission(card, title, answers, { fillRequired: false });
    const replyToId = (await dpiaRecord(String(value.dpiaId)))?.data.dpoCardActivityId;
    const response = await bot.post(
      cardExecuteActivity(String(pressed.verb), value, { ...inDpoChannel(person), replyToId }),
    );
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as InvokeBody;
    return typeof body.value === 'string'
      ? { text: body.value, card }
      : { text: cardText(body.value), card: body.value };
  }

  const stepAnswers: Record<string, Record<string, unknown>> = {
    tool: {
      supplier: 'Microsoft',
      purposes: 'meeting notes and transcription in Teams',
      users: 'staff',
      meetingNotetaker: 'true',
    },
  };

  /** Fills in every step on the cards the bot sends until the review step (or `stopAt`). */
  async function walk(residual: 'low' | 'high', stopAt?: string): Promise<CardJson> {
    for (let guard = 0; guard < 20; guard += 1) {
      const card = lastCard(connector, requesterChat);
      const stepId = String(submission(card, /.+/).stepId);
      if (stepId === 'review' || stepId === stopAt) return card;
      if (stepId === 'risks') {
        const hasRisk = /Risk 1 \(/.test(cardText(card));
        await press(
          hasRisk
            ? submission(card, 'Next: measures', {}, { fillRequired: false })
            : submission(card, 'Add this risk', {
                description: 'A recap wrongly attributes a sensitive remark to a parent',
                likelihood: 'possible',
                severity: 'severe',
              }),
        );
      } else if (stepId === 'measures') {
        const inputs = button(card, 'Next').inputs.map((input) => input.id);
        const riskId = (inputs.find((id) => id.startsWith('residual_')) ?? '').slice('residual_'.length);
        await press(
          submission(card, 'Next', {
            [`measure_${riskId}`]: 'The organiser checks every recap before it is shared',
            [`effect_${riskId}`]: 'reduced',
            [`residual_${riskId}`]: residual,
          }),
        );
      } else {
        await press(submission(card, 'Next', stepAnswers[stepId] ?? {}));
      }
      const next = lastCard(connector, requesterChat);
      if (String(submission(next, /.+/).stepId) === stepId && stepId !== 'risks')
        throw new Error(`Step ${stepId} did not advance:\n${cardText(next)}`);
    }
    throw new Error('The DPIA never reached the review step');
  }

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
    dataFolder = temporaryFolder();
    bot = await startBot({ env, dataFolder, overrides: { clock, ids: new SequentialIds('d') } });
    for (const person of [requester, dpo, stranger]) await bot.post(installActivity(personal(person)));
    // Installing the bot in the DPO team makes that channel the DPO channel.
    await bot.post(installActivity(inDpoChannel(dpo)));
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.stop();
    removeTemporaryFolders();
  });

  let dpiaId = '';

  it('screening cites the trust’s own clause; leaving mid-way and resuming after a restart loses nothing', async () => {
    await say(`start a dpia for ${recap}`);
    const first = lastCard(connector, requesterChat);
    expect(cardText(first)).toMatch(/This DPIA is yours and the DPO’s/);
    dpiaId = String(submission(first, 'Next').checklistId);
    await walk('low', 'need');
    const need = cardText(lastCard(connector, requesterChat));
    expect(need).toMatch(/Screening result: a DPIA is \*\*required\*\*/);
    expect(need).toMatch(/Artificial Intelligence Policy, section 4\.2: Personal Data and DPIAs/);
    const typed = 'We want recaps of staff meetings so that absent colleagues can catch up.';
    await press(submission(lastCard(connector, requesterChat), 'Save draft', { need: typed }));

    await bot.stop();
    bot = await startBot({ env, dataFolder, overrides: { clock, ids: new SequentialIds('e') } });
    clock.advance(3 * 86_400_000);
    await say('resume my dpia');
    const resumed = lastCard(connector, requesterChat);
    expect(submission(resumed, 'Next')).toMatchObject({ checklistId: dpiaId, stepId: 'need', need: typed });
    expect((await dpiaRecord(dpiaId))?.data.answers.tool).toMatchObject({
      toolName: recap,
      supplier: 'Microsoft',
    });
  });

  it.each([
    ['an empty answer', { need: '   ' }, /required/i],
    ['a 100 KB answer', { need: 'x'.repeat(102400) }, /102,400 characters long/],
    ['an answer of the wrong type', { need: { nested: true } }, /must be text/],
  ])('%s gets a clear message and the draft is unchanged', async (_name, answers, message) => {
    const before = await dpiaRecord(dpiaId);
    const sent = mark();
    await press(submission(lastCard(connector, requesterChat), 'Next', answers));
    expect(
      connector.activities
        .slice(sent)
        .map((activity) => activity.activity.text)
        .join('\n'),
    ).toMatch(message);
    expect(await dpiaRecord(dpiaId)).toEqual(before);
  });

  let dpoCard: CardJson;

  it('submission: the requester’s chat, then the DPO channel card through the outbox (despite a 429); the register shows it submitted', async () => {
    const review = await walk('low');
    expect(cardText(review)).toMatch(/Highest residual risk: low/);
    // The connector throttles the first post to the DPO channel: the outbox waits and tries again.
    connector.inject({
      match: (method, path) => method === 'POST' && decodeURIComponent(path).includes(dpoChannel),
      status: 429,
      retryAfterSeconds: 0,
    });
    const sent = mark();
    await press(submission(review, 'Submit to the DPO'));
    expect(cardText(lastCard(connector, requesterChat))).toMatch(new RegExp(`DPIA ${dpiaId} submitted`));
    dpoCard = await waitForCard(connector, dpoChannel, new RegExp(`DPIA ${dpiaId} for the DPO`), sent);
    expect(cardText(dpoCard)).toMatch(/Requested by: Rita Requester/);
    expect(cardText(dpoCard)).not.toMatch(/consult the ICO/);
    expect((await registerEntry(recapId))?.dpia).toEqual({ reference: dpiaId, status: 'submitted' });
    // The card's id is remembered (after delivery) so later changes update it in place.
    expect(await cardPosted(dpiaId)).toMatch(/^activity-/);
  });

  it('while it waits, the notetaker checklist still stops for this tool', async () => {
    await say('notetaker consent');
    await press(
      submission(lastCard(connector, requesterChat), 'Next', {
        title: 'Staff briefing',
        start: '2026-03-20 08:15',
      }),
    );
    await press(submission(lastCard(connector, requesterChat), 'Check this tool', { toolId: recapId }));
    expect(cardText(lastCard(connector, requesterChat))).toMatch(/waiting for the DPO’s decision/);
  });

  it('a forged approval by someone who is not the DPO is refused and nothing changes', async () => {
    const before = await dpiaRecord(dpiaId);
    const { text: reply } = await execute(
      dpoCard,
      'Record decision',
      { decision: 'approved', reasons: 'Looks fine to me', residualRiskApprovedBy: 'Me' },
      stranger,
    );
    expect(reply).toMatch(/Only the Data Protection Officer can act on a DPIA/);
    expect(await dpiaRecord(dpiaId)).toEqual(before);
    expect((await registerEntry(recapId))?.dpia.status).toBe('submitted');
  });

  it('the DPO reads the full assessment from the card; nobody else can', async () => {
    const full = await execute(dpoCard, 'Show the full assessment', {});
    expect(full.text).toMatch(new RegExp(`DPIA ${dpiaId}: the full assessment`));
    expect(full.text).toMatch(/We want recaps of staff meetings so that absent colleagues can catch up\./);
    expect(full.text).toMatch(/Lawful basis: Public task/);
    expect(full.text).toMatch(
      /A recap wrongly attributes a sensitive remark to a parent → The organiser checks every recap before it is shared \(reduced; residual low\)/,
    );
    expect(button(full.card, 'Back').verb).toBe('dpia.refresh');
    const refused = await execute(dpoCard, 'Show the full assessment', {}, stranger);
    expect(refused.text).toMatch(/Only the Data Protection Officer can read DPIAs here/);
    expect(refused.text).not.toMatch(/absent colleagues/);
  });

  it('the DPO records advice (the requester is told), then approves naming who approved the residual risks', async () => {
    let sent = mark();
    const advised = await execute(dpoCard, 'Record advice', {
      advice: 'Turn recaps off for safeguarding meetings.',
    });
    expect(advised.text).toMatch(/Advice from Dana DPO: Turn recaps off for safeguarding meetings\./);
    await waitForText(connector, requesterChat, /The DPO added advice to DPIA/, sent);
    // The refreshed card carries the new version; the old card would now be stale.
    const stale = await execute(dpoCard, 'Record decision', { decision: 'approved', reasons: 'x' });
    expect(stale.text).toMatch(/changed since this card was sent/);
    dpoCard = advised.card;
    sent = mark();
    const { text: approved } = await execute(dpoCard, 'Record decision', {
      decision: 'approved',
      reasons: 'Measures are adequate for staff meetings.',
      residualRiskApprovedBy: 'Helen Head, Headteacher',
      conditions: 'Staff meetings only\nRecaps checked before sharing',
    });
    expect(approved).toMatch(/Approved\*\* by Dana DPO/);
    expect(approved).toMatch(/Residual risks approved by Helen Head, Headteacher\./);
    const told = await waitForText(
      connector,
      requesterChat,
      new RegExp(`The DPO approved DPIA ${dpiaId}`),
      sent,
    );
    expect(told.activity.text).toMatch(/The AI tool register now shows it as approved/);
    expect(await registerEntry(recapId)).toMatchObject({
      dpia: { reference: dpiaId, status: 'approved' },
      approvalDate: '2026-03-13',
      reviewDate: '2027-03-13',
      approvedPurposes: ['meeting notes and transcription in Teams'],
      conditions: ['Staff meetings only', 'Recaps checked before sharing'],
    });
    expect((await dpiaRecord(dpiaId))?.data.decision).toMatchObject({
      decision: 'approved',
      byId: dpo.aadObjectId,
      residualRiskApprovedBy: 'Helen Head, Headteacher',
    });
  });

  it('a second approval is refused and names who decided', async () => {
    const before = await dpiaRecord(dpiaId);
    const { text: reply } = await execute(dpoCard, 'Record decision', {
      decision: 'rejected',
      reasons: 'Changed my mind',
    });
    expect(reply).toMatch(/already approved by Dana DPO; nothing was changed/);
    expect(await dpiaRecord(dpiaId)).toEqual(before);
  });

  it('the approved tool now passes the notetaker checklist’s DPIA check', async () => {
    await say('notetaker consent');
    await press(
      submission(lastCard(connector, requesterChat), 'Next', {
        title: 'Staff briefing',
        start: '2026-03-20 08:15',
      }),
    );
    await press(submission(lastCard(connector, requesterChat), 'Check this tool', { toolId: recapId }));
    const notice = cardText(lastCard(connector, requesterChat));
    expect(notice).toMatch(/Tell participants before the meeting/);
    expect(notice).toMatch(/Condition of approval: Staff meetings only/);
  });

  it('"can I use <tool> for <purpose>?" answers from the register and the policy, with citations', async () => {
    await say(`can I use ${recap} for meeting notes?`);
    const answer = String(connector.sentTo(requesterChat).at(-1)?.activity.text);
    expect(answer).toMatch(new RegExp(`Yes: ${recap} is approved for meeting notes`));
    expect(answer).toMatch(new RegExp(`DPIA ${dpiaId}, review due 2027-03-13`));
    expect(answer).toMatch(/\[1\] Artificial Intelligence Policy, /);

    await say('can I use Otter for meeting notes?');
    expect(String(connector.sentTo(requesterChat).at(-1)?.activity.text)).toMatch(
      /Otter\.ai is in the register but has no DPIA, so it is not approved/,
    );
  });

  it('an unknown tool is "not authorised — start a DPIA?" with the policy’s route and clause', async () => {
    await say('Can I use Gemini for lesson planning?');
    const reply = connector.sentTo(requesterChat).at(-1);
    const text = String(reply?.activity.text);
    expect(text).toMatch(
      /Gemini is not in the trust's AI tool register, so it is not authorised as an AI tool/,
    );
    expect(text).toMatch(/ask the Data Protection Officer \(dpo@brookvale\.example\)/);
    expect(text).toMatch(/Artificial Intelligence Policy, 2\.2 Roles/);
    expect(text).toMatch(/Artificial Intelligence Policy, 4\.2 Personal Data and DPIAs/);
    expect(button(lastCard(connector, requesterChat), 'Start a DPIA for Gemini')).toMatchObject({
      kind: 'imBack',
      text: 'start a dpia for Gemini',
    });
    // A general question about AI stays a policy question.
    await say('Can staff use AI tools to mark work?');
    expect(String(connector.sentTo(requesterChat).at(-1)?.activity.text)).not.toMatch(/tool register/);
  });

  it('high residual risk shows "consult the ICO before processing"; after withdrawal the DPO can no longer act', async () => {
    await say('start a dpia for Notely');
    const id = String(submission(lastCard(connector, requesterChat), 'Next').checklistId);
    stepAnswers.tool = { ...stepAnswers.tool, supplier: 'Notely Ltd' };
    const review = await walk('high');
    expect(cardText(review)).toMatch(/consult the ICO before processing/);
    const sent = mark();
    await press(submission(review, 'Submit to the DPO'));
    const card = await waitForCard(connector, dpoChannel, new RegExp(`DPIA ${id} for the DPO`), sent);
    expect(cardText(card)).toMatch(/consult the ICO before processing/);
    expect(button(card, 'Record decision').inputs.map((input) => input.id)).toContain('icoConsultation');
    await cardPosted(id);

    const withdrawnAt = mark();
    await press(submission(lastCard(connector, requesterChat), 'Withdraw this DPIA'));
    expect(connector.sentTo(requesterChat).at(-1)?.activity.text).toBe(`DPIA ${id} is withdrawn.`);
    // Everyone in the DPO channel sees the card change in place.
    const updated = await connector.waitFor(
      (activity) =>
        activity.method === 'PUT' &&
        activity.conversationId === dpoChannel &&
        connector.activities.indexOf(activity) >= withdrawnAt,
    );
    expect(cardText(updated.activity.attachments[0].content)).toMatch(/Withdrawn by the requester/);
    const before = await dpiaRecord(id);
    const { text: reply } = await execute(card, 'Record decision', {
      decision: 'approved',
      reasons: 'Fine',
      residualRiskApprovedBy: 'Head',
      icoConsultation: 'ICO said yes',
    });
    expect(reply).toMatch(/was withdrawn by Rita Requester; nothing was changed/);
    expect(await dpiaRecord(id)).toEqual(before);
    expect((await registerEntry('notely'))?.dpia.status).toBe('none');
  });
  it('when the DPO channel refuses the card for good (403), the requester is told to send it to the DPO directly', async () => {
    await say('start a dpia for Notely Two');
    const id = String(submission(lastCard(connector, requesterChat), 'Next').checklistId);
    const review = await walk('low');
    connector.inject({
      match: (method, path) => method === 'POST' && decodeURIComponent(path).includes(dpoChannel),
      status: 403,
    });
    const sent = mark();
    await press(submission(review, 'Submit to the DPO'));
    const told = await waitForText(connector, requesterChat, new RegExp(`could not post DPIA ${id}`), sent);
    expect(told.activity.text).toMatch(
      /Please send it to the Data Protection Officer \(dpo@example-trust\.org\.uk\) directly/,
    );
    expect((await dpiaRecord(id))?.data.lifecycle).toBe('submitted');
    const health = (await bot.runtime.health()).checks.outbox;
    expect(health).toMatchObject({ ok: false, detail: expect.stringContaining(`dpia-card:${id}`) });
  });
});
