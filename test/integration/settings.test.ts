/**
 * Settings apply without a window reload: the time scale changes the open account's clock, the follow horizon how far
 * its engine follows failing events, a region re-opens the
 * account and reaches discovery's ARNs and the handlers' environment, and an exclude glob takes functions out of
 * the list. Each test restores what it changed.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readWorkspaceSettings } from '../../src/core/account/accountSettings';
import type { LocalAccount } from '../../src/core/account/localAccount';
import type { FunctionConfig } from '../../src/core/discovery/functionConfig';
import { readyExtensionApi as api, workspaceFolderUri as folder } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('lambdaTrigger');

async function setSetting(key: string, value: unknown): Promise<void> {
  await settings().update(key, value, vscode.ConfigurationTarget.Workspace);
}

async function fn(predicate: (f: FunctionConfig) => boolean, what: string): Promise<FunctionConfig> {
  const { functions } = await api();
  return waitFor(what, () => functions.all().find(predicate));
}

async function openAccount(): Promise<LocalAccount> {
  const { runner } = await api();
  return runner.accountOf(await fn((f) => f.name === 'CreateOrderFunction', 'CreateOrderFunction in the index'));
}

describe('Settings apply at once, without a window reload', function () {
  this.timeout(120_000);

  it('lambdaTrigger.timeScale changes the speed of the open account clock, without re-opening it', async () => {
    const { runner, settings: service } = await api();
    const account = await openAccount();
    try {
      assert.equal(account.engine.clock.scale, Infinity, 'instant by default');
      await setSetting('timeScale', 60);
      await waitFor('the clock to run 60 times real time', () => account.engine.clock.scale === 60);
      await setSetting('timeScale', '7.5'); // text, as the setting was written while it was a string
      await waitFor('the clock to run 7.5 times real time', () => account.engine.clock.scale === 7.5);
      await setSetting('timeScale', null); // what the Settings UI writes for an empty box
      await waitFor('instant again', () => account.engine.clock.scale === Infinity);
      await setSetting('timeScale', 3600);
      await waitFor('the clock to run an hour per second', () => account.engine.clock.scale === 3600);
      assert.ok(runner.openAccounts().includes(account), 'the account was not re-opened');

      await setSetting('timeScale', -2);
      await waitFor('the default (instant) after a wrong value', () => account.engine.clock.scale === Infinity);
      const reported = service.reportedProblems().filter((p) => p.startsWith('lambdaTrigger.timeScale:'));
      assert.equal(reported.length, 1, reported.join('\n'));
      assert.match(reported[0] ?? '', /must be a positive number, or empty for instant; got -2/);
    } finally {
      await setSetting('timeScale', undefined);
    }
    await waitFor('the clock back to instant', () => account.engine.clock.scale === Infinity);
  });

  it('lambdaTrigger.followDeliveries changes how far the open account follows a failing event, without re-opening it', async () => {
    const { runner, settings: service } = await api();
    const account = await openAccount();
    try {
      assert.equal(account.engine.followDeliveries, 5, '5 by default');
      await setSetting('followDeliveries', 2);
      await waitFor('the account to follow 2 deliveries', () => account.engine.followDeliveries === 2);
      assert.ok(runner.openAccounts().includes(account), 'the account was not re-opened');
      await setSetting('followDeliveries', 0);
      await waitFor('the default after a wrong value', () => account.engine.followDeliveries === 5);
      assert.ok(service.reportedProblems().some((p) => p.startsWith('lambdaTrigger.followDeliveries:')));
    } finally {
      await setSetting('followDeliveries', undefined);
    }
  });

  it('lambdaTrigger.region re-opens the account: ARNs from discovery and the handler environment carry it', async () => {
    const { functions, invokeCommands, runner } = await api();
    // A function of its own, declared in a lambda-trigger.json settings file, that reports where it runs.
    const probeDir = vscode.Uri.joinPath(folder(), 'region-probe');
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(probeDir, 'index.js'),
      Buffer.from(
        'exports.handler = async (event, context) => ({ region: process.env.AWS_REGION, arn: context.invokedFunctionArn });\n',
      ),
    );
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(probeDir, 'lambda-trigger.json'),
      Buffer.from(
        JSON.stringify({ Functions: { RegionProbeFunction: { Handler: 'index.handler', Runtime: 'nodejs20.x' } } }),
      ),
    );
    const probe = () => fn((f) => f.name === 'RegionProbeFunction', 'RegionProbeFunction in the index');
    const invokeProbe = async (): Promise<{ region: string; arn: string }> => {
      const [record] = await invokeCommands.run(await probe(), { payloadJson: '{}', label: 'region probe' }, 'sync');
      assert.equal(record?.status, 'succeeded', JSON.stringify(record?.attempts.map((a) => a.error)));
      return record.attempts[0]?.result as { region: string; arn: string };
    };
    const queueUrl = (): string | undefined =>
      functions.all().find((f) => f.name === 'CreateOrderFunction')?.environment.ORDERS_QUEUE_URL;
    try {
      assert.equal((await invokeProbe()).region, 'us-east-1');
      const before = await runner.accountOf(await probe());

      await setSetting('region', 'eu-west-3');
      const reopened = await waitFor('the account to be re-opened in eu-west-3', () =>
        runner.openAccounts().find((a) => a !== before && a.location.region === 'eu-west-3'),
      );
      assert.ok(!runner.openAccounts().includes(before), 'the old account is closed');
      await waitFor('discovery to compute the queue URL in eu-west-3', () =>
        queueUrl()?.startsWith('https://sqs.eu-west-3.amazonaws.com/'),
      );
      const result = await invokeProbe();
      assert.equal(result.region, 'eu-west-3', 'AWS_REGION of the handler');
      assert.match(result.arn, /^arn:aws:lambda:eu-west-3:\d{12}:function:/);
      assert.ok(
        reopened.services.listQueues().some((q) => q.name === 'OrdersQueue'),
        'the re-opened account still has the workspace queues',
      );
    } finally {
      await setSetting('region', undefined);
      await vscode.workspace.fs.delete(probeDir, { recursive: true });
    }
    await waitFor('the account back in us-east-1', () =>
      runner.openAccounts().some((a) => a.location.region === 'us-east-1'),
    );
    await waitFor('discovery back in us-east-1', () => queueUrl()?.startsWith('https://sqs.us-east-1.amazonaws.com/'));
  });

  it('lambdaTrigger.discovery.exclude takes the matching functions out of the list and the Functions view', async () => {
    const { functions, views } = await api();
    const serverless = (): string[] =>
      functions
        .all()
        .filter((f) => f.definedIn.includes('/serverless-app/'))
        .map((f) => f.name);
    const listed = async (): Promise<string[]> =>
      (await views.functions.getChildren()).flatMap((n) => (n.kind === 'function' ? [n.fn.name] : []));
    await waitFor('the serverless.yml functions in the list', () => serverless().includes('getStock'));
    try {
      await setSetting('discovery.exclude', ['**/serverless-app']);
      await waitFor('the serverless.yml functions to leave the list', () => serverless().length === 0);
      const names = await listed();
      assert.ok(!names.includes('getStock'), `the Functions view drops getStock (${names.join(', ')})`);
      assert.ok(names.includes('CreateOrderFunction'), 'functions elsewhere stay');
    } finally {
      await setSetting('discovery.exclude', undefined);
    }
    await waitFor('the serverless.yml functions back in the list', () => serverless().includes('getStock'));
    assert.ok((await listed()).includes('getStock'));
  });

  it('lambdaTrigger.pricing.<arch>.<price>: numbers from the Settings UI, and an older object, read as the CLI reads them', async () => {
    const { settings: service } = await api();
    const root = folder().fsPath;
    const cliPricing = () => readWorkspaceSettings(root).settings.pricing;
    assert.deepEqual(service.forFolder(root).pricing, {}, 'every price empty: the price data');
    try {
      await setSetting('pricing.arm64.gbSecond', 0.5);
      await waitFor('the arm64 GB-second price', () => service.forFolder(root).pricing.arm64?.gbSecond === 0.5);
      assert.deepEqual(service.forFolder(root).pricing, { arm64: { gbSecond: 0.5 } });
      assert.deepEqual(cliPricing(), { arm64: { gbSecond: 0.5 } }, 'the CLI reads the file the same way');
      // The object form of a settings file written before the prices were settings of their own, around that key.
      const file = vscode.Uri.joinPath(folder(), '.vscode', 'settings.json');
      const written = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file))) as object;
      const values = {
        'lambdaTrigger.pricing': { x86_64: { requestsPerMillion: 0.25 }, arm64: { gbSecond: 0.1 } },
        ...written,
        'lambdaTrigger.pricing.x86_64.gbSecond': 0.75,
      };
      await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify(values, null, 2)));
      await waitFor('the x86_64 prices from the object and the key below it', () =>
        service.forFolder(root).pricing.x86_64?.gbSecond === 0.75 ? true : undefined,
      );
      const expected = { arm64: { gbSecond: 0.5 }, x86_64: { requestsPerMillion: 0.25, gbSecond: 0.75 } };
      assert.deepEqual(service.forFolder(root).pricing, expected);
      assert.deepEqual(cliPricing(), expected, 'the CLI reads the file the same way');
      assert.deepEqual(
        service.reportedProblems().filter((p) => p.startsWith('lambdaTrigger.pricing')),
        [],
        'empty (null) prices are not wrong ones',
      );
      await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify(written, null, 2)));
      await waitFor('the object gone', () => service.forFolder(root).pricing.x86_64 === undefined);
    } finally {
      await setSetting('pricing.arm64.gbSecond', undefined);
    }
    await waitFor('every price empty again', () => Object.keys(service.forFolder(root).pricing).length === 0);
  });
});
