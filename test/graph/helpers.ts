import type { Client } from '@microsoft/microsoft-graph-client';
import { createGraphClient, type GraphClientOptions, type GraphTokenProvider } from '../../src/graph/client';
import type { Incident } from '../../src/incidents/types';
import type { LocalGraphServer } from '../support/graph-server';

/** A token source that counts how often it was asked and invalidated. */
export class CountingTokens implements GraphTokenProvider {
  issued = 0;
  invalidated = 0;
  constructor(private readonly value: string) {}
  async token(): Promise<string> {
    this.issued += 1;
    return this.value;
  }
  invalidate(): void {
    this.invalidated += 1;
  }
}

/** Sleeps are recorded and return at once: tests check the waits asked for, never wall-clock time. */
export class RecordedSleeps {
  readonly waits: number[] = [];
  readonly sleep = async (milliseconds: number): Promise<void> => {
    this.waits.push(milliseconds);
  };
}

export function clientFor(
  server: LocalGraphServer,
  options: Partial<GraphClientOptions> & { sleeps?: RecordedSleeps } = {},
): Client {
  return createGraphClient({
    baseUrl: server.baseUrl,
    tokens: new CountingTokens(server.appToken),
    agent: server.agent(),
    sleep: (options.sleeps ?? new RecordedSleeps()).sleep,
    random: () => 0.5,
    ...options,
  });
}

export const dpoTeam = '6f0c1a52-5c1e-4a61-9d7c-2b1f3f0e4a10';
export const dpoChannelId = '19:dpo-channel@thread.tacv2';

export function sampleIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    reference: 'INC-2025-0007',
    version: 1,
    status: 'new',
    report: {
      type: 'data-breach',
      whatHappened: 'Class list with SEN notes pasted into a public chatbot.',
      tool: 'ChatGPT (free)',
      whenHappened: 'This morning',
      discoveredAt: '2025-03-28T10:00:00.000Z',
      dataSubjects: ['pupils'],
      howMany: '28 pupils',
      specialCategory: true,
      childrenInvolved: true,
      actionsTaken: 'Chat deleted.',
      school: 'Oak Primary',
      withholdName: false,
    },
    reporter: { id: 'aad-staff-1', name: 'Sam Teacher' },
    reportedAt: '2025-03-28T10:05:00.000Z',
    icoDeadline: '2025-03-31T10:00:00.000Z',
    sourceActivityId: 'activity-1',
    events: [],
    ...overrides,
  };
}
