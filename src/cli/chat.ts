import * as readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config';
import { createRuntime } from '../app';
import { consoleLogger } from '../shared/logger';
import { LocalBotConnector, type RecordedActivity } from '../devtools/local-connector';
import { renderCard, type CardButton, type CardJson } from '../devtools/card-text';

/**
 * `npm run chat`: talk to the bot in a terminal, through the same Application and the same Bot
 * Connector protocol as Teams. Cards are printed as text with numbered buttons: type the number to
 * press one. You can switch between three people to play every part of a journey:
 *   /as staff · /as dpo · /as participant     /quit to leave
 */

interface Persona {
  key: string;
  name: string;
  id: string;
  aadObjectId: string;
  conversationId: string;
  kind: 'personal' | 'channel';
}

const tenantId = 'offline-tenant';
const dpoTeamId = 'chat-dpo-team';
/** A pretend Teams meeting: paste its join link into the notetaker checklist to have the notice posted in its chat. */
const demoMeeting = {
  id: 'chat-demo-meeting',
  chatConversationId: '19:meeting_Q2hhdERlbW8@thread.v2',
  joinUrl:
    'https://teams.microsoft.com/l/meetup-join/19%3ameeting_Q2hhdERlbW8%40thread.v2/0?context=%7b%22Tid%22%3a%22offline-tenant%22%7d',
};
const personas: Record<string, Persona> = {
  staff: {
    key: 'staff',
    name: 'Sam Teacher',
    id: '29:chat-staff',
    aadObjectId: 'chat-staff',
    conversationId: 'a:chat-staff',
    kind: 'personal',
  },
  dpo: {
    key: 'dpo',
    name: 'Dana Protection (DPO)',
    id: '29:chat-dpo',
    aadObjectId: 'chat-dpo',
    conversationId: '19:dpo-channel@thread.tacv2',
    kind: 'channel',
  },
  participant: {
    key: 'participant',
    name: 'Pat Participant',
    id: '29:chat-participant',
    aadObjectId: 'chat-participant',
    conversationId: 'a:chat-participant',
    kind: 'personal',
  },
};

