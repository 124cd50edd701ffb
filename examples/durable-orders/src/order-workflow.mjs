// A durable order workflow. Each `context.*` call is checkpointed: when the function runs again (after the wait, or
// once the approval arrives) the SDK replays what is done from the log instead of running it twice.
import { withDurableExecution } from '@aws/durable-execution-sdk-js';

const PAYMENT_FUNCTION = process.env.PAYMENT_FUNCTION ?? 'ChargePaymentFunction';

function checkOrder(order) {
  const problems = [];
  if (typeof order?.orderId !== 'string' || order.orderId === '') problems.push('orderId must be a non-empty string');
  if (!Array.isArray(order?.items) || order.items.length === 0) problems.push('items must list at least one item');
  else
    order.items.forEach((item, i) => {
      if (typeof item?.sku !== 'string') problems.push(`items[${i}].sku must be a string`);
      if (!Number.isInteger(item?.quantity) || item.quantity < 1)
        problems.push(`items[${i}].quantity must be a whole number from 1`);
      if (typeof item?.price !== 'number' || item.price < 0) problems.push(`items[${i}].price must be a number from 0`);
    });
  if (problems.length > 0) throw new TypeError(`Not an order: ${problems.join('; ')}.`);
}

export const handler = withDurableExecution(async (order, context) => {
  checkOrder(order);
  const total = order.items.reduce((sum, item) => sum + item.quantity * item.price, 0);

  // A step with retries: the warehouse is busy on the first attempt; the retry runs 30 seconds later.
  const reservation = await context.step(
    'reserve-stock',
    async (step) => {
      if (step.attempt === 1) throw new Error('The warehouse is busy, try again shortly.');
      return { reservationId: `res-${order.orderId}`, items: order.items.length, attempt: step.attempt };
    },
    { retryStrategy: (error, attempts) => ({ shouldRetry: attempts < 3, delay: { seconds: 30 } }) },
  );

  // A callback: the execution waits (at no cost) until someone approves or rejects the order with its callback id.
  const answer = await context.waitForCallback(
    'manager-approval',
    async (callbackId) => {
      context.logger.info('Approval requested', { orderId: order.orderId, total, callbackId });
    },
    { timeout: { days: 2 } },
  );
  const decision = JSON.parse(answer);
  if (decision.approved !== true)
    return { orderId: order.orderId, status: 'REJECTED', reason: decision.reason ?? 'not approved' };

  // A chained invoke: another function charges the payment; its result is checkpointed like a step's.
  const payment = await context.invoke('charge-payment', PAYMENT_FUNCTION, {
    orderId: order.orderId,
    amount: total,
    currency: order.currency ?? 'EUR',
  });

  // A wait of days: the function is not running meanwhile.
  await context.wait('cool-off-before-shipping', { days: 3 });

  const shipment = await context.step('ship', async () => ({
    trackingId: `trk-${order.orderId}`,
    carrier: 'local-post',
  }));
  return {
    orderId: order.orderId,
    status: 'SHIPPED',
    approvedBy: decision.approver ?? 'unknown',
    reservation,
    payment,
    shipment,
  };
});
