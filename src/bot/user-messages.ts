import { isAppError } from '../shared/errors';
import { isStorageConflict } from '../storage/types';

/** The one place that turns an error into what the person in Teams reads. */
export function userMessageFor(error: unknown): string {
  if (isAppError(error)) return error.userMessage;
  if (isStorageConflict(error)) {
    return 'Someone else changed this at the same moment. Nothing was lost: please look at the latest card and try again.';
  }
  return 'Sorry, something went wrong on my side and nothing was changed. Please try again in a minute; if it keeps happening, tell your IT team.';
}