async function main(): Promise<void> {
  (await import('dotenv')).config({ quiet: true });
  const connector = await new LocalBotConnector().start();
  const config = loadConfig({
    DPO_TEAM_ID: dpoTeamId,
    DPO_MEMBERS: personas.dpo.aadObjectId,
    ...process.env,
    // The terminal chat always runs offline: it is for trying the bot without a tenant.
    MICROSOFT_APP_ID: '',
    MICROSOFT_APP_PASSWORD: '',
    MICROSOFT_APP_TENANT_ID: '',
    ALLOWED_TENANT_ID: '',
  });
  const runtime = await createRuntime(config, { logger: consoleLogger('warn') });
  await runtime.start();

  let current = personas.staff;
  let buttons: CardButton[] = [];
  const output = (line = '') => process.stdout.write(line + '\n');
  const conversationLabel = (conversationId: string) =>
    conversationId === demoMeeting.chatConversationId
      ? 'the demo meeting chat'
      : (Object.values(personas).find((persona) => persona.conversationId === conversationId)?.name ??
        conversationId);
  // Which conversation each numbered button was shown in, so pressing it answers there (as in Teams).
  const buttonConversation = new Map<number, string>();

  const show = (recorded: RecordedActivity) => {
    const activity = recorded.activity;
    if (activity.type === 'typing') return;
    const where = conversationLabel(recorded.conversationId);
    const updated = recorded.method === 'PUT' ? ' (card updated)' : '';
    output(`\n── bot → ${where}${updated}`);
    if (activity.text) output(String(activity.text).replace(/<br>/g, '\n'));
    for (const citation of activity.entities?.[0]?.citation ?? []) {
      output(`  [${citation.position}] ${citation.appearance?.name}`);
    }
    for (const attachment of activity.attachments ?? []) {
      if (attachment.contentType === 'application/vnd.microsoft.card.adaptive')
        showCard(attachment.content as CardJson, recorded.conversationId);
    }
  };
  const showCard = (card: CardJson, conversationId?: string) => {
    const rendered = renderCard(card, buttons.length + 1);
    buttons = [...buttons, ...rendered.buttons];
    if (conversationId)
      for (const shown of rendered.buttons) buttonConversation.set(shown.number, conversationId);
    for (const line of rendered.lines) output(line);
  };

  let shown = 0;
  const flush = () => {
    while (shown < connector.activities.length) show(connector.activities[shown++]);
  };

  const post = async (activity: Record<string, unknown>) => {
    const outcome = await runtime.handleActivity(activity, '');
    if (outcome.kind === 'rejected') output(`(the bot refused that: ${outcome.reason})`);
    // An Action.Execute answer comes back in the HTTP response as the refreshed card.
    const body =
      outcome.kind === 'processed'
        ? (outcome.body as { value?: unknown; type?: string } | undefined)
        : undefined;
    // Give proactive sends from background work (outbox) a moment to arrive before the prompt.
    await new Promise((resolve) => setTimeout(resolve, 150));
    flush();
    if (body?.type === 'application/vnd.microsoft.card.adaptive' && body.value) {
      output('\n── bot (refreshed card)');
      showCard(body.value as CardJson);
    } else if (body?.type === 'application/vnd.microsoft.activity.message' && body.value) {
      output(`\n── bot: ${String(body.value)}`);
    }
  };

  const base = (persona: Persona) => ({
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: persona.id, name: persona.name, aadObjectId: persona.aadObjectId },
    recipient: { id: '28:chat-bot', name: 'AI Policy Assistant' },
    conversation: {
      id: persona.conversationId,
      conversationType: persona.kind,
      tenantId,
      ...(persona.kind === 'channel' ? { isGroup: true } : {}),
    },
    channelData: {
      tenant: { id: tenantId },
      ...(persona.kind === 'channel'
        ? { team: { id: dpoTeamId }, channel: { id: persona.conversationId } }
        : {}),
    },
    locale: 'en-GB',
  });

  // The bot is "installed" in the DPO team so incident and DPIA cards have somewhere to go.
  await post({ ...base(personas.dpo), type: 'conversationUpdate', membersAdded: [{ id: '28:chat-bot' }] });
  shown = connector.activities.length; // the DPO channel's own welcome card is noise here
  connector.members.set(personas.dpo.conversationId, [
    { id: personas.dpo.id, name: personas.dpo.name, aadObjectId: personas.dpo.aadObjectId },
  ]);
  // The demo meeting: the bot is in its chat, so a notetaker notice can be posted there.
  connector.meetings.set(demoMeeting.id, {
    id: demoMeeting.id,
    organizerId: personas.staff.id,
    organizerAadObjectId: personas.staff.aadObjectId,
    joinUrl: demoMeeting.joinUrl,
    title: 'Demo meeting',
    scheduledStartTime: new Date(Date.now() + 86_400_000).toISOString(),
    scheduledEndTime: new Date(Date.now() + 90_000_000).toISOString(),
    chatConversationId: demoMeeting.chatConversationId,
    tenantId,
  });
  connector.members.set(
    demoMeeting.chatConversationId,
    [personas.staff, personas.participant].map((persona) => ({
      id: persona.id,
      name: persona.name,
      aadObjectId: persona.aadObjectId,
    })),
  );
  output(`\nAI Policy Assistant — terminal chat (${config.mode} mode, policies from ${config.policiesPath})`);
  output(`Demo Teams meeting (for "notetaker consent"), join link: ${demoMeeting.joinUrl}`);
  output(
    'You are Sam Teacher. Type a question, "help", or a button number. /as dpo · /as participant · /as staff · /quit\n',
  );
  await post({
    ...base(current),
    type: 'conversationUpdate',
    membersAdded: [{ id: '28:chat-bot' }, { id: current.id }],
  });

  const terminal = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY,
  });
  const ask = (question: string) => new Promise<string>((resolve) => terminal.question(question, resolve));
  const prompt = () => terminal.setPrompt(`\n${current.name}> `);

  const press = async (button: CardButton) => {
    const shownIn = buttonConversation.get(button.number);
    // A button on a card in a group conversation (the meeting chat) is pressed there, as in Teams.
    const where =
      shownIn === demoMeeting.chatConversationId
        ? {
            ...base(current),
            conversation: { id: shownIn, conversationType: 'groupChat', tenantId, isGroup: true },
            channelData: { tenant: { id: tenantId }, meeting: { id: demoMeeting.id } },
          }
        : base(current);
    if (button.kind === 'imBack') return post({ ...where, type: 'message', text: button.text });
    if (button.kind === 'openUrl') return output(`(open in a browser: ${button.url})`);
    if (button.kind === 'other') return output('(that button does nothing in the terminal)');
    const values: Record<string, unknown> = {};
    for (const input of button.inputs) {
      const choices = input.choices?.length
        ? ` (${input.choices.map((choice, index) => `${index + 1}=${choice.title}`).join(', ')})`
        : input.type === 'Input.Toggle'
          ? ' (y/n)'
          : '';
      const answer = (
        await ask(`  ${input.label}${choices}${input.value ? ` [${input.value}]` : ''}: `)
      ).trim();
      values[input.id] = toInputValue(input, answer);
    }
    if (button.kind === 'submit')
      return post({ ...where, type: 'message', value: { ...button.data, ...values } });
    return post({
      ...where,
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: { type: 'Action.Execute', verb: button.verb, data: { ...button.data, ...values } },
        trigger: 'manual',
      },
    });
  };

  prompt();
  terminal.prompt();
  for await (const line of terminal) {
    const text = line.trim();
    if (text === '/quit' || text === '/exit') break;
    if (text.startsWith('/as ')) {
      const persona = personas[text.slice(4).trim()];
      if (persona) current = persona;
      else output(`Unknown person. Choose one of: ${Object.keys(personas).join(', ')}`);
    } else if (/^\d+$/.test(text) && buttons.find((button) => button.number === Number(text))) {
      await press(buttons.find((button) => button.number === Number(text)) as CardButton);
    } else if (text) {
      await post({ ...base(current), type: 'message', text });
    }
    prompt();
    terminal.prompt();
  }
  terminal.close();
  await runtime.stop();
  await connector.stop();
}

function toInputValue(
  input: { type: string; choices?: { value: string }[]; value?: string },
  answer: string,
): unknown {
  if (answer === '' && input.value !== undefined) return input.value;
  if (input.type === 'Input.Toggle') return /^(y|yes|true|1)$/i.test(answer) ? 'true' : 'false';
  if (input.choices?.length) {
    return answer
      .split(',')
      .map((part) => part.trim())
      .map((part) => (/^\d+$/.test(part) ? (input.choices?.[Number(part) - 1]?.value ?? part) : part))
      .join(',');
  }
  return answer;
}

main().catch((error: unknown) => {
  process.stderr.write(`chat stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
