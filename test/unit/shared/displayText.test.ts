import * as assert from 'node:assert/strict';
import { displayText } from '../../../src/shared/displayText';

describe('displayText: handler output shown as text', () => {
  it('removes ANSI colour codes, or keeps only them for a terminal', () => {
    const coloured = '\x1b[31mred\x1b[0m and \x1b[1;32mbold green\x1b[m';
    assert.equal(displayText(coloured), 'red and bold green');
    assert.equal(displayText(coloured, { keepColours: true }), coloured);
  });
  it('removes the escape sequences that act on a terminal, even where colours are kept', () => {
    const text = 'a\x1b(Bz\x1b[2Kb\x1b[1Ac\x1b]0;title\x07d\x1b]52;c;Y2xpcA==\x1b\\e\x1bPq#0\x1b\\f\x1bcg';
    assert.equal(displayText(text), 'azbcdefg');
    assert.equal(displayText(text, { keepColours: true }), 'azbcdefg');
  });
  it('shows bidi embeddings, overrides and isolates as visible escapes, so they cannot reverse a file name', () => {
    assert.equal(displayText('invoice\u202Efdp.exe'), 'invoice\\u202Efdp.exe');
    const all = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069].map((c) =>
      String.fromCharCode(c),
    );
    assert.equal(displayText(all.join('')), '\\u202A\\u202B\\u202C\\u202D\\u202E\\u2066\\u2067\\u2068\\u2069');
    assert.equal(displayText('\u202E', { keepColours: true }), '\\u202E');
  });
  it('shows other control characters as escapes, drops the CR of a CRLF line, keeps tabs, newlines and text', () => {
    assert.equal(displayText('a\x00b\x07c\x9be\x1b'), 'a\\u0000b\\u0007c\\u009Be\\u001B');
    assert.equal(displayText('line\r\nnext\r'), 'line\nnext');
    assert.equal(displayText('over\rwrite'), 'over\\u000Dwrite');
    assert.equal(displayText('tab\there\nnaïve 日本 עברית 🙂'), 'tab\there\nnaïve 日本 עברית 🙂');
  });
});
