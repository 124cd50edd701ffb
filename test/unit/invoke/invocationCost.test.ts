import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  attemptGbSeconds,
  describeCost,
  formatUsd,
  invocationCost,
  lambdaPricing,
  totalCost,
} from '../../../src/core/invoke/invocationCost';
import type { AttemptRecord } from '../../../src/core/invoke/invocationRecord';
import { harness, type Harness } from './harness';
import { lambda } from './model';

const attempt = (over: Partial<AttemptRecord>): AttemptRecord => ({
  number: 1,
  requestId: 'r',
  start: { simulated: '', wall: '' },
  durationMs: 0,
  billedDurationMs: 0,
  memorySizeMB: 128,
  maxMemoryUsedMB: 0,
  coldStart: false,
  outcome: 'success',
  logs: [],
  ...over,
});

describe('invoke: what an invocation would cost on AWS', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('the prices come from one data file that says where and when they were read', () => {
    const data = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../../src/core/invoke/lambdaPrices.json'), 'utf8'),
    ) as { source: string; retrieved: string };
    assert.match(data.source, /^https:\/\/aws\.amazon\.com\/lambda\/pricing/);
    assert.match(data.retrieved, /^\d{4}-\d{2}-\d{2}$/);
    const pricing = lambdaPricing('us-east-1');
    assert.deepEqual(pricing.arm64, { requestsPerMillion: 0.2, gbSecond: 0.0000133334 });
    assert.match(pricing.source, /read \d{4}-\d{2}-\d{2}/);
  });

  it('billed GB-seconds: billed duration (init included) times memory; refused attempts are not billed', () => {
    assert.equal(attemptGbSeconds(attempt({ billedDurationMs: 1000, memorySizeMB: 1024 })), 1);
    assert.equal(attemptGbSeconds(attempt({ billedDurationMs: 102, memorySizeMB: 256 })), 0.0255);
    assert.equal(attemptGbSeconds(attempt({ billedDurationMs: 500, outcome: 'throttled' })), 0);
  });

  it('requests and GB-seconds at the architecture price; a setting overrides a price', () => {
    const attempts = [
      attempt({ billedDurationMs: 1000, memorySizeMB: 1024 }),
      attempt({ billedDurationMs: 1000, memorySizeMB: 1024, outcome: 'functionError' }),
      attempt({ outcome: 'throttled' }),
    ];
    const x86 = invocationCost({ attempts }, 'x86_64', lambdaPricing('us-east-1'));
    assert.deepEqual([x86.requests, x86.billedGbSeconds], [2, 2]);
    assert.equal(x86.estimatedUsd, Number((2 * 0.0000166667 + 2 * 0.0000002).toFixed(12)));
    const arm = invocationCost({ attempts }, 'arm64', lambdaPricing('us-east-1', { arm64: { gbSecond: 0.001 } }));
    assert.equal(arm.estimatedUsd, Number((2 * 0.001 + 2 * 0.0000002).toFixed(12)));
    assert.equal(arm.priceSource, 'the lambdaTrigger.pricing setting');
    assert.deepEqual(totalCost([x86, x86]), { requests: 4, billedGbSeconds: 4, estimatedUsd: x86.estimatedUsd * 2 });
  });

  it('every record carries its cost: an async event with its retries counts each attempt, at its architecture', async () => {
    h = await harness(
      { functions: [lambda('f', { architecture: 'arm64' })] },
      {
        f: () => {
          throw new Error('x');
        },
      },
    );
    const queued = await h.engine.invokeAsync('f', '{}');
    await h.engine.runUntilIdle();
    const cost = h.engine.record(queued.id)!.cost!;
    // The attempts say what ran (the fake runtime reports 2 ms billed at 128 MB): three of them.
    assert.deepEqual([cost.requests, cost.architecture, cost.billedGbSeconds], [3, 'arm64', 0.00075]);
  });

  it('an estimate reads as dollars with three significant digits (cents at least), never in exponent form', () => {
    assert.equal(formatUsd(0), '$0');
    assert.equal(formatUsd(0.0000002), '$0.0000002');
    assert.equal(formatUsd(0.00000208334), '$0.00000208');
    assert.equal(formatUsd(1.5), '$1.5');
    assert.equal(formatUsd(12.3456), '$12.35');
    assert.equal(
      describeCost({ requests: 2, billedGbSeconds: 0.0255, estimatedUsd: 0.000000825, architecture: 'arm64' }),
      '2 requests, 0.0255 GB-s billed, about $0.000000825 (arm64)',
    );
    assert.equal(
      describeCost({ requests: 1, billedGbSeconds: 0, estimatedUsd: 0 }),
      '1 request, 0 GB-s billed, about $0',
    );
  });
});
