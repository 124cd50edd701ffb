/** ARNs of the local account's resources (queues, topics, functions, buses, streams, buckets) and how to read them back. */
import type { AwsLocation } from './awsLocation';

export type { AwsLocation } from './awsLocation';

export type TargetService = 'sqs' | 'sns' | 'lambda' | 'events' | 's3' | 'kafka';

export interface ParsedArn {
  service: TargetService;
  name: string;
  region: string;
  accountId: string;
  arn: string;
}

export function queueArn(name: string, loc: AwsLocation): string {
  return `arn:aws:sqs:${loc.region}:${loc.accountId}:${name}`;
}

export function queueUrl(name: string, loc: AwsLocation): string {
  return `https://sqs.${loc.region}.amazonaws.com/${loc.accountId}/${name}`;
}

export function topicArn(name: string, loc: AwsLocation): string {
  return `arn:aws:sns:${loc.region}:${loc.accountId}:${name}`;
}

export function functionArn(name: string, loc: AwsLocation): string {
  return `arn:aws:lambda:${loc.region}:${loc.accountId}:function:${name}`;
}

export function busArn(name: string, loc: AwsLocation): string {
  return `arn:aws:events:${loc.region}:${loc.accountId}:event-bus/${name}`;
}

export function streamArn(kind: 'kinesis' | 'dynamodb', name: string, loc: AwsLocation): string {
  return kind === 'kinesis'
    ? `arn:aws:kinesis:${loc.region}:${loc.accountId}:stream/${name}`
    : `arn:aws:dynamodb:${loc.region}:${loc.accountId}:table/${name}/stream/2024-01-01T00:00:00.000`;
}

export function tableArn(name: string, loc: AwsLocation): string {
  return `arn:aws:dynamodb:${loc.region}:${loc.accountId}:table/${name}`;
}

export function bucketArn(name: string): string {
  return `arn:aws:s3:::${name}`;
}

export const KAFKA_TARGET_PREFIX = 'kafka://';

/** A Kafka topic as a Kafka mapping's on-failure destination names it (it has no ARN): `kafka://<topic>`. */
export function kafkaTopicTarget(topic: string): string {
  return `${KAFKA_TARGET_PREFIX}${topic}`;
}

export function kafkaClusterArn(name: string, loc: AwsLocation): string {
  return `arn:aws:kafka:${loc.region}:${loc.accountId}:cluster/${name}/local`;
}

export function mqBrokerArn(name: string, loc: AwsLocation): string {
  return `arn:aws:mq:${loc.region}:${loc.accountId}:broker:${name}:local`;
}

export function userPoolArn(name: string, loc: AwsLocation): string {
  return `arn:aws:cognito-idp:${loc.region}:${loc.accountId}:userpool/${name}`;
}

/**
 * Reads a target ARN (sqs, sns, lambda, events bus, s3 bucket) or a Kafka topic target (`kafka://<topic>`); throws a
 * clear error for anything else.
 */
export function parseTargetArn(arn: string): ParsedArn {
  if (arn.startsWith(KAFKA_TARGET_PREFIX)) {
    const topic = arn.slice(KAFKA_TARGET_PREFIX.length);
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new Error(`"${arn}" is not a Kafka topic (kafka://<topic>).`);
    return { service: 'kafka', name: topic, region: '', accountId: '', arn };
  }
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    throw new Error(`"${arn}" is not an ARN (expected arn:aws:<service>:<region>:<account>:<resource>).`);
  }
  const [, , service, region, accountId] = parts;
  const resource = parts.slice(5).join(':');
  switch (service) {
    case 'sqs':
    case 'sns':
      return { service, name: resource, region, accountId, arn };
    case 'lambda': {
      const m = /^function:([^:]+)(?::.+)?$/.exec(resource);
      if (!m) throw new Error(`"${arn}" is not a Lambda function ARN.`);
      return { service, name: m[1], region, accountId, arn };
    }
    case 'events': {
      const m = /^event-bus\/(.+)$/.exec(resource);
      if (!m) throw new Error(`"${arn}" is not an EventBridge event bus ARN.`);
      return { service, name: m[1], region, accountId, arn };
    }
    case 's3':
      if (!resource || resource.includes('/')) throw new Error(`"${arn}" is not an S3 bucket ARN.`);
      return { service, name: resource, region, accountId, arn };
    default:
      throw new Error(
        `"${arn}": ${service} is not a destination the runner can deliver to (sqs, sns, lambda, events, s3, kafka://).`,
      );
  }
}
