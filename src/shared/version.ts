/** Replaced at build time by esbuild's `define`; the fallback serves unit tests that run from source. */
declare const __LTR_VERSION__: string | undefined;
export const packageVersion: string = typeof __LTR_VERSION__ === 'string' ? __LTR_VERSION__ : '0.0.0-dev';
