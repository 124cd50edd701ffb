'use strict';

// Price list import: handler "csv-import.handler" (CommonJS, callback style).
// Event: { "supplier": "acme", "csv": "sku,name,price\nMUG-BLUE,Blue mug,14.50\n..." }
//
// The handler keeps a "database connection" open between invocations, with a keep-alive timer. That timer never
// lets the event loop drain, so the handler sets context.callbackWaitsForEmptyEventLoop = false: the response
// is sent as soon as callback() is called. Without it, every invocation would run until it timed out.

const REQUIRED_COLUMNS = ['sku', 'name', 'price'];

let connection = null;

function connect() {
  if (!connection) {
    connection = { openedAt: new Date().toISOString(), pings: 0, writes: 0 };
    connection.keepAlive = setInterval(() => {
      connection.pings += 1;
    }, 30000);
    console.log('Opened database connection (cold start)');
  }
  return connection;
}

exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;

  let rows;
  try {
    if (typeof (event && event.csv) !== 'string' || event.csv.trim() === '') {
      throw new TypeError('event.csv must be a non-empty CSV string');
    }
    rows = parsePriceList(event.csv);
  } catch (err) {
    console.error(`Rejected price list from ${(event && event.supplier) || 'unknown supplier'}: ${err.message}`);
    callback(err);
    return;
  }

  const db = connect();
  db.writes += rows.length;
  console.log(`Upserted ${rows.length} price(s) for ${event.supplier || 'unknown supplier'} (${db.writes} so far)`);
  callback(null, { supplier: event.supplier || null, imported: rows.length, rows });
};

function parsePriceList(text) {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const header = splitCsvLine(lines[0]).map((column) => column.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new Error(`CSV header is missing column(s): ${missing.join(', ')} (found: ${header.join(', ')})`);
  }
  const rows = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const lineNumber = i + 2;
    const values = splitCsvLine(line);
    if (values.length !== header.length) {
      throw new Error(`Line ${lineNumber}: expected ${header.length} values, found ${values.length}`);
    }
    const row = Object.fromEntries(header.map((column, j) => [column, values[j].trim()]));
    if (!/^\d+(\.\d{1,2})?$/.test(row.price)) {
      throw new Error(`Line ${lineNumber}: price "${row.price}" for ${row.sku} is not an amount like 14.50`);
    }
    rows.push({ sku: row.sku, name: row.name, priceCents: Math.round(Number(row.price) * 100) });
  });
  return rows;
}

// Splits one CSV line, honouring double quotes ("a, b" stays one value; "" is an escaped quote).
function splitCsvLine(line) {
  const values = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      current += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      values.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  values.push(current);
  return values;
}
