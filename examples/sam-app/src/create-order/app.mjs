// POST /orders behind API Gateway (REST API, payload format 1.0).
//
// API Gateway invokes Lambda synchronously and waits for the proxy response: there are no retries, the caller
// sees 201 or 400 straight away. A thrown error would reach the client as 502 "Internal server error".

import { randomUUID } from 'node:crypto';

// Unit prices in cents. A real service would read them from a catalogue table.
const PRICES = {
  'MUG-BLUE': 1450,
  'TSHIRT-M': 2200,
  'POSTER-A2': 1800,
  'STICKER-PACK': 500,
};
const MAX_QUANTITY = 50;

export const handler = async (event, context) => {
  let order;
  try {
    order = parseBody(event);
  } catch (err) {
    return respond(400, { message: err.message });
  }

  const errors = validate(order);
  if (errors.length > 0) {
    console.log(`Rejected order from ${order?.customerId ?? 'unknown customer'}: ${errors.join('; ')}`);
    return respond(400, { message: 'Invalid order', errors });
  }

  const lines = order.items.map(({ sku, quantity }) => ({
    sku,
    quantity,
    unitPrice: PRICES[sku],
    lineTotal: PRICES[sku] * quantity,
  }));
  const accepted = {
    orderId: `ord_${randomUUID()}`,
    customerId: order.customerId,
    currency: process.env.CURRENCY ?? 'EUR',
    lines,
    total: lines.reduce((sum, line) => sum + line.lineTotal, 0),
    status: 'ACCEPTED',
    createdAt: new Date().toISOString(),
  };

  // In production this would SendMessage to ORDERS_QUEUE_URL for OrderProcessorFunction. The example has no
  // dependencies, so it logs the message it would send.
  console.log(`Queue ${process.env.ORDERS_QUEUE_URL ?? '(ORDERS_QUEUE_URL not set)'} <- ${JSON.stringify(accepted)}`);
  console.log(
    `Request ${context.awsRequestId}: order ${accepted.orderId} total ${accepted.total} ${accepted.currency}`,
  );

  return respond(201, accepted, { Location: `/orders/${accepted.orderId}` });
};

function parseBody(event) {
  if (event?.body === undefined || event.body === null || event.body === '') {
    throw new Error('Request body is required');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('Request body is not valid JSON');
  }
}

function validate(order) {
  const errors = [];
  if (order === null || typeof order !== 'object' || Array.isArray(order)) {
    return ['body must be a JSON object'];
  }
  if (typeof order.customerId !== 'string' || order.customerId.trim() === '') {
    errors.push('customerId is required');
  }
  if (!Array.isArray(order.items) || order.items.length === 0) {
    errors.push('items must be a non-empty array');
    return errors;
  }
  order.items.forEach((item, i) => {
    if (typeof item?.sku !== 'string' || !Object.hasOwn(PRICES, item.sku)) {
      errors.push(`items[${i}].sku "${item?.sku}" is not a product we sell`);
    }
    if (!Number.isInteger(item?.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      errors.push(`items[${i}].quantity must be an integer from 1 to ${MAX_QUANTITY}`);
    }
  });
  return errors;
}

function respond(statusCode, body, headers = {}) {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
