import * as assert from 'node:assert/strict';
import { h } from '../../../src/webview/dom';

/** Just enough of the DOM for h(): elements with attributes and children, text nodes. */
class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly children: Array<FakeElement | { data: string }> = [];
  constructor(readonly tag: string) {}
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  appendChild<T extends FakeElement | { data: string }>(child: T): T {
    this.children.push(child);
    return child;
  }
}

describe('webview: the panel shows handler output as text', () => {
  const saved = (globalThis as { document?: unknown }).document;
  before(() => {
    (globalThis as { document?: unknown }).document = {
      createElement: (tag: string) => new FakeElement(tag),
      createTextNode: (data: string) => ({ data }),
    };
  });
  after(() => {
    (globalThis as { document?: unknown }).document = saved;
  });

  it('strips ANSI codes and shows bidi overrides as escapes, in text and in attributes (titles)', () => {
    const el = h(
      'li',
      { title: 'open \u202Efdp.exe' },
      '\x1b[1;31mERROR\x1b[0m in invoice\u202Efdp.exe',
    ) as unknown as FakeElement;
    assert.deepEqual(el.children, [{ data: 'ERROR in invoice\\u202Efdp.exe' }]);
    assert.equal(el.attributes.get('title'), 'open \\u202Efdp.exe');
  });
});
