import { EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIO } from '../command';
import { EventInputError } from '../../core/events/eventErrors';
import { parseParameterAssignments } from '../../core/events/templateParameters';
import { cliCatalogue } from './events';

const USAGE = `Usage: lambda-trigger render <id> [--param name=value]... [--records N] [--body text]... [--compact]

Renders an event from a template of the catalogue (\`lambda-trigger events\` lists the ids) and prints the JSON.
Generated values (request and message ids, sequence numbers, timestamps, ETags, MD5s) are fresh on every run.

  --param name=value  set a template parameter; the value is coerced to the parameter's type
                      (number, integer, boolean, json, string[] as JSON or a,b,c)
  --records N         poll-based sources (SQS, Kinesis, DynamoDB Streams, Kafka, MQ, Firehose): N records with
                      distinct ids, sequence numbers and timestamps
  --body text         one record per --body (repeatable), filling the batch's per-record parameter
  --help-params       list the template's parameters with their types, defaults and help
  --compact           print the JSON on one line`;

export const renderCommand: CliCommand = {
  name: 'render',
  summary: 'Render an event from a template and parameters',
  usage: USAGE,
  run(args: readonly string[], io: CliIO): Promise<number> {
    // Synchronous work, but a thrown UsageError must reach the caller as a rejection.
    return new Promise((done) => done(runRender(args, io)));
  },
};

function runRender(args: readonly string[], io: CliIO): number {
  {
    const { values, positionals } = parseCommandArgs(
      {
        args: [...args],
        options: {
          param: { type: 'string', multiple: true, short: 'p' },
          records: { type: 'string', short: 'n' },
          body: { type: 'string', multiple: true },
          compact: { type: 'boolean' },
          'help-params': { type: 'boolean' },
        },
        strict: true,
        allowPositionals: true,
      },
      USAGE,
    );
    if (positionals.length !== 1)
      throw new UsageError(`expected one template id, got ${positionals.length}\n\n${USAGE}`);
    const id = positionals[0];
    const catalogue = cliCatalogue(io);
    try {
      const def = catalogue.require(id);
      if (values['help-params']) {
        io.stdout(`${def.id} (${def.invocation}): ${def.description}\n\nParameters:\n`);
        for (const p of def.parameters) {
          const choices = p.enum ? ` one of ${p.enum.join(', ')};` : '';
          io.stdout(`  ${p.name} (${p.type}):${choices} ${p.description}. Default: ${JSON.stringify(p.default)}\n`);
        }
        if (def.batch)
          io.stdout(
            `\nBatch: --records 1..${def.batch.maxRecords}; --body fills '${def.batch.itemParameter ?? '-'}'\n`,
          );
        return EXIT_OK;
      }
      let records: number | undefined;
      if (values.records !== undefined) {
        if (!/^\d+$/.test(values.records) || Number(values.records) < 1)
          throw new UsageError(`--records expects a positive integer, got ${JSON.stringify(values.records)}`);
        records = Number(values.records);
      }
      const params = parseParameterAssignments(values.param ?? []);
      const event = catalogue.render(id, params, { records, items: values.body, paramsAreText: true });
      io.stdout(`${values.compact ? JSON.stringify(event) : JSON.stringify(event, null, 2)}\n`);
      return EXIT_OK;
    } catch (e) {
      if (e instanceof EventInputError) throw new UsageError(e.message);
      throw e;
    }
  }
}
