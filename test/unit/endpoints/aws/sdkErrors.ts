/** What the AWS SDK threw for a call the endpoint refused: its exception name, HTTP status and message. */
import * as assert from 'node:assert/strict';

export interface SdkFailure {
  name: string;
  status: number | undefined;
  message: string;
  error: Error & { $metadata?: { httpStatusCode?: number } };
}

/** The call's rejection; fails when it resolves. */
export async function sdkFailure(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (err) {
    const error = err as SdkFailure['error'];
    return { name: error.name, status: error.$metadata?.httpStatusCode, message: error.message, error };
  }
  assert.fail('the call succeeded, but the endpoint should have refused it');
}

/** Asserts the call fails with `name` and `status`. */
export async function rejectsWith(call: Promise<unknown>, name: string, status: number): Promise<SdkFailure> {
  const failure = await sdkFailure(call);
  assert.deepEqual({ name: failure.name, status: failure.status }, { name, status }, failure.message);
  return failure;
}
