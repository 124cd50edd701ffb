// Schedule cron(0 2 * * ? *) -> nightly sales report.
//
// EventBridge Scheduler fires the rule at 02:00 UTC and invokes Lambda asynchronously with a "Scheduled Event".
// The reporting window comes from event.time, not from the clock, so a retried or replayed event reports
// the same day.

interface ScheduledEvent {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

interface LambdaContext {
  awsRequestId: string;
  functionName: string;
}

export interface ReportPlan {
  reportDate: string;
  window: { start: string; end: string };
  outputKey: string;
  monthToDate: { start: string; end: string } | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const handler = async (event: ScheduledEvent, context: LambdaContext): Promise<ReportPlan> => {
  const firedAt = new Date(event?.time);
  if (Number.isNaN(firedAt.getTime())) {
    throw new Error(`Scheduled event has no valid "time" (got ${JSON.stringify(event?.time)})`);
  }

  // The previous UTC calendar day: [yesterday 00:00, today 00:00).
  const end = new Date(Date.UTC(firedAt.getUTCFullYear(), firedAt.getUTCMonth(), firedAt.getUTCDate()));
  const start = new Date(end.getTime() - DAY_MS);
  const reportDate = start.toISOString().slice(0, 10);

  // On the first of the month the report also covers the month that just ended.
  const monthStart = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  const monthToDate = end.getUTCDate() === 1 ? { start: monthStart.toISOString(), end: end.toISOString() } : null;

  const plan: ReportPlan = {
    reportDate,
    window: { start: start.toISOString(), end: end.toISOString() },
    outputKey: `${process.env.REPORT_PREFIX ?? 'reports/daily/'}${reportDate.replace(/-/g, '/')}.csv`,
    monthToDate,
  };

  const rule = event.resources?.[0] ?? 'manual invocation';
  console.log(`${context.functionName} fired by ${rule} at ${event.time}`);
  console.log(`Sales report for ${reportDate}: ${plan.window.start} .. ${plan.window.end} -> ${plan.outputKey}`);
  if (monthToDate) {
    console.log(`Month closed: monthly rollup ${monthToDate.start} .. ${monthToDate.end}`);
  }
  return plan;
};
