import * as assert from 'node:assert/strict';
import { newInvocationRecord, type InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { groupStories, partLabel } from '../../../src/core/invoke/invocationStory';

const at = (s: number): { simulated: string; wall: string } => ({
  simulated: new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString(),
  wall: new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString(),
});

function rec(id: string, s: number, over: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    ...newInvocationRecord({
      id,
      functionName: 'f',
      mode: 'batch',
      source: { type: 'sqs', arn: 'arn:aws:sqs:us-east-1:123456789012:q' },
      configuration: { values: {}, origins: {} },
      event: {},
      status: 'failed',
      start: at(s),
    }),
    ...over,
  };
}

describe('invoke: stories from records', () => {
  it('groups by story, oldest record first inside, the story with the latest news first', () => {
    const records = [
      rec('r3', 60, { storyId: 'r1' }),
      rec('other', 45, { status: 'succeeded' }),
      rec('r1', 0),
      rec('r2', 30, { storyId: 'r1' }),
    ];
    const stories = groupStories(records);
    assert.deepEqual(
      stories.map((s) => [s.id, s.records.map((r) => r.id)]),
      [
        ['r1', ['r1', 'r2', 'r3']],
        ['other', ['other']],
      ],
    );
    assert.equal(stories[0].failures, 3);
    assert.equal(stories[0].status, 'failed');
    assert.deepEqual(
      stories[0].records.map((r) => partLabel(r, stories[0])),
      ['receive 1', 'receive 2', 'receive 3'],
    );
  });

  it("a story is running while any record is; else it reads as its latest record's status", () => {
    const replay = rec('r4', 90, {
      storyId: 'r1',
      status: 'succeeded',
      mode: 'sync',
      source: { type: 'replay', arn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
    });
    const [story] = groupStories([rec('r1', 0), replay]);
    assert.equal(story.status, 'succeeded');
    assert.equal(story.failures, 1);
    assert.equal(partLabel(replay, story), 'replay');
    const [running] = groupStories([rec('r1', 0), { ...replay, status: 'running' }]);
    assert.equal(running.status, 'running');
  });

  it("the costs of a story's records add up", () => {
    const cost = {
      requests: 1,
      billedGbSeconds: 0.125,
      estimatedUsd: 0.0000023,
      architecture: 'x86_64' as const,
      priceSource: 'p',
    };
    const [story] = groupStories([rec('a', 0, { cost }), rec('b', 1, { storyId: 'a', cost })]);
    assert.deepEqual(story.cost, { requests: 2, billedGbSeconds: 0.25, estimatedUsd: 0.0000046 });
  });
});
