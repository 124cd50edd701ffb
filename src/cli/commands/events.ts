import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIO } from '../command';
import { findTemplatesDir } from '../../core/events/catalogueLocation';
import {
  buildCatalogueIndex,
  CATALOGUE_INDEX,
  loadCatalogue,
  type EventCatalogue,
} from '../../core/events/eventCatalogue';
import { EventInputError } from '../../core/events/eventErrors';

const USAGE = `Usage: lambda-trigger events [--json] [--service <name>]

Lists the event catalogue: every template id (service:event, as \`sam local generate-event\` names them), how
the source invokes the function (sync, async or poll) and what the event is.

  --json             print the templates with their parameters (name, type, default, description) as JSON
  --service <name>   only this service (e.g. s3, sqs, apigateway)
  --write-index      regenerate event-templates/${CATALOGUE_INDEX} from the template files (for template authors)`;

/** The catalogue the CLI uses: $LAMBDA_TRIGGER_TEMPLATES or the event-templates/ of this package. */
export function cliCatalogue(io: CliIO): EventCatalogue {
  try {
    return loadCatalogue(findTemplatesDir(__dirname, io.env));
  } catch (e) {
    if (e instanceof EventInputError) throw new UsageError(e.message);
    throw e;
  }
}

export const eventsCommand: CliCommand = {
  name: 'events',
  summary: 'List the event templates (service:event ids, invocation model, parameters)',
  usage: USAGE,
  run(args: readonly string[], io: CliIO): Promise<number> {
    // Synchronous work, but a thrown UsageError must reach the caller as a rejection.
    return new Promise((done) => done(runEvents(args, io)));
  },
};

function runEvents(args: readonly string[], io: CliIO): number {
  {
    const { values } = parseCommandArgs(
      {
        args: [...args],
        options: { json: { type: 'boolean' }, service: { type: 'string' }, 'write-index': { type: 'boolean' } },
        strict: true,
        allowPositionals: false,
      },
      USAGE,
    );
    if (values['write-index']) {
      const dir = findTemplatesDir(__dirname, io.env);
      writeFileSync(join(dir, CATALOGUE_INDEX), buildCatalogueIndex(dir));
      io.stdout(`wrote ${join(dir, CATALOGUE_INDEX)}\n`);
      return EXIT_OK;
    }
    const catalogue = cliCatalogue(io);
    let list = catalogue.list();
    if (values.service !== undefined) {
      list = list.filter((t) => t.service === values.service);
      if (list.length === 0) {
        const services = [...new Set(catalogue.list().map((t) => t.service))].join(', ');
        throw new UsageError(`no templates for service '${values.service}'; services: ${services}`);
      }
    }
    if (values.json) {
      io.stdout(`${JSON.stringify(list, null, 2)}\n`);
      return EXIT_OK;
    }
    const width = Math.max(...list.map((t) => t.id.length));
    for (const t of list) {
      const batch = t.batch ? `, batch <= ${t.batch.maxRecords}` : '';
      io.stdout(`${t.id.padEnd(width)}  ${t.invocation.padEnd(5)}  ${t.title}${batch}\n`);
    }
    io.stdout(
      `\n${list.length} templates. \`lambda-trigger render <id> --help-params\` shows a template's parameters.\n`,
    );
    return EXIT_OK;
  }
}
