// The server's validation message of one field (422 details) as the sentence shown under it.
import { ApiError } from '../api/client.ts';

/** "URL scheme "http" is not allowed; use https" from the detail `{field: 'url', message: 'url scheme …'}`. */
export function fieldSentence(error: unknown, field: string, label: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const message = error.fieldMessage(field);
  if (!message) return undefined;
  // Messages may name their field ("url must …"); say it as the label reads.
  return message.startsWith(`${field} `) ? `${label}${message.slice(field.length)}` : `${label} ${message}`;
}
