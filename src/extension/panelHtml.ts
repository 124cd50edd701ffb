/**
 * The Invocations panel's page: a strict Content Security Policy (nothing but the extension's own styles, fonts and
 * images, and the one script carrying a fresh crypto nonce), no inline code, no data in the page. Editor-free, so that
 * it is unit-tested.
 */
import { randomBytes } from 'node:crypto';

export interface PanelPageSources {
  /** The webview's `cspSource`: where its local resources come from. */
  cspSource: string;
  /** The webview URI of a file of media/. */
  media(file: string): string;
}

/** A nonce from the system's cryptographic random source, new for each page. */
export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

export function panelHtml(sources: PanelPageSources, nonce: string = newNonce()): string {
  const csp = [
    "default-src 'none'",
    `style-src ${sources.cspSource}`,
    `font-src ${sources.cspSource}`,
    `img-src ${sources.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${sources.media('codicons/codicon.css')}">
<link rel="stylesheet" href="${sources.media('panel.css')}">
<title>Lambda Invocations</title>
</head>
<body>
<script nonce="${nonce}" src="${sources.media('webview.js')}"></script>
</body>
</html>`;
}
