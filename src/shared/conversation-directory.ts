import type { DocumentStore } from '../storage/types';
import type { ConversationAddress } from './messaging';

/**
 * Where to reach people and places proactively: each person's personal chat with the bot (saved on
 * every turn in a personal chat) and named places such as the DPO channel (saved when the bot is
 * installed in the configured DPO team, or from configuration).
 */
export type NamedPlace = 'dpo-channel' | 'dsl-chat' | 'exams-officer-chat';

const collection = 'conversation-addresses';

export class ConversationDirectory {
  /** Avoids a storage write on every turn when nothing changed. */
  private readonly known = new Map<string, string>();

  constructor(private readonly store: DocumentStore) {}

  async rememberPerson(aadObjectId: string, address: ConversationAddress): Promise<void> {
    await this.save(`person:${aadObjectId}`, address);
  }

  async person(aadObjectId: string): Promise<ConversationAddress | undefined> {
    return (await this.store.get<ConversationAddress>(collection, `person:${aadObjectId}`))?.value;
  }

  async rememberPlace(place: NamedPlace, address: ConversationAddress): Promise<void> {
    await this.save(`place:${place}`, address);
  }

  async place(place: NamedPlace): Promise<ConversationAddress | undefined> {
    return (await this.store.get<ConversationAddress>(collection, `place:${place}`))?.value;
  }

  private async save(key: string, address: ConversationAddress): Promise<void> {
    const serialized = JSON.stringify(address);
    if (this.known.get(key) === serialized) return;
    await this.store.put(collection, key, address);
    this.known.set(key, serialized);
  }
}
