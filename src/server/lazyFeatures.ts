/**
 * The server's features (serverFeatures.ts), loaded on first use. scripts/build.mjs maps the require to
 * dist/serverFeatures.js; run from source, it loads the .ts file.
 */
import type * as ServerFeatures from './serverFeatures';

let loaded: typeof ServerFeatures | undefined;

export function features(): typeof ServerFeatures {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('./serverFeatures') as typeof ServerFeatures);
}
