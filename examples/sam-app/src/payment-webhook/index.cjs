'use strict';

// SNS PaymentNotificationsTopic -> ledger booking (asynchronous invocation).
//
// SNS invokes Lambda asynchronously. A failed event is retried twice (MaximumRetryAttempts 2, about 1 and
// 2 minutes apart) and dropped after an hour (MaximumEventAgeInSeconds 3600). Then the original SNS event goes
// to PaymentWebhookDLQ and an invocation record with the error goes to the PaymentFailuresTopic destination.
// Successes send an invocation record with the return value to PaymentResultsQueue.
//
// Fails on purpose: a negative amount (refunds have their own endpoint), or "simulateFailure": true, which
// stands for the payment provider's API timing out.

class PaymentRejectedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentRejectedError';
  }
}

const CURRENCIES = new Set(['EUR', 'GBP', 'USD']);

// At-least-once delivery: the same notification can arrive twice in a warm environment.
const bookedNotifications = new Set();

exports.handler = async (event, context) => {
  const payments = extractPayments(event);
  const entries = [];
  for (const payment of payments) {
    if (bookedNotifications.has(payment.notificationId)) {
      console.log(`Notification ${payment.notificationId} already booked, skipping duplicate`);
      continue;
    }
    validate(payment);
    if (payment.simulateFailure === true) {
      throw new Error(`Payment provider timed out confirming ${payment.paymentId} (simulateFailure flag set)`);
    }
    const entry = {
      ledger: process.env.LEDGER_ACCOUNT || 'ledger',
      paymentId: payment.paymentId,
      orderId: payment.orderId,
      debit: 'customer-receivables',
      credit: 'revenue',
      amount: payment.amount,
      currency: payment.currency,
      bookedAt: new Date().toISOString(),
    };
    bookedNotifications.add(payment.notificationId);
    entries.push(entry);
    console.log(`Booked ${payment.paymentId} for order ${payment.orderId}: ${formatAmount(payment)}`);
  }
  console.log(`Request ${context.awsRequestId}: ${entries.length} of ${payments.length} notification(s) booked`);
  return { booked: entries };
};

// Accepts SNS notifications (Records[].Sns.Message holding JSON) and direct async invokes of a bare payment.
function extractPayments(event) {
  if (!Array.isArray(event && event.Records)) {
    return [{ notificationId: event && event.paymentId, ...event }];
  }
  return event.Records.map((record) => {
    if (!record.Sns) {
      throw new PaymentRejectedError(`Record from ${record.eventSource || 'an unknown source'} is not an SNS message`);
    }
    try {
      return { notificationId: record.Sns.MessageId, ...JSON.parse(record.Sns.Message) };
    } catch {
      throw new PaymentRejectedError(`SNS message ${record.Sns.MessageId} is not JSON: ${record.Sns.Message}`);
    }
  });
}

function validate(payment) {
  if (typeof payment.paymentId !== 'string' || typeof payment.orderId !== 'string') {
    throw new PaymentRejectedError('Payment notification needs paymentId and orderId');
  }
  if (!Number.isInteger(payment.amount)) {
    throw new PaymentRejectedError(`Payment ${payment.paymentId}: amount must be an integer number of cents`);
  }
  if (payment.amount < 0) {
    throw new PaymentRejectedError(
      `Payment ${payment.paymentId}: negative amount ${payment.amount}; refunds go through the refunds endpoint`,
    );
  }
  if (!CURRENCIES.has(payment.currency)) {
    throw new PaymentRejectedError(`Payment ${payment.paymentId}: unsupported currency ${payment.currency}`);
  }
}

function formatAmount({ amount, currency }) {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}
