'use strict';

// Inventory service handlers (CommonJS). The stock table lives in module state: it survives between
// invocations of a warm environment and starts over on a cold start, which makes reuse easy to see.
const stock = new Map([
  ['MUG-BLUE', { name: 'Blue enamel mug', onHand: 40, reserved: 0 }],
  ['TSHIRT-M', { name: 'Logo T-shirt, size M', onHand: 12, reserved: 0 }],
  ['POSTER-A2', { name: 'A2 poster', onHand: 3, reserved: 0 }],
  ['STICKER-PACK', { name: 'Sticker pack', onHand: 250, reserved: 0 }],
]);

const LOW_STOCK_THRESHOLD = Number(process.env.LOW_STOCK_THRESHOLD || 5);

const available = (item) => item.onHand - item.reserved;

// GET /stock/{sku} (HTTP API, synchronous).
module.exports.getStock = async (event) => {
  const sku = event.pathParameters && event.pathParameters.sku;
  const item = sku && stock.get(sku.toUpperCase());
  if (!item) {
    return json(404, { message: `Unknown SKU ${sku}` });
  }
  return json(200, { sku: sku.toUpperCase(), name: item.name, available: available(item) });
};

// SQS ReservationsQueue, ReportBatchItemFailures: only the failed messages are retried.
module.exports.reserveStock = async (event) => {
  const batchItemFailures = [];
  for (const record of recordsOf(event, 'SQS')) {
    try {
      const { orderId, sku, quantity } = JSON.parse(record.body);
      const item = stock.get(sku);
      if (!item) throw new Error(`unknown SKU ${sku}`);
      if (!Number.isInteger(quantity) || quantity < 1) throw new Error(`invalid quantity ${quantity}`);
      if (available(item) < quantity) {
        throw new Error(`only ${available(item)} x ${sku} left, order ${orderId} wants ${quantity}`);
      }
      item.reserved += quantity;
      console.log(`Reserved ${quantity} x ${sku} for ${orderId}; ${available(item)} left`);
    } catch (err) {
      console.error(`Message ${record.messageId} not reserved: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};

// Schedule rate(1 hour), asynchronous.
module.exports.lowStockReport = async (event) => {
  const checkedAt = (event && event.time) || new Date().toISOString();
  const low = [...stock]
    .filter(([, item]) => available(item) <= LOW_STOCK_THRESHOLD)
    .map(([sku, item]) => ({ sku, available: available(item) }));
  console.log(`Stock check at ${checkedAt}: ${low.length} SKU(s) at or below ${LOW_STOCK_THRESHOLD}`);
  for (const { sku, available: left } of low) {
    console.log(`  reorder ${sku}: ${left} left`);
  }
  return { checkedAt, lowStock: low };
};

// S3 incoming/<supplier>/<YYYY-MM-DD>.csv, asynchronous with destinations.
module.exports.importCatalog = async (event) => {
  const imports = recordsOf(event, 'S3').map((record) => {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const match = /^incoming\/([a-z0-9-]+)\/(\d{4}-\d{2}-\d{2})\.csv$/.exec(key);
    if (!match) {
      throw new Error(`Catalog file ${key} is not named incoming/<supplier>/<YYYY-MM-DD>.csv`);
    }
    if (!record.s3.object.size) {
      throw new Error(`Catalog file ${key} is empty`);
    }
    return { bucket: record.s3.bucket.name, key, supplier: match[1], priceListDate: match[2] };
  });
  for (const job of imports) {
    console.log(`Import job: ${job.supplier} price list of ${job.priceListDate} from s3://${job.bucket}/${job.key}`);
  }
  return { imports };
};

function recordsOf(event, source) {
  if (!Array.isArray(event && event.Records)) {
    throw new TypeError(`Expected an ${source} event with a Records array`);
  }
  return event.Records;
}

function json(statusCode, body) {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
