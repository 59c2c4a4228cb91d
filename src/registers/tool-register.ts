/**
 * The trust's AI tool register: which tools are approved, for what, for whom, under which DPIA.
 * Seeded from a file the IT lead edits (config/tool-register.*.yaml), then maintained by the DPIA
 * flow. Entries live in the DocumentStore; every change is an ETag-guarded write.
 */
import { parse as parseYaml } from 'yaml';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { isStorageConflict, type DocumentStore } from '../storage/types';

export type DpiaStatus = 'none' | 'draft' | 'submitted' | 'approved' | 'rejected' | 'expired';
export const dpiaStatuses: readonly DpiaStatus[] = [
  'none',
  'draft',
  'submitted',
  'approved',
  'rejected',
  'expired',
];

export interface ApprovedUsers {
  staff: boolean;
  pupils: boolean;
  /** e.g. "13+" or "Year 7 and above"; only meaningful when pupils may use it. */
  ageRange?: string;
}

export interface ToolRecord {
  /** Stable key: lower-case name with dashes. */
  id: string;
  name: string;
  /** Other names people use for it ("Copilot", "M365 Copilot"). */
  aliases: string[];
  supplier: string;
  approvedPurposes: string[];
  approvedUsers: ApprovedUsers;
  /** Takes notes or transcribes meetings; such tools are offered on the notetaker checklist. */
  meetingNotetaker: boolean;
  dpia: { reference?: string; status: DpiaStatus };
  /** yyyy-mm-dd */
  approvalDate?: string;
  /** yyyy-mm-dd; an approval past this date counts as expired. */
  reviewDate?: string;
  conditions: string[];
  notes?: string;
  /** Who changed it last: the seed file or a DPIA decision. */
  source: 'seed' | 'dpia';
  updatedAtUtc: string;
}

export const registerCollection = 'ai-tool-register';

export function toolIdFor(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug || 'tool';
}

/** `approved` turns into `expired` once the review date has passed. */
export function effectiveStatus(record: ToolRecord, now: Date): DpiaStatus {
  if (
    record.dpia.status === 'approved' &&
    record.reviewDate &&
    record.reviewDate < now.toISOString().slice(0, 10)
  ) {
    return 'expired';
  }
  return record.dpia.status;
}

export interface DpiaDecisionUpdate {
  toolName: string;
  supplier: string;
  purposes: string[];
  approvedUsers: ApprovedUsers;
  dpiaReference: string;
  /** `none` when a withdrawn DPIA takes back its own `submitted`. */
  status: 'none' | 'submitted' | 'approved' | 'rejected';
  /** yyyy-mm-dd */
  approvalDate?: string;
  reviewDate?: string;
  conditions: string[];
  notes?: string;
  meetingNotetaker?: boolean;
}

export class ToolRegister {
  constructor(
    private readonly store: DocumentStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Adds seed entries that are not in the register yet. Entries already there are kept as they are:
   * after the first start, the DPIA flow owns them and a restart must not undo a DPO's decision.
   */
  async seed(records: ToolRecord[]): Promise<{ created: string[]; kept: string[] }> {
    const created: string[] = [];
    const kept: string[] = [];
    for (const record of records) {
      try {
        await this.store.put(registerCollection, record.id, record, { ifNoneMatch: '*' });
        created.push(record.id);
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
        kept.push(record.id);
      }
    }
    return { created, kept };
  }

  async list(): Promise<ToolRecord[]> {
    return (await this.store.list<ToolRecord>(registerCollection)).map((document) => document.value);
  }

  async get(id: string): Promise<ToolRecord | undefined> {
    if (!id || id.length > 100) return undefined;
    return (await this.store.get<ToolRecord>(registerCollection, id))?.value;
  }

  /** Finds a tool by its name or an alias, ignoring case, spacing and punctuation. */
  async findByName(name: string): Promise<ToolRecord | undefined> {
    const wanted = toolIdFor(name);
    if (!wanted) return undefined;
    const records = await this.list();
    return records.find(
      (record) =>
        record.id === wanted ||
        toolIdFor(record.name) === wanted ||
        record.aliases.some((alias) => toolIdFor(alias) === wanted),
    );
  }

  /** Finds the register tool named anywhere in a sentence, longest name first ("Microsoft 365 Copilot" over "Copilot"). */
  async findMentioned(text: string): Promise<ToolRecord | undefined> {
    const haystack = `-${toolIdFor(text)}-`;
    const candidates: { record: ToolRecord; length: number }[] = [];
    for (const record of await this.list()) {
      for (const name of [record.name, ...record.aliases]) {
        const needle = toolIdFor(name);
        if (needle && haystack.includes(`-${needle}-`)) candidates.push({ record, length: needle.length });
      }
    }
    candidates.sort((a, b) => b.length - a.length);
    return candidates[0]?.record;
  }

  /** Writes what a DPIA decided into the register: a new entry, or the existing one for that tool. */
  async recordDpia(update: DpiaDecisionUpdate): Promise<ToolRecord> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const existing = (await this.findByName(update.toolName)) ?? undefined;
      const id = existing?.id ?? toolIdFor(update.toolName);
      const stored = await this.store.get<ToolRecord>(registerCollection, id);
      const base = stored?.value;
      const next: ToolRecord = {
        id,
        name: base?.name ?? update.toolName,
        aliases: base?.aliases ?? [],
        supplier: update.supplier || base?.supplier || 'unknown',
        approvedPurposes: update.status === 'approved' ? update.purposes : (base?.approvedPurposes ?? []),
        approvedUsers:
          update.status === 'approved' ? update.approvedUsers : (base?.approvedUsers ?? update.approvedUsers),
        meetingNotetaker: update.meetingNotetaker ?? base?.meetingNotetaker ?? false,
        dpia: { reference: update.dpiaReference, status: update.status },
        approvalDate: update.status === 'approved' ? update.approvalDate : base?.approvalDate,
        reviewDate: update.status === 'approved' ? update.reviewDate : base?.reviewDate,
        conditions: update.status === 'approved' ? update.conditions : (base?.conditions ?? []),
        notes: update.notes ?? base?.notes,
        source: 'dpia',
        updatedAtUtc: this.clock.now().toISOString(),
      };
      // A submitted or rejected DPIA must not take away an approval another DPIA already gave.
      if (base && effectiveStatus(base, this.clock.now()) === 'approved' && update.status !== 'approved') {
        next.dpia = base.dpia;
        next.approvalDate = base.approvalDate;
        next.reviewDate = base.reviewDate;
        next.notes = [base.notes, `DPIA ${update.dpiaReference}: ${update.status}.`]
          .filter(Boolean)
          .join(' ');
      }
      try {
        await this.store.put(
          registerCollection,
          id,
          next,
          stored ? { ifMatch: stored.etag } : { ifNoneMatch: '*' },
        );
        return next;
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
      }
    }
    throw new AppError('conflict', 'The tool register kept changing while a DPIA decision was written.');
  }
}

