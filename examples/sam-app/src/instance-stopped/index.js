// EventBridge rule (source aws.ec2, state "stopped") -> stop alert.
//
// This file is ESM because ./package.json says "type": "module". The rule only matches events whose
// detail.state is "stopped": an event for a "running" instance never reaches the handler.

const [OPEN_HOUR, CLOSE_HOUR] = (process.env.BUSINESS_HOURS_UTC ?? '08-18').split('-').map(Number);

export async function handler(event) {
  const instanceId = event?.detail?.['instance-id'];
  if (event?.source !== 'aws.ec2' || typeof instanceId !== 'string') {
    throw new Error(
      `Not an EC2 Instance State-change Notification (source ${event?.source}, detail-type ${event?.['detail-type']})`,
    );
  }

  const stoppedAt = new Date(event.time);
  if (Number.isNaN(stoppedAt.getTime())) {
    throw new Error(`Event ${event.id} has no valid time: ${event.time}`);
  }
  const weekday = stoppedAt.getUTCDay() >= 1 && stoppedAt.getUTCDay() <= 5;
  const hour = stoppedAt.getUTCHours();
  const duringBusinessHours = weekday && hour >= OPEN_HOUR && hour < CLOSE_HOUR;

  const summary = `${instanceId} in ${event.region} (account ${event.account}) stopped at ${event.time}`;
  if (duringBusinessHours) {
    console.warn(`ALERT: ${summary}, during business hours (${OPEN_HOUR}:00-${CLOSE_HOUR}:00 UTC, Mon-Fri)`);
  } else {
    console.log(`Expected stop outside business hours: ${summary}`);
  }
  return { instanceId, state: event.detail.state, stoppedAt: event.time, alert: duringBusinessHours };
}
