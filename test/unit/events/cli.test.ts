import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { eventsCommand } from '../../../src/cli/commands/events';
import { renderCommand } from '../../../src/cli/commands/render';
import { validateCommand } from '../../../src/cli/commands/validate';
import { captureIO } from '../../support/cliIO';

const FIXTURES = resolve(__dirname, '../../fixtures/events');

const capture = (stdin = '') => captureIO(FIXTURES, stdin);

describe('CLI: lambda-trigger events / render / validate', () => {
  it('events lists every template with its invocation model', async () => {
    const io = capture();
    assert.equal(await eventsCommand.run([], io), 0);
    assert.match(io.out, /^s3:put\s+async\s+S3 object created \(Put\)$/m);
    assert.match(io.out, /^sqs:receive-message\s+poll\s+SQS messages \(standard queue\), batch <= 10000$/m);
  });

  it('events --json --service sqs prints the SQS templates with their parameters', async () => {
    const io = capture();
    assert.equal(await eventsCommand.run(['--json', '--service', 'sqs'], io), 0);
    const list = JSON.parse(io.out) as { id: string; parameters: { name: string }[] }[];
    assert.deepEqual(
      list.map((t) => t.id),
      ['sqs:receive-message', 'sqs:receive-message-fifo'],
    );
    assert.equal(list[0].parameters[0].name, 'body');
  });

  it('events --service with an unknown service is a usage error', async () => {
    await assert.rejects(
      eventsCommand.run(['--service', 'nope'], capture()),
      /no templates for service 'nope'; services: /,
    );
  });

  it('render prints the event with --param values and --records', async () => {
    const io = capture();
    assert.equal(
      await renderCommand.run(
        ['sqs:receive-message', '--param', 'body=hi', '--param', 'queue=orders', '--records', '2'],
        io,
      ),
      0,
    );
    const ev = JSON.parse(io.out) as { Records: { body: string; eventSourceARN: string }[] };
    assert.equal(ev.Records.length, 2);
    assert.equal(ev.Records[1].body, 'hi');
    assert.equal(ev.Records[1].eventSourceARN, 'arn:aws:sqs:us-east-1:123456789012:orders');
  });

  it('render --body fills one record per body', async () => {
    const io = capture();
    assert.equal(await renderCommand.run(['kinesis:get-records', '--body', 'a', '--body', 'b', '--compact'], io), 0);
    assert.equal(io.out.split('\n').length, 2);
    assert.deepEqual(
      (JSON.parse(io.out) as { Records: { kinesis: { data: string } }[] }).Records.map((r) => r.kinesis.data),
      ['YQ==', 'Yg=='],
    );
  });

  it('render rejects an unknown id, an unknown parameter, a wrong type and a bad --records', async () => {
    await assert.rejects(renderCommand.run(['s3:nope'], capture()), {
      name: 'UsageError',
      message: /^unknown event type 's3:nope'/,
    });
    await assert.rejects(renderCommand.run(['s3:put', '--param', 'colour=red'], capture()), {
      name: 'UsageError',
      message: /^unknown parameter 'colour' for s3:put/,
    });
    await assert.rejects(renderCommand.run(['s3:put', '--param', 'size=big'], capture()), {
      name: 'UsageError',
      message: 'parameter \'size\' of s3:put expects an integer, got "big"',
    });
    await assert.rejects(renderCommand.run(['s3:put', '--param', 'size'], capture()), {
      message: '--param expects name=value, got "size"',
    });
    await assert.rejects(renderCommand.run(['sqs:receive-message', '--records', '0'], capture()), {
      message: '--records expects a positive integer, got "0"',
    });
  });

  it('render --help-params lists the parameters', async () => {
    const io = capture();
    assert.equal(await renderCommand.run(['s3:put', '--help-params'], io), 0);
    assert.match(io.out, /^ {2}bucket \(string\): Bucket name\. Default: "example-bucket"$/m);
  });

  it('validate exits 0 for a valid payload, naming the detected type', async () => {
    const io = capture();
    assert.equal(await validateCommand.run(['scheduled-valid.json'], io), 0);
    assert.equal(io.out, 'scheduled-valid.json: valid cloudwatch:scheduled-event event\n');
  });

  it('validate exits 2 with path-precise errors', async () => {
    const io = capture();
    assert.equal(await validateCommand.run(['s3-put-missing-bucket-name.json', '--type', 's3:put'], io), 2);
    assert.equal(
      io.err,
      "s3-put-missing-bucket-name.json: not a valid s3:put event (1 error):\n  $.Records[0].s3.bucket.name: missing required property 'name'\n",
    );
  });

  it('validate uses the $eventType marker and prints JSON with --json', async () => {
    const io = capture();
    assert.equal(await validateCommand.run(['sqs-size-as-number.json', '--json'], io), 2);
    const r = JSON.parse(io.out) as { type: string; valid: boolean; errors: { path: string }[] };
    assert.equal(r.type, 'sqs:receive-message');
    assert.deepEqual(
      r.errors.map((e) => e.path),
      ['$.Records[0].body'],
    );
  });

  it('validate reports malformed JSON with line and column, and reads stdin', async () => {
    await assert.rejects(validateCommand.run(['malformed-event.txt'], capture()), {
      name: 'UsageError',
      message: 'malformed-event.txt:3:33: not valid JSON: PropertyNameExpected',
    });
    const io = capture('{"hello": 1}');
    await assert.rejects(validateCommand.run(['-'], io), /cannot tell the event type/);
    assert.equal(await validateCommand.run(['-', '--type', 'cloudwatch:scheduled-event'], capture('{}')), 2);
  });
});
