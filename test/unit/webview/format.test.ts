import * as assert from 'node:assert/strict';
import {
  awsTime,
  jsonProblem,
  clockTime,
  describeOrigin,
  formatDelay,
  formatMs,
  matchesFilter,
  prettyBody,
} from '../../../src/webview/format';

describe('panel formatting', () => {
  it('formats durations', () => {
    assert.equal(formatMs(0.25), '0.25 ms');
    assert.equal(formatMs(7.5), '7.50 ms');
    assert.equal(formatMs(79.67), '80 ms');
    assert.equal(formatMs(3000), '3.00 s');
    assert.equal(formatMs(undefined), '–');
  });

  it('formats simulated-clock delays the way AWS documents retries (ASYNC-3: 1 and 2 minutes)', () => {
    assert.equal(formatDelay(60_000), '1 min');
    assert.equal(formatDelay(120_000), '2 min');
    assert.equal(formatDelay(90_000), '1 min 30 s');
    assert.equal(formatDelay(30_000), '30 s');
    assert.equal(formatDelay(21_600_000), '6 h 0 min');
  });

  it('says waits of days in days (a durable wait of 3 days, 1 d 6 h)', () => {
    assert.equal(formatDelay(3 * 86_400_000), '3 d');
    assert.equal(formatDelay(30 * 3_600_000), '1 d 6 h');
    assert.equal(formatDelay(23 * 3_600_000 + 60_000), '23 h 1 min');
  });

  it('shows a simulated epoch time as ISO 8601 to the second', () => {
    assert.equal(awsTime(Date.UTC(2026, 11, 8, 16, 23, 32, 799)), '2026-12-08T16:23:32Z');
    assert.equal(awsTime(undefined), '–');
  });

  it('says where a callback result stops being JSON, and nothing for JSON', () => {
    assert.equal(jsonProblem('{ "approved": true }'), undefined);
    assert.equal(jsonProblem('"text"'), undefined);
    assert.match(jsonProblem('{ "approved": ') ?? '', /JSON|Unexpected/);
    assert.notEqual(jsonProblem(''), undefined);
  });

  it('shows the UTC clock time of an ISO timestamp', () => {
    assert.equal(clockTime('2026-11-22T17:03:04.567Z'), '17:03:04.567');
  });

  it('pretty-prints JSON bodies and keeps other text as it is', () => {
    assert.equal(prettyBody('{"a":1}'), '{\n  "a": 1\n}');
    assert.equal(prettyBody('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>');
  });

  it('filters on every word, case-insensitively', () => {
    assert.ok(matchesFilter('thumb FAILED', 'ThumbnailFunction', 'failed', 'async'));
    assert.ok(!matchesFilter('thumb succeeded', 'ThumbnailFunction', 'failed'));
    assert.ok(matchesFilter('  ', 'anything'));
  });

  it('shows where a setting came from: file and line with its source, the default, or the text of an older record', () => {
    assert.deepEqual(describeOrigin({ file: '/ws/sam-app/template.yaml', line: 42, source: 'sam' }), {
      text: 'template.yaml:42 (sam)',
      title: '/ws/sam-app/template.yaml:42',
      file: '/ws/sam-app/template.yaml',
      line: 42,
    });
    assert.deepEqual(describeOrigin({ source: 'default' }), { text: 'default', title: 'default' });
    assert.deepEqual(describeOrigin('template.yaml:3 (sam)'), {
      text: 'template.yaml:3 (sam)',
      title: 'template.yaml:3 (sam)',
    });
    assert.deepEqual(describeOrigin(undefined), { text: '', title: '' });
  });
});
