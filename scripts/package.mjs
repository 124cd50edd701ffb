// `npm run package`: production build, then a .vsix for this platform. The package carries esbuild's native
// binary (TypeScript handlers are transpiled at run time), so it is platform-specific (vsce --target).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, runBuild } from './lib/steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = `${process.platform}-${process.arch}`;
runBuild(root, { production: true });
run(
  process.execPath,
  [
    join(root, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    '--no-rewrite-relative-links',
    '--target',
    target,
    '--out',
    join(root, 'dist', 'lambda-trigger-runner.vsix'),
  ],
  { cwd: root },
);
