/**
 * The HTTP front over the engine another process holds (as `lambda-trigger serve` runs while a VS Code window holds
 * the workspace): requests go through the engine endpoint, and that engine's records get the HTTP exchange.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { HttpFront } from '../../../src/core/endpoints/httpFront';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { attachToWorkspace, type OpenedEngine } from '../../../src/cli/commands/workspaceAccount';
import { copyWorkspace } from '../cli/cliHarness';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { waitFor } from '../../support/waitFor';
import { EngineHolderProcess } from './engineHolderProcess';
import { httpApp } from './httpFrontHarness';

describe('endpoints: the HTTP front on an engine another process holds', function () {
  this.timeout(60_000);
  let root: string;
  let holder: EngineHolderProcess;
  let attached: OpenedEngine;
  let front: HttpFront;
  const seen: InvocationRecord[] = [];

  before(async () => {
    root = copyWorkspace(httpApp);
    holder = await EngineHolderProcess.start(root, await buildBootstraps());
    const live = await attachToWorkspace(root);
    assert.ok(live, 'the holder serves the workspace');
    attached = live;
    await attached.engine.onRecord((r) => seen.push(r));
    front = await HttpFront.start(attached.engine);
  });

  after(async () => {
    try {
      await front?.close();
      await attached?.close();
      await holder?.stop();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('answers through the endpoint, and the holder engine record keeps the request and the response', async () => {
    const response = await fetch(`${front.url}/items/9?x=1`);
    assert.equal(response.status, 200);
    const event = (await response.json()) as { pathParameters: unknown; requestContext: { requestId: string } };
    assert.deepEqual(event.pathParameters, { id: '9' });
    const record = await waitFor('the record with its response', () =>
      seen.find((r) => r.functionName === 'EchoFunction' && r.http?.response?.statusCode === 200),
    );
    assert.equal(record.http?.request.query, 'x=1');
    assert.equal(record.source?.type, 'apigateway');
    const history = await holder.history();
    assert.ok(
      history.some((r) => r.id === record.id),
      'the record is the holder engine own',
    );
  });

  it('a malformed result is still 502, with its reason in the record', async () => {
    const response = await fetch(`${front.url}/broken`);
    assert.equal(response.status, 502);
    const record = await waitFor('the 502 record', () =>
      seen.find((r) => r.functionName === 'BrokenFunction' && r.http?.response?.statusCode === 502),
    );
    assert.match(record.http?.response?.note ?? '', /malformed result/);
  });

  it('NODE-11 a streamed function URL response arrives whole, with its prelude status and headers', async () => {
    const response = await fetch(`${front.url}/lambda-url/StreamFunction/`);
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-streamed'), 'yes');
    assert.equal(await response.text(), 'first;second;third');
  });
});
