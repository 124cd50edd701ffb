import type { Locator } from 'playwright-core';

/** Waits until the locator is visible (a condition, not a sleep), naming what was awaited when it times out. */
export async function expect(locator: Locator, timeout = 60_000): Promise<void> {
  try {
    await locator.waitFor({ state: 'visible', timeout });
  } catch (err) {
    throw new Error(
      `Not visible within ${timeout} ms: ${locator.toString()}\n${err instanceof Error ? err.message.split('\n')[0] : ''}`,
    );
  }
}
