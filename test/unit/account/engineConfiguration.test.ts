import * as assert from 'node:assert/strict';
import { toEngineConfiguration } from '../../../src/core/account/engineConfiguration';
import type { EventTrigger, FunctionConfig } from '../../../src/core/discovery/functionConfig';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

function fnWith(name: string, triggers: EventTrigger[]): FunctionConfig {
  return {
    id: `template.yaml#${name}`,
    name,
    handler: 'index.handler',
    runtime: 'nodejs20.x',
    codeRoot: '/ws',
    exportName: 'handler',
    timeout: 3,
    memorySize: 128,
    environment: {},
    eventInvokeConfig: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21600, destinations: {} },
    triggers,
    origins: {},
    definedIn: '/ws/template.yaml',
    definedBy: 'sam',
  };
}

const options = { workspaceRoot: '/ws', location: DEFAULT_LOCATION };

describe('account: engine configuration of Kafka and MQ triggers', () => {
  it('KAFKA-1 an MSK trigger becomes a topic and one mapping per topic, with its cluster, batch and window', () => {
    const config = toEngineConfiguration(
      [
        fnWith('Clicks', [
          {
            kind: 'kafka',
            id: 'Clicks',
            invocation: 'poll',
            enabled: true,
            flavor: 'msk',
            cluster: { name: 'analytics' },
            bootstrapServers: [],
            topics: ['clicks', 'views'],
            startingPosition: 'LATEST',
            batchSize: 50,
            maximumBatchingWindowInSeconds: 1,
            filterCriteria: { patterns: [{ value: { page: ['/a'] } }] },
          },
        ]),
        fnWith('Audit', [
          {
            kind: 'kafka',
            id: 'All',
            invocation: 'poll',
            enabled: true,
            flavor: 'self-managed',
            bootstrapServers: ['kafka:9092'],
            topics: ['clicks'],
            startingPosition: 'AT_TIMESTAMP',
            batchSize: 100,
            maximumBatchingWindowInSeconds: 0.5,
          },
        ]),
      ],
      options,
    );
    assert.deepEqual(config.kafkaTopics, [{ name: 'clicks' }, { name: 'views' }]);
    assert.deepEqual(
      config.kafkaMappings?.map((m) => ({ ...m, origins: undefined })),
      [
        {
          id: 'Clicks:Clicks:clicks',
          functionName: 'Clicks',
          topic: 'clicks',
          eventSource: 'aws:kafka',
          batchSize: 50,
          maximumBatchingWindowInSeconds: 1,
          origins: undefined,
          clusterName: 'analytics',
          startingPosition: 'LATEST',
          filterCriteria: { filters: [{ pattern: '{"value":{"page":["/a"]}}' }] },
        },
        {
          id: 'Clicks:Clicks:views',
          functionName: 'Clicks',
          topic: 'views',
          eventSource: 'aws:kafka',
          batchSize: 50,
          maximumBatchingWindowInSeconds: 1,
          origins: undefined,
          clusterName: 'analytics',
          startingPosition: 'LATEST',
          filterCriteria: { filters: [{ pattern: '{"value":{"page":["/a"]}}' }] },
        },
        {
          id: 'Audit:All',
          functionName: 'Audit',
          topic: 'clicks',
          eventSource: 'SelfManagedKafka',
          batchSize: 100,
          maximumBatchingWindowInSeconds: 0.5,
          origins: undefined,
          bootstrapServers: ['kafka:9092'],
        },
      ],
    );
  });

  it('MQ-1 an MQ trigger becomes one mapping per queue on its broker; a disabled one none', () => {
    const config = toEngineConfiguration(
      [
        fnWith('Invoices', [
          {
            kind: 'mq',
            id: 'Invoices',
            invocation: 'poll',
            enabled: true,
            engine: 'rabbitmq',
            broker: { arn: 'arn:aws:mq:us-east-1:123456789012:broker:billing:b-1234' },
            queues: ['invoices'],
            batchSize: 5,
            maximumBatchingWindowInSeconds: 0.5,
          },
          {
            kind: 'mq',
            id: 'Off',
            invocation: 'poll',
            enabled: false,
            engine: 'activemq',
            broker: { name: 'other' },
            queues: ['q'],
            batchSize: 5,
            maximumBatchingWindowInSeconds: 0.5,
          },
        ]),
      ],
      options,
    );
    assert.deepEqual(config.mqMappings, [
      {
        id: 'Invoices:Invoices',
        functionName: 'Invoices',
        engine: 'rabbitmq',
        queueName: 'invoices',
        batchSize: 5,
        maximumBatchingWindowInSeconds: 0.5,
        origins: {},
        brokerName: 'b-1234',
      },
    ]);
  });
});
