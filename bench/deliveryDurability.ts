/**
 * Delivery durability under SIGKILL (a check, not a benchmark: not run by `npm run bench`): real engine processes
 * (async invocations with retries and a DLQ, SQS batches with partial batch failures and a redrive to a DLQ, Kinesis
 * records, real Node.js handlers) are killed at random points over many rounds, each round reopening the store and
 * accepting new events, a last one running until idle. Prints rounds, kills, events, deliveries, lost (must be 0) and
 * duplicates beyond at-least-once (must be 0; defined in test/fixtures/invoke/deliveryKillRounds.ts and
 * docs/semantics.md); exits 1 when either is not 0. The unit suite runs a few rounds of the same
 * (test/unit/invoke/durability.test.ts).
 *   npx tsx bench/deliveryDurability.ts [rounds, default 50] [events of each kind per round, default 6]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deliveryKillRounds } from '../test/fixtures/invoke/deliveryKillRounds';
import { buildBootstraps } from '../test/unit/runtime/bootstrapBuild';

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 50);
  const eventsPerKind = Number(process.argv[3] ?? 6);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-delivery-durability-'));
  try {
    const started = Date.now();
    const result = await deliveryKillRounds({ rounds, eventsPerKind, bootstrapDir: await buildBootstraps(), workDir });
    console.log(
      `${result.rounds} rounds, ${result.kills} engine processes SIGKILLed, then one run until idle; ` +
        `${result.accepted} events accepted (async, SQS, Kinesis), ${result.deliveries} deliveries; ` +
        `${result.processed} processed, ${result.deadLettered} in a DLQ (${result.processedAndDeadLettered} of them ` +
        `processed before a redrive), ${result.unsettled.length} still queued, ` +
        `${result.behind} stream records behind; lost ${result.lost.length}, ` +
        `duplicates beyond at-least-once ${result.duplicates.length} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
    if (result.lost.length > 0) console.error(`lost: ${result.lost.join(' ')}`);
    for (const duplicate of result.duplicates) console.error(`duplicate: ${duplicate}`);
    if (result.lost.length > 0 || result.duplicates.length > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

void main();
