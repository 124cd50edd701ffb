/** SQS-4 / STREAM-3: reading a ReportBatchItemFailures response. */

export type BatchItemFailureReport =
  { kind: 'success' } | { kind: 'partial'; failedIds: string[] } | { kind: 'invalid'; reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * SQS-4: full success for a null/empty response or a null/empty `batchItemFailures`; full failure (the whole
 * batch is retried) for an unparseable response or an itemIdentifier that is empty, null, missing or not in
 * the batch. STREAM-3 also counts `""` as full success (`allowEmptyString`).
 */
export function readBatchItemFailures(
  response: unknown,
  batchIds: ReadonlySet<string>,
  options: { allowEmptyString?: boolean } = {},
): BatchItemFailureReport {
  if (response === null || response === undefined) return { kind: 'success' };
  if (options.allowEmptyString && response === '') return { kind: 'success' };
  if (!isObject(response))
    return { kind: 'invalid', reason: `the response is not a batch response object: ${JSON.stringify(response)}` };
  const list = response.batchItemFailures;
  if (list === undefined || list === null) return { kind: 'success' };
  if (!Array.isArray(list)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  if (list.length === 0) return { kind: 'success' };
  const failedIds: string[] = [];
  for (const [i, item] of list.entries()) {
    if (!isObject(item) || !('itemIdentifier' in item))
      return { kind: 'invalid', reason: `batchItemFailures[${i}] has no itemIdentifier` };
    const id = item.itemIdentifier;
    if (id === null) return { kind: 'invalid', reason: `batchItemFailures[${i}].itemIdentifier is null` };
    if (typeof id !== 'string')
      return { kind: 'invalid', reason: `batchItemFailures[${i}].itemIdentifier is not a string` };
    if (id === '') return { kind: 'invalid', reason: `batchItemFailures[${i}].itemIdentifier is empty` };
    if (!batchIds.has(id))
      return { kind: 'invalid', reason: `batchItemFailures[${i}].itemIdentifier "${id}" is not in the batch` };
    if (!failedIds.includes(id)) failedIds.push(id);
  }
  return { kind: 'partial', failedIds };
}
