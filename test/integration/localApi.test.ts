/**
 * "Lambda: Start Local API" in a real extension host: the examples' routes are served on 127.0.0.1 through the
 * window's engine; a request runs its function, the record keeps the HTTP request and response, the Local API view
 * lists the routes with an example URL, "Copy as curl" puts a working command on the clipboard, and stopping frees
 * the port.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LocalApiNode } from '../../src/extension/localApi';
import { readyExtensionApi as api, workspaceFolderUri } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

describe('Local API', function () {
  this.timeout(120_000);

  after(async () => {
    await vscode.commands.executeCommand('lambdaTrigger.localApi.stop');
  });

  it('serves the routes the templates declare; a request is an invocation with its HTTP exchange', async () => {
    const extension = await api();
    const { localApi, functions } = extension;
    const records = () => extension.records();
    await waitFor('getStock in the index', () => functions.all().find((f) => f.name === 'getStock'));
    const url = await vscode.commands.executeCommand<string | undefined>('lambdaTrigger.localApi.start');
    assert.ok(url, 'the command resolves with the base URL');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(localApi.urls().get(workspaceFolderUri().fsPath), url);

    const nodes = localApi.getChildren();
    const routes = nodes.flatMap((n) => (n.kind === 'route' ? [n.route] : []));
    const stock = routes.find((r) => r.functionName === 'getStock');
    assert.ok(stock, `getStock is listed (got ${routes.map((r) => `${r.method} ${r.path}`).join(', ')})`);
    assert.equal(stock.method, 'GET');
    assert.equal(stock.path, '/stock/{sku}');
    assert.equal(stock.exampleUrl, `${url}/stock/example-sku`);
    const item = localApi.getTreeItem(nodes.find((n) => n.kind === 'route' && n.route === stock) as LocalApiNode);
    assert.equal(item.label, 'GET /stock/{sku}');
    assert.equal(item.contextValue, 'localApiRoute', 'a GET route can be opened');
    assert.equal(item.command?.command, 'vscode.open', 'a click opens where the route is declared');

    const before = new Set(records().map((r) => r.id));
    const response = await fetch(`${url}/stock/NO-SUCH-SKU`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { message: 'Unknown SKU NO-SUCH-SKU' });
    const record = await waitFor('the request as a record with its response', () =>
      records().find((r) => !before.has(r.id) && r.functionName === 'getStock' && r.http?.response),
    );
    assert.equal(record.http?.request.method, 'GET');
    assert.equal(record.http?.request.path, '/stock/NO-SUCH-SKU');
    assert.equal(record.http?.response?.statusCode, 404);
    assert.equal((record.event as { routeKey?: string }).routeKey, 'GET /stock/{sku}');
  });

  it('"Copy as curl" copies a command for the route at its example URL', async () => {
    const { localApi } = await api();
    const node = localApi.getChildren().find((n) => n.kind === 'route' && n.route.method === 'POST');
    assert.ok(node && node.kind === 'route', 'the POST /orders route is listed');
    await vscode.commands.executeCommand('lambdaTrigger.localApi.copyAsCurl', node);
    const copied = await vscode.env.clipboard.readText();
    assert.equal(copied, `curl -i -X POST -H 'Content-Type: application/json' -d '{}' '${node.route.exampleUrl}'`);
  });

  it('"Copy AWS Endpoint Variables" copies the shell line for the local AWS endpoint; unsigned requests are refused', async () => {
    const line = await vscode.commands.executeCommand<string | undefined>('lambdaTrigger.localApi.copyAwsEndpoint');
    assert.ok(line, 'the command resolves with the line');
    assert.equal(await vscode.env.clipboard.readText(), line);
    const m =
      /^export AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+) AWS_ACCESS_KEY_ID=(LKIA\w+) AWS_SECRET_ACCESS_KEY=\S+ AWS_REGION=[\w-]+$/.exec(
        line,
      );
    assert.ok(m, line);
    const unsigned = await fetch(m[1], { method: 'POST', body: 'Action=ListQueues' });
    assert.equal(unsigned.status, 403, 'only requests signed with the workspace key get in');
  });

  it('starting again keeps the server; stopping frees its port', async () => {
    const { localApi } = await api();
    const url = localApi.urls().get(workspaceFolderUri().fsPath);
    assert.ok(url);
    assert.equal(await vscode.commands.executeCommand('lambdaTrigger.localApi.start'), url);
    await vscode.commands.executeCommand('lambdaTrigger.localApi.stop');
    assert.equal(localApi.urls().size, 0);
    assert.deepEqual(localApi.getChildren(), []);
    await assert.rejects(fetch(`${url}/stock/1`), 'nothing listens any more');
  });
});
