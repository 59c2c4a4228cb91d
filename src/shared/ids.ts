import { randomUUID } from 'node:crypto';

/** Ids are passed in so that tests can predict them. */
export interface IdGenerator {
  next(): string;
}

export const randomIds: IdGenerator = { next: () => randomUUID() };

/** Predictable ids: `prefix-1`, `prefix-2`, … */
export class SequentialIds implements IdGenerator {
  private count = 0;
  constructor(private readonly prefix = 'id') {}
  next(): string {
    this.count += 1;
    return `${this.prefix}-${this.count}`;
  }
}
