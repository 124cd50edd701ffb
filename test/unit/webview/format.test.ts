import * as assert from 'node:assert/strict';
import {
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
