/**
 * Errors for bad event input (unknown template, bad parameter, malformed payload or saved event).
 * Every one says what was wrong and where; the CLI maps them to exit code 2.
 */
export class EventInputError extends Error {
  override readonly name: string = 'EventInputError';
}

/** A template id that is not in the catalogue. */
export class UnknownEventTypeError extends EventInputError {
  override readonly name = 'UnknownEventTypeError';
  constructor(
    readonly typeId: string,
    known: readonly string[],
  ) {
    const close = known.filter((k) => k.startsWith(typeId.split(':')[0] + ':')).slice(0, 8);
    super(
      `unknown event type '${typeId}'` +
        (close.length > 0
          ? `; did you mean one of: ${close.join(', ')}`
          : '; run `lambda-trigger events` for the list'),
    );
  }
}

/** A parameter that the template does not declare, or a value of the wrong type. */
export class EventParameterError extends EventInputError {
  override readonly name = 'EventParameterError';
}

/** A template file in event-templates/ that is not well formed (a bug in the catalogue, not in user input). */
export class TemplateDefinitionError extends EventInputError {
  override readonly name = 'TemplateDefinitionError';
}

/** A saved event that cannot be read, parsed, created, renamed or deleted as asked. */
export class SavedEventError extends EventInputError {
  override readonly name = 'SavedEventError';
}
