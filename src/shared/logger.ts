/**
 * A tiny structured logger. Callers pass only non-personal fields: report text, questions that
 * contained personal data and safeguarding details must never be passed here.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, string | number | boolean | undefined>): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function consoleLogger(minimum: LogLevel = 'info'): Logger {
  return {
    log(level, event, fields) {
      if (order[level] < order[minimum]) return;
      const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
      if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
      else process.stdout.write(line + '\n');
    },
  };
}

/** Records every entry; tests use it to prove what was (and was not) logged. */
export class RecordingLogger implements Logger {
  readonly entries: { level: LogLevel; event: string; fields?: Record<string, unknown> }[] = [];
  log(level: LogLevel, event: string, fields?: Record<string, string | number | boolean | undefined>): void {
    this.entries.push({ level, event, fields });
  }
  text(): string {
    return JSON.stringify(this.entries);
  }
}

export const silentLogger: Logger = { log: () => undefined };
