/**
 * Errors we expect and can explain to a person carry a `code` to branch on.
 * `src/bot/user-messages.ts` is the one place that turns them into what the user reads.
 */
export type AppErrorCode =
  'bad-input' | 'not-found' | 'conflict' | 'forbidden' | 'stale' | 'unavailable' | 'configuration';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Safe to show to the person who caused it. */
    readonly userMessage: string = message,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
