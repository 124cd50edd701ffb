import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { slug, suggestEventName, uniqueName } from '../../../src/core/events/eventNames';

const samEvent = (name: string): unknown =>
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../examples/sam-app/events', name), 'utf8'));

describe('events: saved-event names from their content', () => {
  it('an S3 put of cat.jpg to uploads is put-uploads-cat-jpg', () => {
    const event = {
      Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'uploads' }, object: { key: 'cat.jpg' } } }],
    };
    assert.equal(suggestEventName('s3:put', event), 'put-uploads-cat-jpg');
    assert.equal(
      suggestEventName('s3:put', samEvent('s3-image-uploaded.json')),
      'put-shop-dev-uploadsbucket-1x2y3z-uploads-user-42-beach-day',
    );
  });

  it('API events are named by method and route, queue and stream events by source and count', () => {
    assert.equal(
      suggestEventName('apigateway:aws-proxy', { httpMethod: 'GET', resource: '/orders/{id}', path: '/orders/7' }),
      'get-orders-id',
    );
    assert.equal(
      suggestEventName('apigateway:http-api-v2', { rawPath: '/items', requestContext: { http: { method: 'POST' } } }),
      'post-items',
    );
    assert.equal(
      suggestEventName('sqs:receive-message', samEvent('sqs-orders-batch.json')),
      'receive-shop-dev-ordersqueue-abc123-3-messages',
    );
    assert.equal(
      suggestEventName('kinesis:get-records', {
        Records: [{ eventSource: 'aws:kinesis', eventSourceARN: 'arn:aws:kinesis:us-east-1:1:stream/Tx' }],
      }),
      'get-tx-1-record',
    );
    assert.equal(
      suggestEventName('dynamodb:update', {
        Records: [
          {
            eventSource: 'aws:dynamodb',
            eventName: 'INSERT',
            eventSourceARN: 'arn:aws:dynamodb:r:1:table/Orders/stream/x',
          },
          {
            eventSource: 'aws:dynamodb',
            eventName: 'REMOVE',
            eventSourceARN: 'arn:aws:dynamodb:r:1:table/Orders/stream/x',
          },
        ],
      }),
      'orders-insert-remove',
    );
    assert.equal(
      suggestEventName('eventbridge:ec2-state', samEvent('eventbridge-instance-stopped.json')),
      'ec2-ec2-instance-state-change-notification',
    );
  });

  it('an event that says nothing recognisable takes the template name, else "event"', () => {
    assert.equal(suggestEventName('cognito-idp:pre-signup', { triggerSource: 'PreSignUp_SignUp' }), 'pre-signup');
    assert.equal(suggestEventName(undefined, 42), 'event');
  });

  it('names are safe and short, and never taken', () => {
    assert.equal(slug('Hello, World!', '/a/b'), 'hello-world-a-b');
    assert.ok(slug('x'.repeat(30), 'y'.repeat(30), 'z'.repeat(30)).length <= 60);
    assert.equal(uniqueName('put-a', ['put-a', 'put-a-2']), 'put-a-3');
    assert.equal(uniqueName('put-a', ['other']), 'put-a');
  });
});
