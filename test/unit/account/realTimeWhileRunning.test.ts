/**
 * At a finite time scale the simulated clock compresses AWS's waiting (visibility timeouts, retry delays), never the
 * handler's own run time: a handler that runs for 1.5 s must not outlive its message's 30 s visibility timeout at
 * time scale 1000 and receive the same message again while it still runs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalAccount } from '../../../src/core/account/localAccount';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { triggerSourceName } from '../../../src/core/services/functionResources';
import { waitFor } from '../../support/waitFor';
import { lambda, sqs } from '../invoke/model';
import { buildBootstraps } from '../runtime/bootstrapBuild';

const SLOW_HANDLER = `
const fs = require('node:fs');
const path = require('node:path');
exports.handler = async (event) => {
  for (const r of event.Records) {
    fs.appendFileSync(path.join(__dirname, 'deliveries.log'), r.body + ' ' + r.attributes.ApproximateReceiveCount + '\\n');
    if (r.body === 'slow') {
      fs.writeFileSync(path.join(__dirname, 'started'), '');
      // 1.5 s of real work (hashing), the run time the clock must not compress.
      const until = Date.now() + 1500;
      while (Date.now() < until) require('node:crypto').createHash('sha256').update(r.body).digest();
    }
  }
  return {};
};
`;

describe('account: simulated time while a handler runs', function () {
  this.timeout(60_000);

  it('SQS-2 at time scale 1000 a 1.5 s handler does not outlive its 30 s visibility timeout: its message is received once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-real-time-'));
    const codeRoot = path.join(dir, 'code');
    fs.mkdirSync(codeRoot);
    fs.writeFileSync(path.join(codeRoot, 'slow.js'), SLOW_HANDLER);
    const trigger = sqs('work-queue', { batchSize: 1, visibilityTimeout: 30 });
    const fn = lambda('SlowWorker', { handler: 'slow.handler', codeRoot, timeout: 30, triggers: [trigger] });
    const account = await LocalAccount.open({
      workspaceRoot: dir,
      functions: [fn],
      bootstrapDir: await buildBootstraps(),
      storeDir: path.join(dir, 'store'),
      location: DEFAULT_LOCATION,
      timeScale: 1000,
    });
    try {
      const queue = triggerSourceName(fn, trigger);
      await account.services.sendMessages(queue, [{ body: 'slow' }]);
      await waitFor('the slow handler to start', () => fs.existsSync(path.join(codeRoot, 'started')));
      // A second message wakes the poller while the first one's handler still runs.
      await account.services.sendMessages(queue, [{ body: 'fast' }]);
      await account.engine.runUntilIdle();

      const deliveries = fs.readFileSync(path.join(codeRoot, 'deliveries.log'), 'utf8').trim().split('\n').sort();
      assert.deepEqual(deliveries, ['fast 1', 'slow 1']);
      const slow = account.engine.records().find((r) => JSON.stringify(r.event).includes('"body":"slow"'));
      assert.ok(slow?.end, 'the slow batch has a record');
      const simulatedMs = Date.parse(slow.end.simulated) - Date.parse(slow.start.simulated);
      assert.ok(simulatedMs < 30_000, `the 1.5 s run took ${simulatedMs} simulated ms`);
      assert.equal(slow.status, 'succeeded');
    } finally {
      await account.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
