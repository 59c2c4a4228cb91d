import type { Actor } from './engine';

/**
 * Who may act as the DPO (record DPIA advice and decisions, export consent records). In tenant mode
 * the bot asks Graph for the DPO channel's members; offline it uses the configured list.
 */
export interface DpoDirectory {
  isDpo(actor: Actor): Promise<boolean>;
}

/** Matches a configured member by Teams id, Entra object id or email, ignoring case. */
export class ConfiguredDpoDirectory implements DpoDirectory {
  private readonly members: Set<string>;
  constructor(members: string[]) {
    this.members = new Set(members.map((member) => member.trim().toLowerCase()).filter(Boolean));
  }
  async isDpo(actor: Actor): Promise<boolean> {
    return [actor.id, actor.aadObjectId, actor.email].some(
      (identity) => identity !== undefined && this.members.has(identity.toLowerCase()),
    );
  }
}
