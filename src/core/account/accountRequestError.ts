/** Thrown for requests the account cannot even start: unknown function, unsupported runtime, bad payload. */
export class AccountRequestError extends Error {
  override readonly name = 'AccountRequestError';
}
