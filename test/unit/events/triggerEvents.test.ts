import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { loadCatalogue } from '../../../src/core/events/eventCatalogue';
import { eventForTrigger } from '../../../src/core/events/triggerEvents';

const root = path.resolve(__dirname, '../../..');

describe('the event a configured trigger sends (examples/sam-app)', () => {
  const catalogue = loadCatalogue(path.join(root, 'event-templates'));
  let index: WorkspaceIndex;
  before(async () => {
    index = new WorkspaceIndex({ root: path.join(root, 'examples') });
    await index.build();
  });
  const triggerOf = (name: string) => {
    const fn = index.functions().find((f) => f.name === name);
    assert.ok(fn, `${name} is discovered`);
    return fn.triggers[0];
  };

  it('S3: s3:put on the bucket, with a key inside the filter prefix', () => {
    const event = eventForTrigger(triggerOf('ThumbnailFunction'), catalogue);
    assert.equal(event?.templateId, 's3:put');
    assert.equal(event?.params.bucket, 'UploadsBucket');
    assert.match(String(event?.params.key), /^uploads\/example/);
  });

  it('SQS: sqs:receive-message on the queue', () => {
    assert.deepEqual(
      eventForTrigger(triggerOf('OrderProcessorFunction'), catalogue)?.templateId,
      'sqs:receive-message',
    );
  });

  it('API Gateway: the REST proxy event with the route method and path', () => {
    const event = eventForTrigger(triggerOf('CreateOrderFunction'), catalogue);
    assert.equal(event?.templateId, 'apigateway:aws-proxy');
    assert.deepEqual(event?.params, { method: 'POST', path: '/orders' });
  });

  it('EventBridge: an EC2 state-change pattern gives that event with the state it matches', () => {
    const event = eventForTrigger(triggerOf('InstanceStoppedFunction'), catalogue);
    assert.equal(event?.templateId, 'eventbridge:ec2-instance-state-change');
    assert.deepEqual(event?.params, { state: 'stopped' });
  });

  it('every rendered default event validates against its own schema', () => {
    for (const fn of index.functions()) {
      for (const trigger of fn.triggers) {
        const event = eventForTrigger(trigger, catalogue);
        if (!event) continue;
        const payload = catalogue.render(event.templateId, event.params);
        const result = catalogue.validate(payload, event.templateId);
        assert.ok(result.valid, `${fn.name} ${event.templateId}: ${JSON.stringify(result)}`);
      }
    }
  });
});
