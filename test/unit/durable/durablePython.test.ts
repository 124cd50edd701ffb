/**
 * Python handlers through the same service. The Python durable execution SDK cannot be installed on this machine (no
 * package index is reachable), so a handler speaks its wire protocol with boto3 as the SDK does: the event's epoch
 * millisecond timestamps, CallbackOptions with 0 meaning none, ContextOptions with ReplayChildren false, botocore's
 * client token on every checkpoint, the epoch-second timestamps botocore reads back, and the missing token of the
 * checkpoint that ends the execution.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lambda } from '../invoke/model';
import { openAwsTestAccount, type AwsTestAccount } from '../endpoints/aws/awsTestAccount';

const HANDLER = `
import json, datetime
import boto3

client = boto3.client("lambda")

def handler(event, context):
    arn = event["DurableExecutionArn"]
    token = event["CheckpointToken"]
    ops = event["InitialExecutionState"]["Operations"]
    execution = ops[0]
    assert execution["Type"] == "EXECUTION", execution
    started = datetime.datetime.fromtimestamp(execution["StartTimestamp"] / 1000)
    order = json.loads(execution["ExecutionDetails"]["InputPayload"])
    done = {op["Id"]: op for op in ops}
    if "ctx" not in done:
        answer = client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=token,
            Updates=[
                {"Id": "ctx", "Type": "CONTEXT", "Action": "START", "SubType": "RunInChildContext"},
                {"Id": "cb", "ParentId": "ctx", "Type": "CALLBACK", "Action": "START", "SubType": "Callback",
                 "CallbackOptions": {"TimeoutSeconds": 0, "HeartbeatTimeoutSeconds": 0}},
            ],
        )
        callback = [op for op in answer["NewExecutionState"]["Operations"] if op["Id"] == "cb"][0]
        assert isinstance(callback["StartTimestamp"], datetime.datetime), callback
        print("callback", callback["CallbackDetails"]["CallbackId"])
        return {"Status": "PENDING"}
    result = done["cb"]["CallbackDetails"]["Result"]
    answer = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=token,
        Updates=[
            {"Id": "ctx", "Type": "CONTEXT", "Action": "SUCCEED", "Payload": result,
             "ContextOptions": {"ReplayChildren": False}},
            {"Id": "end", "Type": "EXECUTION", "Action": "SUCCEED",
             "Payload": json.dumps({"order": order["id"], "approval": json.loads(result), "year": started.year})},
        ],
    )
    assert "CheckpointToken" not in answer, answer
    return {"Status": "SUCCEEDED", "Result": ""}
`;

const pythonHasDurableBoto3 = (() => {
  try {
    execFileSync(
      'python3',
      [
        '-c',
        'import boto3; assert hasattr(boto3.client("lambda", region_name="us-east-1"), "checkpoint_durable_execution")',
      ],
      {
        stdio: 'ignore',
      },
    );
    return true;
  } catch {
    return false;
  }
})();

describe('durable functions: a Python handler through the same service', function () {
  this.timeout(60_000);
  let t: AwsTestAccount;

  before(async function () {
    if (!pythonHasDurableBoto3) this.skip(); // python3 here has no boto3 with the durable execution APIs (1.42.1+)
    t = await openAwsTestAccount(
      'ltr-durable-python-',
      (dir) => [
        lambda('PyFlow', {
          handler: 'flow.handler',
          runtime: 'python3.12',
          codeRoot: dir,
          timeout: 30,
          durableConfig: { executionTimeout: 3600, retentionPeriodInDays: 1 },
        }),
      ],
      { 'flow.py': HANDLER },
    );
  });
  after(() => t?.dispose());

  it('DURABLE-2 DURABLE-3: boto3 checkpoints a context and a callback, the callback completes, the execution ends by its checkpoint', async () => {
    const [first] = await t.account.invoke('PyFlow', '{"id":"o-1"}', 'async');
    assert.equal(
      first.execution?.outcome,
      'PENDING',
      JSON.stringify(first.attempts[0]?.error ?? first.attempts[0]?.logs),
    );
    const logged = first.attempts[0].logs.map((l) => l.text).join('\n');
    const callbackId = /callback (\S+)/.exec(logged)?.[1];
    assert.ok(callbackId, logged);
    t.account.engine.durable.callbackSuccess(callbackId, Buffer.from('{"approved":true}'));
    await t.account.engine.runUntilIdle();
    const execution = t.account.engine.durable.find(first.execution.arn)!;
    assert.equal(execution.status, 'SUCCEEDED', JSON.stringify(execution.error ?? execution.history.slice(-3)));
    const result = JSON.parse(execution.result!) as { order: string; approval: unknown; year: number };
    assert.deepEqual([result.order, result.approval], ['o-1', { approved: true }]);
    assert.equal(result.year, new Date(execution.startMs).getFullYear());
    assert.equal(execution.history[execution.history.length - 1].EventType, 'ExecutionSucceeded');
  });
});
