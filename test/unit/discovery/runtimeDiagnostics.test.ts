/**
 * RUNTIME-1: which Lambda runtimes the runner runs, and what discovery says (at the template line that sets the
 * runtime) about a deprecated one, an identifier Lambda does not know and one the runner cannot run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { RUNNABLE_RUNTIMES, runtimeSupport } from '../../../src/core/lambdaRuntimes';
import {
  InvalidFunctionSpecError,
  NODE_RUNTIMES,
  PYTHON_RUNTIMES,
  resolveFunctionSpec,
} from '../../../src/core/runtime';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
Resources:
  OnGlobals:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
  AlsoOnGlobals:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.other
  Newest:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.14
  Retired:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs16.x
  Typo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs21.x
  Java:
    Type: AWS::Serverless::Function
    Properties:
      Handler: com.example.App::handleRequest
      Runtime: java21
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
      Runtime: provided.al2023
  Image:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: arn:aws:sqs:us-east-1:123456789012:jobs
`;

describe('discovery: runtimes (RUNTIME-1)', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-runtimes-'));
    fs.writeFileSync(path.join(root, 'template.yaml'), TEMPLATE);
    fs.writeFileSync(path.join(root, 'app.js'), 'exports.handler = async () => 1;\nexports.other = async () => 2;\n');
    fs.writeFileSync(path.join(root, 'app.py'), 'def handler(event, context):\n    return 1\n');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('RUNTIME-1 every runtime AWS lists today runs: nodejs18.x to nodejs24.x, python3.9 to python3.14', () => {
    assert.deepEqual([...RUNNABLE_RUNTIMES].sort(), [...NODE_RUNTIMES, ...PYTHON_RUNTIMES].sort());
    for (const runtime of ['nodejs18.x', 'nodejs24.x', 'python3.9', 'python3.14'])
      assert.equal(
        resolveFunctionSpec(
          { name: 'f', handler: 'app.handler', runtime, codeRoot: root },
          { location: DEFAULT_LOCATION, logFormat: 'Text' },
        ).runtime,
        runtime,
      );
    assert.equal(runtimeSupport('python3.14', new Date('2026-12-02')).kind, 'runs');
    const before = runtimeSupport('nodejs20.x', new Date('2026-04-29'));
    assert.equal(before.kind === 'runs' && before.deprecatedSince, undefined);
    const after = runtimeSupport('nodejs20.x', new Date('2026-04-30'));
    assert.equal(after.kind === 'runs' && after.deprecatedSince, '2026-04-30');
  });

  it('RUNTIME-1 a deprecated, unknown or unrunnable runtime is said once, at the line that sets it', async () => {
    const index = new WorkspaceIndex({ root, now: () => new Date('2026-12-02T00:00:00Z') });
    await index.build();
    const said = index
      .problems()
      .filter((p) => /runtime/.test(p.code))
      .map((p) => `${p.line} ${p.severity} ${p.code}: ${p.message}`);
    assert.deepEqual(said, [
      '43 warning unsupported-runtime: Image: container image functions cannot run here (the runner runs Node.js and Python code, not images)',
      '5 warning deprecated-runtime: nodejs20.x is deprecated since 2026-04-30: AWS no longer patches it and blocks creating, then updating, functions on it (they still run, here too); move to nodejs24.x',
      '24 warning unsupported-runtime: nodejs16.x reached its end of support on AWS Lambda on 2024-06-12 and does not run here; move the function to nodejs24.x',
      '29 error unknown-runtime: "nodejs21.x" is not a Lambda runtime identifier (the runner runs nodejs24.x, nodejs22.x, nodejs20.x, nodejs18.x, python3.14, python3.13, python3.12, python3.11, python3.10, python3.9)',
      '34 warning unsupported-runtime: java21 is a Java runtime: the runner runs Node.js and Python functions only, so it cannot run this one',
      '39 warning unsupported-runtime: provided.al2023 is an OS-only runtime for a custom runtime (a bootstrap executable): the runner runs Node.js and Python functions only, so it cannot run this one',
    ]);
    // Before its deprecation date the same runtime is said nothing about.
    const earlier = new WorkspaceIndex({ root, now: () => new Date('2026-04-29T00:00:00Z') });
    await earlier.build();
    assert.equal(
      earlier.problems().some((p) => p.code === 'deprecated-runtime'),
      false,
    );
  });

  it('RUNTIME-1 a container image function is kept in the model, and running it says why it cannot run', async () => {
    const index = new WorkspaceIndex({ root });
    await index.build();
    const image = index.functions().find((f) => f.name === 'Image');
    assert.equal(image?.packageType, 'Image');
    assert.deepEqual(
      image?.triggers.map((t) => t.kind),
      ['sqs'],
    );
    assert.throws(
      () => resolveFunctionSpec(image, { location: DEFAULT_LOCATION, logFormat: 'Text' }),
      (e: unknown) =>
        e instanceof InvalidFunctionSpecError &&
        /a container image function cannot run here \(the runner runs Node.js and Python code, not images\)/.test(
          e.message,
        ),
    );
    const java = index.functions().find((f) => f.name === 'Java')!;
    assert.throws(
      () => resolveFunctionSpec(java, { location: DEFAULT_LOCATION, logFormat: 'Text' }),
      /java21 is a Java runtime: the runner runs Node.js and Python functions only/,
    );
  });
});
