/** A local EventBridge bus: PutEvents entries become events that rules (event patterns) route to targets. */
import { randomUUID } from 'node:crypto';
import type { AwsLocation } from '../awsLocation';
import { busArn } from '../resourceArn';
import type { DeliveryInput, DeliveryRecord } from './delivery';
import { checkPattern, matchesPattern } from './eventPattern';
import { PutResource, type SimulatedClock } from './localResource';
import type { BusRule, BusSettings } from './resources';

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  /** JSON text. */
  Detail: string;
  Resources?: string[];
  Time?: string;
  /** The invocation record whose delivery puts this (a destination): what it reaches continues its story. */
  causeRecordId?: string;
}

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface PutEventsResult {
  event: EventBridgeEvent;
  /** One per target of every rule whose pattern matched. */
  deliveries: DeliveryRecord[];
}

export class EventBus extends PutResource<PutEventsEntry, PutEventsResult> {
  readonly kind = 'eventbridge' as const;
  readonly arn: string;
  private readonly rules: BusRule[] = [];

  constructor(
    readonly settings: BusSettings,
    private readonly location: AwsLocation,
    private readonly clock: SimulatedClock,
    /** The one delivery function: sends to a rule's target. */
    private readonly deliver: (target: string, input: DeliveryInput) => DeliveryRecord,
  ) {
    super();
    this.arn = busArn(settings.name, location);
    for (const rule of settings.rules ?? []) this.addRule(rule);
  }

  get name(): string {
    return this.settings.name;
  }

  ruleList(): readonly BusRule[] {
    return this.rules;
  }

  /** A bad pattern fails here, when the rule is declared, not when an event arrives. */
  addRule(rule: BusRule): void {
    checkPattern(rule.eventPattern);
    this.rules.push(rule);
  }

  /** PutEvents: the entry becomes an event that goes to the targets of every rule whose pattern matches. */
  protected putOne(entry: PutEventsEntry): PutEventsResult {
    const event = this.toEvent(entry, this.clock.now());
    const body = JSON.stringify(event);
    const deliveries: DeliveryRecord[] = [];
    for (const rule of this.matchingRules(event))
      for (const target of rule.targets)
        deliveries.push(
          this.deliver(target, {
            ...(entry.causeRecordId ? { recordId: entry.causeRecordId } : {}),
            kind: 'fanOut',
            condition: `Rule ${rule.name}`,
            body,
            invokeSource: { type: 'eventbridge', arn: this.arn },
          }),
        );
    return { event, deliveries };
  }

  toEvent(entry: PutEventsEntry, nowMs: number): EventBridgeEvent {
    if (!entry.Source || !entry.DetailType)
      throw new Error(`PutEvents to ${this.settings.name}: Source and DetailType are required.`);
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      throw new Error(`PutEvents to ${this.settings.name}: Detail is not valid JSON.`);
    }
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.location.accountId,
      time: entry.Time ?? new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.location.region,
      resources: entry.Resources ?? [],
      detail,
    };
  }

  matchingRules(event: EventBridgeEvent): BusRule[] {
    return this.rules.filter((rule) => matchesPattern(rule.eventPattern, event));
  }
}
