import { payloadTooDeepMessage, requestTooLargeMessage } from '../runtime/payloadLimits';

/** An error Lambda's service answers before (or instead of) running the function: 4xx/5xx with an error type. */
export class LambdaServiceError extends Error {
  constructor(
    readonly errorType: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

/**
 * Checks a payload is JSON text within `limit` bytes (SYNC-6, ASYNC-2) and the runner's nesting depth, and returns
 * the value it holds (parsed once: the invocation's record keeps it).
 */
export function checkPayload(payloadJson: string, limit: number): unknown {
  const size = Buffer.byteLength(payloadJson, 'utf8');
  if (size > limit) {
    throw new LambdaServiceError('RequestEntityTooLargeException', 413, requestTooLargeMessage(limit));
  }
  const tooDeep = payloadTooDeepMessage(payloadJson);
  if (tooDeep) throw new LambdaServiceError('InvalidRequestContentException', 400, `${tooDeep}.`);
  try {
    return JSON.parse(payloadJson) as unknown;
  } catch {
    throw new LambdaServiceError(
      'InvalidRequestContentException',
      400,
      'Could not parse request body into json: the payload is not valid JSON.',
    );
  }
}