/** Reads the seed file; every problem names the entry and field so the IT lead can fix it. */
export function parseToolRegisterSeed(text: string, source: string, now: Date): ToolRecord[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw seedProblem(
      source,
      `is not valid YAML/JSON (${error instanceof Error ? error.message.split('\n')[0] : 'unreadable'})`,
    );
  }
  const list = Array.isArray(raw) ? raw : (raw as { tools?: unknown } | null)?.tools;
  if (!Array.isArray(list)) throw seedProblem(source, 'must contain a list under "tools"');
  const seen = new Set<string>();
  return list.map((item, index) => {
    const where = `tools[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw seedProblem(source, `${where} must be a mapping`);
    const entry = item as Record<string, unknown>;
    const name = readText(entry.name, source, `${where}.name`);
    const id = toolIdFor(name);
    if (seen.has(id)) throw seedProblem(source, `${where} repeats the tool "${name}"`);
    seen.add(id);
    const dpia = (entry.dpia ?? {}) as Record<string, unknown>;
    const status = dpia.status ?? 'none';
    if (typeof status !== 'string' || !dpiaStatuses.includes(status as DpiaStatus)) {
      throw seedProblem(source, `${where}.dpia.status must be one of ${dpiaStatuses.join(', ')}`);
    }
    const users = (entry.approvedUsers ?? {}) as Record<string, unknown>;
    return {
      id,
      name,
      aliases: readList(entry.aliases, source, `${where}.aliases`),
      supplier: readText(entry.supplier, source, `${where}.supplier`),
      approvedPurposes: readList(entry.approvedPurposes, source, `${where}.approvedPurposes`),
      approvedUsers: {
        staff: users.staff === true,
        pupils: users.pupils === true,
        ageRange: users.ageRange === undefined ? undefined : String(users.ageRange),
      },
      meetingNotetaker: entry.meetingNotetaker === true,
      dpia: {
        reference: dpia.reference === undefined ? undefined : String(dpia.reference),
        status: status as DpiaStatus,
      },
      approvalDate: readDate(entry.approvalDate, source, `${where}.approvalDate`),
      reviewDate: readDate(entry.reviewDate, source, `${where}.reviewDate`),
      conditions: readList(entry.conditions, source, `${where}.conditions`),
      notes: entry.notes === undefined ? undefined : String(entry.notes),
      source: 'seed' as const,
      updatedAtUtc: now.toISOString(),
    };
  });
}

function seedProblem(source: string, problem: string): AppError {
  return new AppError('configuration', `Tool register file ${source}: ${problem}.`);
}

function readText(value: unknown, source: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw seedProblem(source, `${field} must be non-empty text`);
  return value.trim();
}

function readList(value: unknown, source: string, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw seedProblem(source, `${field} must be a list`);
  return value.map((item, index) => readText(item, source, `${field}[${index}]`));
}

function readDate(value: unknown, source: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  // YAML reads an unquoted 2025-09-01 as a Date.
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(new Date(`${text}T00:00:00Z`).getTime())) {
    throw seedProblem(source, `${field} must be a date written yyyy-mm-dd`);
  }
  return text;
}
