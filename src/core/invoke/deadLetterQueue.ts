/** ASYNC-9: the message a function's dead-letter queue receives: the original event and three attributes. */
import type { MessageAttributeValue } from '../services/sqsQueue';

const ERROR_MESSAGE_LIMIT_BYTES = 1024;

/** Cuts `text` to at most `limit` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, limit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  let end = limit;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // step back to a character boundary
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * ASYNC-9: `RequestID` (String), `ErrorCode` (Number, the HTTP status: 200 for a function error, 429 for
 * throttles and zero concurrency, 5xx for system errors) and `ErrorMessage` (String, first 1 KB).
 */
export function deadLetterMessageAttributes(
  requestId: string,
  errorCode: number,
  errorMessage: string,
): Record<string, MessageAttributeValue & { StringValue: string }> {
  return {
    RequestID: { DataType: 'String', StringValue: requestId },
    ErrorCode: { DataType: 'Number', StringValue: String(errorCode) },
    ErrorMessage: { DataType: 'String', StringValue: truncateUtf8(errorMessage, ERROR_MESSAGE_LIMIT_BYTES) },
  };
}
