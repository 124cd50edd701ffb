/** A local SNS topic: fans a message out to every subscribed queue and function (filter policies apply). */
import { randomUUID } from 'node:crypto';
import { matchesPattern } from './filterCriteria';
import type { TopicSettings } from './functionSettings';
import { topicArn, type AwsLocation } from '../resourceArn';
import type { MessageAttributeValue } from './sqsQueue';

export interface SnsNotification {
  messageId: string;
  topicArn: string;
  message: string;
  subject?: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  timestampMs: number;
}

export class SnsTopic {
  readonly arn: string;

  constructor(
    readonly settings: TopicSettings,
    private readonly location: AwsLocation,
  ) {
    this.arn = topicArn(settings.name, location);
  }

  notification(
    message: string,
    messageAttributes: Record<string, MessageAttributeValue>,
    timestampMs: number,
    subject?: string,
  ): SnsNotification {
    return { messageId: randomUUID(), topicArn: this.arn, message, subject, messageAttributes, timestampMs };
  }

  /** Filter policies look at message attributes (Number attributes compare as numbers). */
  accepts(filterPolicy: Record<string, unknown> | undefined, n: SnsNotification): boolean {
    if (!filterPolicy) return true;
    const view: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n.messageAttributes))
      view[k] = v.DataType.startsWith('Number') ? Number(v.StringValue) : v.StringValue;
    return matchesPattern(filterPolicy, view);
  }

  private envelopeAttributes(n: SnsNotification): Record<string, { Type: string; Value: string }> {
    return Object.fromEntries(
      Object.entries(n.messageAttributes).map(([k, v]) => [
        k,
        { Type: v.DataType, Value: v.StringValue ?? v.BinaryValue ?? '' },
      ]),
    );
  }

  /** The JSON body an SQS subscriber receives (unless raw message delivery is on). */
  sqsEnvelope(n: SnsNotification): string {
    const body: Record<string, unknown> = {
      Type: 'Notification',
      MessageId: n.messageId,
      TopicArn: n.topicArn,
      Message: n.message,
      Timestamp: new Date(n.timestampMs).toISOString(),
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertURL: `https://sns.${this.location.region}.amazonaws.com/SimpleNotificationService-local.pem`,
      UnsubscribeURL: `https://sns.${this.location.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${n.topicArn}:local`,
      MessageAttributes: this.envelopeAttributes(n),
    };
    if (n.subject !== undefined) body.Subject = n.subject;
    return JSON.stringify(body);
  }

  /** The event a subscribed function receives. */
  lambdaEvent(n: SnsNotification): unknown {
    return {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${n.topicArn}:${randomUUID()}`,
          Sns: {
            Type: 'Notification',
            MessageId: n.messageId,
            TopicArn: n.topicArn,
            Subject: n.subject ?? null,
            Message: n.message,
            Timestamp: new Date(n.timestampMs).toISOString(),
            SignatureVersion: '1',
            Signature: 'EXAMPLE',
            SigningCertUrl: `https://sns.${this.location.region}.amazonaws.com/SimpleNotificationService-local.pem`,
            UnsubscribeUrl: `https://sns.${this.location.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${n.topicArn}:local`,
            MessageAttributes: this.envelopeAttributes(n),
          },
        },
      ],
    };
  }
}
