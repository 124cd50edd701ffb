// Invoice totals: handler "invoice.handler" (TypeScript, run without a build step).
// Event: { "invoiceNumber": "INV-1042", "currency": "EUR", "taxRate": 0.23,
//          "lines": [{ "description": "...", "quantity": 2, "unitPriceCents": 1450, "discountPercent": 10 }] }

interface InvoiceLine {
  description: string;
  quantity: number;
  unitPriceCents: number;
  discountPercent?: number;
}

interface InvoiceRequest {
  invoiceNumber: string;
  currency: string;
  taxRate: number;
  lines: InvoiceLine[];
}

interface LambdaContext {
  awsRequestId: string;
  functionName: string;
}

export interface InvoiceTotals {
  invoiceNumber: string;
  currency: string;
  lines: Array<{ description: string; netCents: number }>;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
}

export const handler = async (event: InvoiceRequest, context: LambdaContext): Promise<InvoiceTotals> => {
  validate(event);
  const lines = event.lines.map((line) => {
    const gross = line.quantity * line.unitPriceCents;
    const discount = Math.round((gross * (line.discountPercent ?? 0)) / 100);
    return { description: line.description, netCents: gross - discount };
  });
  const subtotalCents = lines.reduce((sum, line) => sum + line.netCents, 0);
  const taxCents = Math.round(subtotalCents * event.taxRate);
  const totals: InvoiceTotals = {
    invoiceNumber: event.invoiceNumber,
    currency: event.currency,
    lines,
    subtotalCents,
    taxCents,
    totalCents: subtotalCents + taxCents,
  };
  console.log(
    `${context.functionName}: ${totals.invoiceNumber} ${lines.length} line(s), ` +
      `total ${(totals.totalCents / 100).toFixed(2)} ${totals.currency} incl. ${(totals.taxCents / 100).toFixed(2)} tax`,
  );
  return totals;
};

function validate(event: InvoiceRequest): void {
  if (typeof event?.invoiceNumber !== 'string' || event.invoiceNumber === '') {
    throw new TypeError('invoiceNumber is required');
  }
  if (!/^[A-Z]{3}$/.test(String(event.currency))) {
    throw new TypeError(`currency must be an ISO 4217 code such as EUR, got ${JSON.stringify(event.currency)}`);
  }
  if (typeof event.taxRate !== 'number' || event.taxRate < 0 || event.taxRate >= 1) {
    throw new RangeError(`taxRate must be a fraction from 0 to 1 (0.23 for 23%), got ${event.taxRate}`);
  }
  if (!Array.isArray(event.lines) || event.lines.length === 0) {
    throw new TypeError(`Invoice ${event.invoiceNumber} has no lines`);
  }
  event.lines.forEach((line, i) => {
    if (!Number.isInteger(line?.quantity) || line.quantity < 1) {
      throw new RangeError(`lines[${i}].quantity must be a positive integer, got ${line?.quantity}`);
    }
    if (!Number.isInteger(line.unitPriceCents) || line.unitPriceCents < 0) {
      throw new RangeError(`lines[${i}].unitPriceCents must be a non-negative integer, got ${line.unitPriceCents}`);
    }
    const discount = line.discountPercent ?? 0;
    if (typeof discount !== 'number' || discount < 0 || discount > 100) {
      throw new RangeError(`lines[${i}].discountPercent must be from 0 to 100, got ${discount}`);
    }
  });
}
