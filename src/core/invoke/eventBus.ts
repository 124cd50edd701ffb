/** A local EventBridge bus: PutEvents entries become events that rules (event patterns) route to targets. */
import { randomUUID } from 'node:crypto';
import { matchesPattern } from './filterCriteria';
import type { BusRule, BusSettings } from './functionSettings';
import { busArn, type AwsLocation } from '../resourceArn';

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  /** JSON text. */
  Detail: string;
  Resources?: string[];
  Time?: string;
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

export class EventBus {
  readonly arn: string;

  constructor(
    readonly settings: BusSettings,
    private readonly location: AwsLocation,
  ) {
    this.arn = busArn(settings.name, location);
    for (const rule of settings.rules) matchesPattern(rule.eventPattern, {}); // a bad pattern fails at configuration time
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
    return this.settings.rules.filter((rule) => matchesPattern(rule.eventPattern, event));
  }
}
