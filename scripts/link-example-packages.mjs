// postinstall: the examples that declare npm dependencies (examples/durable-orders: the durable execution SDK, which
// Lambda does not preinstall) get them from the project's own node_modules, linked into the example's node_modules,
// so `npm install` at the root is the one install a fresh clone needs and nothing is fetched twice. A dependency the
// project does not install (its devDependencies list every example's) is installed in the example with npm.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'examples');

/** The examples with a package.json of their own. */
function examplePackages() {
  return readdirSync(examples, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(examples, entry.name, 'package.json')))
    .map((entry) => join(examples, entry.name));
}

/** Links `name` from the project's node_modules into the example's. */
function link(example, name) {
  const target = join(root, 'node_modules', name);
  const place = join(example, 'node_modules', name);
  mkdirSync(dirname(place), { recursive: true });
  let existing;
  try {
    existing = lstatSync(place);
  } catch {
    existing = undefined;
  }
  if (existing?.isSymbolicLink() && resolve(dirname(place), readlinkSync(place)) === target) return;
  // An install the user made in the example (a real folder) is theirs: leave it.
  if (existing && !existing.isSymbolicLink()) return;
  if (existing) rmSync(place, { force: true });
  // Windows: a junction needs no privilege (and an absolute target).
  if (process.platform === 'win32') symlinkSync(target, place, 'junction');
  else symlinkSync(relative(dirname(place), target), place, 'dir');
}

for (const example of examplePackages()) {
  const manifest = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8'));
  const names = Object.keys(manifest.dependencies ?? {});
  const where = relative(root, example);
  const missing = names.filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
  if (missing.length === 0) {
    for (const name of names) link(example, name);
    if (names.length > 0)
      console.log(`[examples] ${where}: ${names.join(', ')} linked from the project's node_modules`);
    continue;
  }
  console.log(`[examples] ${where}: the project does not install ${missing.join(', ')}; npm install in ${where}`);
  const done = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund'], {
    cwd: example,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (done.status !== 0) {
    console.error(`[examples] ${where}: npm install failed; run it there yourself to try the example.`);
    process.exitCode = 1;
  }
}
