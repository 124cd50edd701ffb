// A plain (not durable) function: the order workflow invokes it through the durable SDK's `context.invoke`.
export const handler = async (request) => {
  if (typeof request?.amount !== 'number' || !(request.amount > 0))
    throw new RangeError(`Cannot charge ${JSON.stringify(request?.amount)} for order ${request?.orderId}.`);
  const cents = Math.round(request.amount * 100);
  console.log(`Charging ${cents} cents (${request.currency}) for ${request.orderId}`);
  return { paymentId: `pay-${request.orderId}`, amountCents: cents, currency: request.currency };
};
