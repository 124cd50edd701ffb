import { createHash } from 'node:crypto';

/** Lambda's function names: 1 to 64 letters, digits, hyphens and underscores. */
const MAX_LENGTH = 64;
const INVALID = /[^A-Za-z0-9_-]+/g;

/**
 * The Lambda-valid name of a code-only function, from its path-style label (`plain-handlers/invoice.handler` →
 * `plain-handlers-invoice-handler`): every run of other characters becomes `-`. A longer one keeps its end (the
 * module and export) and a short hash of the whole label, so two long labels do not meet.
 */
export function functionNameFromLabel(label: string): string {
  const name = label.replace(INVALID, '-').replace(/^-+|-+$/g, '') || 'function';
  if (name.length <= MAX_LENGTH) return name;
  const hash = createHash('sha256').update(label).digest('hex').slice(0, 8);
  return `${name.slice(-(MAX_LENGTH - hash.length - 1)).replace(/^[-_]+/, '')}-${hash}`;
}

/** `name`, or `name-2`, `name-3` ... : the first that `taken` does not hold (which it then holds). */
export function uniqueName(name: string, taken: Set<string>): string {
  let unique = name;
  for (let n = 2; taken.has(unique); n++) {
    const suffix = `-${n}`;
    unique = `${name.slice(0, MAX_LENGTH - suffix.length)}${suffix}`;
  }
  taken.add(unique);
  return unique;
}
