import type { EventTrigger, SourceResource } from './functionConfig';

const nameOf = (r: SourceResource | undefined): string => r?.logicalId ?? r?.name ?? r?.arn ?? '?';

/** A short human label for a trigger, as shown on code lenses and by `list`: "SQS OrdersQueue, batch 10". */
export function describeTrigger(t: EventTrigger): string {
  switch (t.kind) {
    case 'sqs':
      return `SQS ${nameOf(t.queue)}, batch ${t.batchSize}`;
    case 'kinesis':
      return `Kinesis ${nameOf(t.stream)}, batch ${t.batchSize}`;
    case 'dynamodb':
      return `DynamoDB Streams ${nameOf(t.stream)}, batch ${t.batchSize}`;
    case 'kafka':
      return `${t.flavor === 'msk' ? 'MSK' : 'Kafka'} ${t.topics.join(', ') || '?'}, batch ${t.batchSize}`;
    case 'mq':
      return `${t.engine === 'rabbitmq' ? 'RabbitMQ' : 'ActiveMQ'} ${t.queues.join(', ') || nameOf(t.broker)}, batch ${t.batchSize}`;
    case 's3':
      return `S3 ${nameOf(t.bucket)}${t.events.length > 0 ? ` ${t.events.join(', ')}` : ''}`;
    case 'sns':
      return `SNS ${nameOf(t.topic)}`;
    case 'api':
      if (t.api === 'websocket') return `WebSocket API ${t.path}`;
      if (t.api === 'url') return `Function URL${t.invokeMode === 'RESPONSE_STREAM' ? ' (response stream)' : ''}`;
      return `${t.api === 'rest' ? 'API Gateway' : t.api === 'http' ? 'HTTP API' : 'ALB'} ${t.method} ${t.path}${t.authorizer ? ' (authorizer)' : ''}`;
    case 'schedule': {
      const window =
        t.flexibleTimeWindow?.mode === 'FLEXIBLE' ? t.flexibleTimeWindow.maximumWindowInMinutes : undefined;
      return `Schedule ${t.expression}${t.timezone ? ` (${t.timezone})` : ''}${window !== undefined ? `, within ${window} min` : ''}`;
    }
    case 'eventbridge':
      return `EventBridge ${t.id}`;
    case 'cloudwatchLogs':
      return `CloudWatch Logs ${t.logGroupName}`;
    case 'cognito':
      return `Cognito ${t.triggers.join(', ') || nameOf(t.userPool)}`;
    case 'iot':
      return `IoT rule ${t.id}`;
    case 'alexa':
      return `Alexa skill${t.skillId ? ` ${t.skillId}` : ''}`;
    case 'unsupported':
      return `${t.sourceType} (not emulated)`;
  }
}
