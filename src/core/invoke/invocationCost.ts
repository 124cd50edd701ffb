/**
 * What an invocation would cost on AWS: Lambda bills each request and each GB-second of billed duration (init
 * included since August 2025, NODE-9), at a price per architecture and Region. The prices live in
 * lambdaPrices.json, with the date and the page they were read from; a setting can override them.
 */
import type { AttemptRecord, InvocationRecord } from './invocationRecord';
import prices from './lambdaPrices.json';

export type Architecture = 'x86_64' | 'arm64';

export interface ArchitecturePrice {
  /** USD per one million requests. */
  requestsPerMillion: number;
  /** USD per GB-second of billed duration. */
  gbSecond: number;
}

export interface LambdaPricing {
  x86_64: ArchitecturePrice;
  arm64: ArchitecturePrice;
  /** Where the figures come from: the data file's page and date, or the setting that overrides them. */
  source: string;
}

export interface InvocationCost {
  /** Attempts that ran the function (throttled and refused ones are not billed). */
  requests: number;
  /** Sum over those attempts of billed duration (s) × memory (GB). */
  billedGbSeconds: number;
  /** Estimated USD for the requests and the GB-seconds. */
  estimatedUsd: number;
  architecture: Architecture;
  /** The prices used: the data file's source and date, or a setting. */
  priceSource: string;
}

type RegionPrices = Partial<Record<Architecture, Partial<ArchitecturePrice>>>;

/** The prices of a Region (the data file's, then an override such as the `lambdaTrigger.pricing` setting). */
export function lambdaPricing(region: string, override?: RegionPrices): LambdaPricing {
  const regional = (prices.regions as Record<string, RegionPrices | undefined>)[region] ?? {};
  const pick = (arch: Architecture): ArchitecturePrice => ({
    ...prices.default[arch],
    ...regional[arch],
    ...override?.[arch],
  });
  const overridden = override && Object.keys(override).length > 0;
  return {
    x86_64: pick('x86_64'),
    arm64: pick('arm64'),
    source: overridden ? 'the lambdaTrigger.pricing setting' : `${prices.source} (read ${prices.retrieved})`,
  };
}

/** An attempt is a billed request when the function ran: success or a function error, not a refusal. */
function billed(attempt: AttemptRecord): boolean {
  return attempt.outcome === 'success' || attempt.outcome === 'functionError';
}

/** An attempt's billed GB-seconds: billed duration (init included) × the function's memory. */
export function attemptGbSeconds(attempt: AttemptRecord): number {
  if (!billed(attempt)) return 0;
  return (attempt.billedDurationMs / 1000) * (attempt.memorySizeMB / 1024);
}

/** The cost of every attempt of a record. */
export function invocationCost(
  record: Pick<InvocationRecord, 'attempts'>,
  architecture: Architecture,
  pricing: LambdaPricing,
): InvocationCost {
  const price = pricing[architecture];
  let requests = 0;
  let gbSeconds = 0;
  for (const attempt of record.attempts) {
    if (!billed(attempt)) continue;
    requests++;
    gbSeconds += attemptGbSeconds(attempt);
  }
  return {
    requests,
    billedGbSeconds: round(gbSeconds, 9),
    estimatedUsd: round((requests / 1_000_000) * price.requestsPerMillion + gbSeconds * price.gbSecond, 12),
    architecture,
    priceSource: pricing.source,
  };
}

/** The sum of several costs (a history entry's records: a batch's receives, an event and what it triggered). */
export function totalCost(
  costs: readonly InvocationCost[],
): Pick<InvocationCost, 'requests' | 'billedGbSeconds' | 'estimatedUsd'> {
  return {
    requests: costs.reduce((n, c) => n + c.requests, 0),
    billedGbSeconds: round(
      costs.reduce((n, c) => n + c.billedGbSeconds, 0),
      9,
    ),
    estimatedUsd: round(
      costs.reduce((n, c) => n + c.estimatedUsd, 0),
      12,
    ),
  };
}

/** `$0.0000106`: three significant digits, never in exponent form; `$0` for nothing. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  const digits = Math.max(2, 3 - Math.floor(Math.log10(Math.abs(usd))) - 1);
  return `$${usd
    .toFixed(Math.min(digits, 20))
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '')}`;
}

/** The one line a record's cost reads as: requests, billed GB-seconds, the estimate and its architecture. */
export function describeCost(
  cost: Pick<InvocationCost, 'requests' | 'billedGbSeconds' | 'estimatedUsd'> & Partial<InvocationCost>,
): string {
  const parts = [
    `${cost.requests} request${cost.requests === 1 ? '' : 's'}`,
    `${Number(cost.billedGbSeconds.toPrecision(3))} GB-s billed`,
    `about ${formatUsd(cost.estimatedUsd)}`,
  ];
  return cost.architecture ? `${parts.join(', ')} (${cost.architecture})` : parts.join(', ');
}

function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}
