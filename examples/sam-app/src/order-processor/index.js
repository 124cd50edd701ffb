'use strict';

// SQS OrdersQueue -> order processor (event source mapping, ReportBatchItemFailures).
//
// Lambda polls the queue and passes up to 10 messages per batch. Messages listed in batchItemFailures go back to
// the queue and reappear after the visibility timeout (60 s); after 3 receives SQS moves them to OrdersDLQ.
// The other messages of the batch are deleted. A thrown error (or callback(err)) would retry the whole batch.

const WAREHOUSES = {
  DUB1: ['IE', 'GB'],
  FRA1: ['DE', 'AT', 'CH', 'PL'],
  MAD1: ['ES', 'PT'],
};

// Module state survives between invocations of a warm environment. SQS delivers at least once, so orders seen
// before are acknowledged without being processed twice.
const processedOrders = new Set();

class PoisonMessageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

exports.handler = (event, context, callback) => {
  if (!Array.isArray(event && event.Records)) {
    callback(new TypeError('Expected an SQS event with a Records array'));
    return;
  }

  const batchItemFailures = [];
  for (const record of event.Records) {
    const receiveCount = (record.attributes && record.attributes.ApproximateReceiveCount) || '1';
    try {
      processOrder(parseOrder(record));
    } catch (err) {
      console.error(`Message ${record.messageId} (receive #${receiveCount}) failed: ${err.name}: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }

  console.log(
    `Batch of ${event.Records.length}: ${event.Records.length - batchItemFailures.length} processed, ` +
      `${batchItemFailures.length} returned to the queue (request ${context.awsRequestId})`,
  );
  callback(null, { batchItemFailures });
};

function parseOrder(record) {
  let order;
  try {
    order = JSON.parse(record.body);
  } catch {
    throw new PoisonMessageError(`body is not JSON: ${String(record.body).slice(0, 80)}`);
  }
  if (order === null || typeof order !== 'object' || typeof order.orderId !== 'string' || order.orderId === '') {
    throw new PoisonMessageError('body has no orderId');
  }
  return order;
}

function processOrder(order) {
  if (processedOrders.has(order.orderId)) {
    console.log(`Order ${order.orderId} already processed, acknowledging duplicate delivery`);
    return;
  }
  const lines = Array.isArray(order.lines) ? order.lines : [];
  const units = lines.reduce((sum, line) => sum + (Number(line.quantity) || 0), 0);
  const country = (order.shippingAddress && order.shippingAddress.country) || 'IE';
  const warehouse =
    Object.keys(WAREHOUSES).find((code) => WAREHOUSES[code].includes(country)) ||
    process.env.DEFAULT_WAREHOUSE ||
    'DUB1';
  processedOrders.add(order.orderId);
  console.log(`Order ${order.orderId}: ${units} unit(s) for ${order.customerId || 'guest'}, ships from ${warehouse}`);
}
