import { resolve } from 'node:path';
import { EXIT_OK, EXIT_USAGE, parseCommandArgs, UsageError, type CliCommand, type CliIO } from '../command';
import { EventInputError } from '../../core/events/eventErrors';
import { parseEventJson, readEventFile } from '../../core/events/eventJson';
import { EVENT_TYPE_MARKER } from '../../core/events/eventTypeDetection';
import { cliCatalogue } from './events';

const USAGE = `Usage: lambda-trigger validate <file|-> [--type <id>] [--json]

Validates an event payload against the JSON Schema of its event type and prints every error with its JSON path.
The type is --type, else the file's "${EVENT_TYPE_MARKER}" marker (saved events), else guessed from the payload.
A value outside the documented list of a field AWS keeps adding values to (an event name, a channel, a trigger
source) is a warning: the payload is still valid.
Exit code 0 when valid (with or without warnings), 2 when not (or when the file cannot be read or parsed).

  --type <id>   event type id (\`lambda-trigger events\` lists them)
  --json        print {file, type, valid, errors:[{path, pointer, message}], warnings:[...]}`;

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Validate an event payload file against its event schema',
  usage: USAGE,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      {
        args: [...args],
        options: { type: { type: 'string', short: 't' }, json: { type: 'boolean' } },
        strict: true,
        allowPositionals: true,
      },
      USAGE,
    );
    if (positionals.length !== 1) throw new UsageError(`expected one file (or - for stdin)\n\n${USAGE}`);
    const file = positionals[0];
    let text: string;
    try {
      text = file === '-' ? await io.readStdin() : readEventFile(resolve(io.cwd, file));
    } catch (e) {
      if (e instanceof EventInputError) throw new UsageError(e.message);
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const catalogue = cliCatalogue(io);
    try {
      const payload = parseEventJson(text, file);
      const type = values.type ?? catalogue.guessEventType(payload);
      if (type === undefined)
        throw new UsageError(
          `${file}: cannot tell the event type (no "${EVENT_TYPE_MARKER}" marker, no template matches); pass --type <id>`,
        );
      const result = catalogue.validate(payload, type);
      const { errors, warnings } = result;
      const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
      if (values.json) {
        io.stdout(`${JSON.stringify({ file, type, valid: result.valid, errors, warnings }, null, 2)}\n`);
      } else if (result.valid) {
        io.stdout(
          `${file}: valid ${type} event${warnings.length > 0 ? `, ${count(warnings.length, 'warning')}` : ''}\n`,
        );
      } else {
        io.stderr(
          `${file}: not a valid ${type} event (${count(errors.length, 'error')}${warnings.length > 0 ? `, ${count(warnings.length, 'warning')}` : ''}):\n`,
        );
        for (const e of errors) io.stderr(`  ${e.path}: ${e.message}\n`);
      }
      if (!values.json) for (const w of warnings) io.stderr(`  warning ${w.path}: ${w.message}\n`);
      return result.valid ? EXIT_OK : EXIT_USAGE;
    } catch (e) {
      if (e instanceof EventInputError) throw new UsageError(e.message);
      throw e;
    }
  },
};
