/** Finds the event-templates/ folder for fronts that are not handed one (the CLI). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EventInputError } from './eventErrors';

export const TEMPLATES_DIR_ENV = 'LAMBDA_TRIGGER_TEMPLATES';
const TEMPLATES_DIR = 'event-templates';

/**
 * `$LAMBDA_TRIGGER_TEMPLATES` when set, else the nearest `event-templates/` (with its schemas/ folder) in startDir
 * or a parent: dist/cli.js and src/cli/commands both find the one at the package root.
 */
export function findTemplatesDir(startDir: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  const fromEnv = env[TEMPLATES_DIR_ENV];
  if (fromEnv) {
    const dir = resolve(fromEnv);
    if (!existsSync(join(dir, 'schemas')))
      throw new EventInputError(
        `${TEMPLATES_DIR_ENV}=${fromEnv} is not an event-templates folder (no schemas/ inside)`,
      );
    return dir;
  }
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, TEMPLATES_DIR);
    if (existsSync(join(candidate, 'schemas'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new EventInputError(`cannot find the ${TEMPLATES_DIR}/ folder above ${startDir}; set ${TEMPLATES_DIR_ENV}`);
}
