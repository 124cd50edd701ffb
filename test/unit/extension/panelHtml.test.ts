/** The Invocations panel's page: the strict Content Security Policy and the crypto nonce the README promises. */
import * as assert from 'node:assert/strict';
import { newNonce, panelHtml } from '../../../src/extension/panelHtml';

const sources = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  media: (file: string) => `https://file+.vscode-resource.vscode-cdn.net/ext/media/${file}`,
};

describe('extension: the Invocations panel page', () => {
  it('allows nothing but its own styles, fonts and images, and the one script with the page nonce', () => {
    const html = panelHtml(sources, 'n0nce+/=');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.equal(
      csp,
      "default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net; " +
        'font-src https://file+.vscode-resource.vscode-cdn.net; img-src https://file+.vscode-resource.vscode-cdn.net; ' +
        "script-src 'nonce-n0nce+/='",
    );
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.deepEqual(
      scripts.map(([, attributes, body]) => [attributes.trim(), body]),
      [['nonce="n0nce+/=" src="https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.js"', '']],
      'one script, by URL, with the nonce: no inline code',
    );
    assert.ok(!/ on[a-z]+=/i.test(html), 'no inline event handlers');
  });

  it('gets a new nonce of 18 random bytes for each page', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => newNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.equal(Buffer.from(nonce, 'base64').length, 18);
    const [first, second] = [panelHtml(sources), panelHtml(sources)].map(
      (html) => /script-src 'nonce-([^']+)'/.exec(html)?.[1],
    );
    assert.ok(first && second && first !== second);
  });
});
