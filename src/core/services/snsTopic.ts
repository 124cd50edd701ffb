/** A local SNS topic: fans a message out to every subscribed queue and function (filter policies apply). */
import { randomUUID } from 'node:crypto';
import type { AwsLocation } from '../awsLocation';
import { topicArn } from '../resourceArn';
import type { DeliveryInput, DeliveryRecord } from './delivery';
import { checkPattern, matchesPattern } from './eventPattern';
import { PutResource, type SimulatedClock } from './localResource';
import type { TopicSettings, TopicSubscription } from './resources';
import type { MessageAttributeValue } from './sqsQueue';

export interface PublishInput {
  message: string;
  subject?: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  /** The invocation record whose delivery publishes this (a destination): what it reaches continues its story. */
  causeRecordId?: string;
}

export interface PublishResult {
  messageId: string;
  /** One per subscription whose filter policy accepted the message. */
  deliveries: DeliveryRecord[];
}

export interface SnsNotification {
  messageId: string;
  topicArn: string;
  message: string;
  subject?: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  timestampMs: number;
}

export class SnsTopic extends PutResource<PublishInput, PublishResult> {
  readonly kind = 'sns' as const;
  readonly arn: string;
  private readonly subscriptions: TopicSubscription[] = [];

  constructor(
    readonly settings: TopicSettings,
    private readonly location: AwsLocation,
    private readonly clock: SimulatedClock,
    /** The one delivery function: sends to a subscribed queue or function. */
    private readonly deliver: (endpoint: string, input: DeliveryInput) => DeliveryRecord,
  ) {
    super();
    this.arn = topicArn(settings.name, location);
    for (const subscription of settings.subscriptions ?? []) this.addSubscription(subscription);
  }

  get name(): string {
    return this.settings.name;
  }

  /** The topic's subscriptions (a function's SNS trigger adds one). */
  subscriptionList(): readonly TopicSubscription[] {
    return this.subscriptions;
  }

  addSubscription(subscription: TopicSubscription): void {
    if (subscription.filterPolicy) checkPattern(subscription.filterPolicy);
    this.subscriptions.push(subscription);
  }

  /** Publish: the message goes to every subscription whose filter policy accepts it. */
  protected putOne(input: PublishInput): PublishResult {
    if (typeof input.message !== 'string' || input.message.length === 0)
      throw new Error(`Publish to ${this.name}: the message must be a non-empty string.`);
    const n = this.notification(input.message, input.messageAttributes ?? {}, this.clock.now(), input.subject);
    const deliveries: DeliveryRecord[] = [];
    const cause = input.causeRecordId ? { recordId: input.causeRecordId } : {};
    for (const sub of this.subscriptions) {
      if (!this.accepts(sub.filterPolicy, n)) continue;
      deliveries.push(
        sub.protocol === 'sqs'
          ? this.deliver(sub.endpoint, {
              ...cause,
              kind: 'fanOut',
              condition: 'Subscription',
              body: sub.rawMessageDelivery ? n.message : this.sqsEnvelope(n),
              ...(sub.rawMessageDelivery ? { attributes: n.messageAttributes } : {}),
            })
          : this.deliver(sub.endpoint, {
              ...cause,
              kind: 'fanOut',
              condition: 'Subscription',
              body: JSON.stringify(this.lambdaEvent(n)),
              invokeSource: { type: 'sns', arn: this.arn },
            }),
      );
    }
    return { messageId: n.messageId, deliveries };
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
