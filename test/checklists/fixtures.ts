import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManualClock } from '../../src/shared/clock';
import { SequentialIds } from '../../src/shared/ids';
import { DeliveryError, RecordingMessenger, type ConversationAddress } from '../../src/shared/messaging';
import { InMemoryStore } from '../../src/storage/in-memory-store';
import { parseToolRegisterSeed, ToolRegister } from '../../src/registers/tool-register';
import { parseTrustRules, type TrustRules } from '../../src/checklists/trust-rules';
import { ConfiguredDpoDirectory } from '../../src/checklists/people';
import { MessengerNoticePoster, NotetakerService } from '../../src/checklists/notetaker-service';
import { DpiaService } from '../../src/checklists/dpia-service';
import type { Actor } from '../../src/checklists/engine';
import type { CalendarSource } from '../../src/checklists/notetaker';

export const repoRoot = path.resolve(__dirname, '..', '..');

export function exampleRules(): TrustRules {
  const file = path.join(repoRoot, 'config', 'trust-rules.example.yaml');
  return parseTrustRules(fs.readFileSync(file, 'utf8'), file);
}

export const organiser: Actor = {
  id: 'aad-organiser',
  name: 'Olivia Organiser',
  email: 'olivia@brookvale.example',
};
export const participant: Actor = { id: 'aad-pat', name: 'Pat Participant' };
export const secondParticipant: Actor = { id: 'aad-sam', name: 'Sam Second' };
export const dpo: Actor = { id: 'aad-dpo', name: 'Dana DPO' };
export const stranger: Actor = { id: 'aad-stranger', name: 'Stan Stranger' };

export const organiserAddress: ConversationAddress = {
  serviceUrl: 'http://127.0.0.1:1/',
  conversationId: 'a:organiser-chat',
  channelId: 'msteams',
  tenantId: 'tenant-1',
};

export const joinUrl =
  'https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzQ1Yjk2%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d';

/** A world of in-memory services at a fixed time, seeded with the example register. */
export async function world(options: { now?: string; calendar?: CalendarSource; failPosts?: boolean } = {}) {
  const clock = new ManualClock(options.now ?? '2025-03-10T09:00:00Z');
  const store = new InMemoryStore();
  const ids = new SequentialIds('n');
  const rules = exampleRules();
  const register = new ToolRegister(store, clock);
  const seedFile = path.join(repoRoot, 'config', 'tool-register.example.yaml');
  await register.seed(parseToolRegisterSeed(fs.readFileSync(seedFile, 'utf8'), seedFile, clock.now()));
  const messenger = new RecordingMessenger();
  if (options.failPosts) {
    messenger.send = async () => {
      throw new DeliveryError({ kind: 'permanent', status: 403, detail: 'bot not in conversation' });
    };
  }
  const dpoDirectory = new ConfiguredDpoDirectory([dpo.id]);
  const notetaker = new NotetakerService({
    store,
    register,
    rules,
    clock,
    ids,
    dpoDirectory,
    calendar: options.calendar,
    noticePoster: new MessengerNoticePoster(messenger, (notice) => ({
      text: `notice for ${notice.meetingTitle}`,
    })),
  });
  const dpia = new DpiaService({ store, register, rules, clock, ids: new SequentialIds('d'), dpoDirectory });
  return { clock, store, ids, rules, register, messenger, notetaker, dpia };
}
