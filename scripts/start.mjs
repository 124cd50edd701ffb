// `npm start`: packages the extension, installs it into code-server (a real VS Code in the browser) and opens the
// examples workspace at a printed loopback URL. Ctrl+C stops it. On desktop VS Code, press F5 instead.
// Usage: node scripts/start.mjs [--port N] [--folder <path>]
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installExtension, startCodeServer, testUserSettings, workbenchUrl } from './lib/codeServer.mjs';
import { run } from './lib/steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { folder: { type: 'string', default: join(root, 'examples') }, port: { type: 'string' } },
});

run('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
// A profile that survives restarts, so the editor state (open files, layout) is kept between `npm start`s.
const profile = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lambda-trigger-runner', 'start-profile');
const extensionsDir = join(profile, 'extensions');
await mkdir(extensionsDir, { recursive: true });
await installExtension(join(root, 'dist', 'lambda-trigger-runner.vsix'), extensionsDir);
const server = await startCodeServer({
  extensionsDir,
  settings: {
    ...testUserSettings(),
    'workbench.colorTheme': 'Default Dark Modern',
    'git.openRepositoryInParentFolders': 'never',
  },
  port: values.port ? Number(values.port) : undefined,
});
const url = workbenchUrl(server, resolve(values.folder));
console.log(
  `\nLambda Trigger Runner is running in VS Code (code-server) on ${resolve(values.folder)}:\n\n  ${url}\n\nOpen it in a browser; Ctrl+C stops the server.`,
);
const stop = () => {
  server.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
