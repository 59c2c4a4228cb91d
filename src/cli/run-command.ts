import { isAppError } from '../shared/errors';

/**
 * Runs a command-line entry point: its result becomes the exit code, and a failure is printed as
 * one line (the user-facing message of an expected error) instead of a stack trace.
 */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `${isAppError(error) ? error.userMessage : error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
