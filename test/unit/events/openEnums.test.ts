import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { validateCommand } from '../../../src/cli/commands/validate';
import { loadCatalogue } from '../../../src/core/events/eventCatalogue';
import { OPEN_ENUM } from '../../../src/core/events/eventSchema';
import { eventFileDiagnostics, eventFileHover } from '../../../src/server/eventFiles/eventFileFeatures';
import { captureIO } from '../../support/cliIO';

const TEMPLATES = path.resolve(__dirname, '../../../event-templates');
const catalogue = loadCatalogue(TEMPLATES);

/** An Amazon Connect invocation in the older form: another event name and a channel written in another case. */
function olderConnectEvent(): Record<string, unknown> {
  return {
    Name: 'ContactFlowExecution',
    Details: {
      ContactData: {
        Attributes: { tier: 'gold' },
        Channel: 'Voice',
        ContactId: '7f3e2c1a-0000-4000-8000-000000000001',
        CustomerEndpoint: { Address: '+15550100', Type: 'TELEPHONE_NUMBER' },
        InitialContactId: '7f3e2c1a-0000-4000-8000-000000000001',
        InitiationMethod: 'INBOUND',
        InstanceARN: 'arn:aws:connect:us-east-1:123456789012:instance/example',
        PreviousContactId: '7f3e2c1a-0000-4000-8000-000000000001',
        Queue: null,
        SystemEndpoint: { Address: '+15550199', Type: 'TELEPHONE_NUMBER' },
      },
      Parameters: { lookup: 'account' },
    },
  };
}

describe('events: open-ended fields (values AWS keeps adding)', () => {
  it('an older Amazon Connect event (Name ContactFlowExecution, Channel Voice) is valid, with a warning on each open-ended field', () => {
    const result = catalogue.validate(olderConnectEvent(), 'connect:contact-flow-event');
    assert.equal(result.valid, true);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.warnings.map((w) => `${w.path} ${w.keyword}: ${w.message}`),
      [
        '$.Name enum: is not a value AWS documents ("ContactFlowEvent"); accepted, as AWS adds values to this field',
        '$.Details.ContactData.Channel enum: is not a value AWS documents ("VOICE", "CHAT", "TASK", "EMAIL"); accepted, as AWS adds values to this field',
      ],
    );
    assert.equal(catalogue.guessEventType(olderConnectEvent()), 'connect:contact-flow-event');
  });

  it('real shape errors stay errors beside those warnings, and closed lists stay errors', () => {
    const event = olderConnectEvent();
    const contact = (event.Details as { ContactData: Record<string, unknown> }).ContactData;
    contact.Attributes = 'gold';
    delete contact.ContactId;
    const result = catalogue.validate(event, 'connect:contact-flow-event');
    assert.equal(result.valid, false);
    assert.deepEqual(
      result.errors.map((e) => `${e.path} ${e.keyword}`),
      ['$.Details.ContactData.ContactId required', '$.Details.ContactData.Attributes type'],
    );
    assert.equal(result.warnings.length, 2);
    // DynamoDB's stream record names are a closed set: another one is an error.
    const ddb = catalogue.render('dynamodb:insert', {}) as { Records: Array<{ eventName: string }> };
    ddb.Records[0].eventName = 'UPSERT';
    const closed = catalogue.validate(ddb, 'dynamodb:insert');
    assert.deepEqual(
      closed.errors.map((e) => `${e.path} ${e.keyword}`),
      ['$.Records[0].eventName enum'],
    );
    assert.deepEqual(closed.warnings, []);
  });

  it("the editor's event-file diagnostics make an open-ended value a warning and a shape error an error", () => {
    const event: Record<string, unknown> = { $eventType: 'connect:contact-flow-event', ...olderConnectEvent() };
    (event.Details as { Parameters: unknown }).Parameters = 7;
    const text = JSON.stringify(event, null, 2);
    const d = eventFileDiagnostics(TextDocument.create('file:///ws/e.json', 'json', 1, text), catalogue);
    assert.deepEqual(
      d.map((x) => [x.severity, x.message.split(':')[0], x.range.start.line]),
      [
        [
          DiagnosticSeverity.Error,
          '$.Details.Parameters',
          text.split('\n').findIndex((l) => l.includes('"Parameters"')),
        ],
        [DiagnosticSeverity.Warning, '$.Name', 2],
        [
          DiagnosticSeverity.Warning,
          '$.Details.ContactData.Channel',
          text.split('\n').findIndex((l) => l.includes('"Channel"')),
        ],
      ],
    );
  });

  it('hover on an open-ended field shows its documented values and that others may come', () => {
    const text = JSON.stringify({ $eventType: 'connect:contact-flow-event', ...olderConnectEvent() }, null, 2);
    const hover = eventFileHover(
      TextDocument.create('file:///ws/e.json', 'json', 1, text),
      { line: 2, character: 4 },
      catalogue,
    );
    assert.match(
      (hover?.contents as { value: string }).value,
      /^\*\*Name\*\*: `"ContactFlowEvent" \| string` \(required\)/,
    );
  });

  it('lambda-trigger validate exits 0 for a payload with only open-ended warnings and prints them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'open-enum-'));
    try {
      fs.writeFileSync(path.join(dir, 'older.json'), JSON.stringify(olderConnectEvent()));
      const io = captureIO(dir);
      assert.equal(await validateCommand.run(['older.json'], io), 0);
      assert.equal(io.out, 'older.json: valid connect:contact-flow-event event, 2 warnings\n');
      assert.match(io.err, /^ {2}warning \$\.Name: is not a value AWS documents \("ContactFlowEvent"\)/m);
      const json = captureIO(dir);
      assert.equal(await validateCommand.run(['older.json', '--json'], json), 0);
      const printed = JSON.parse(json.out) as { valid: boolean; errors: unknown[]; warnings: Array<{ path: string }> };
      assert.deepEqual(
        [printed.valid, printed.errors.length, printed.warnings.map((w) => w.path)],
        [true, 0, ['$.Name', '$.Details.ContactData.Channel']],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('open-ended fields are marked beside a list of documented string values, never instead of one', () => {
    const marked: string[] = [];
    const walk = (node: unknown, at: string, schema: string): void => {
      if (node === null || typeof node !== 'object') return;
      const obj = node as Record<string, unknown>;
      if (OPEN_ENUM in obj) {
        assert.equal(obj[OPEN_ENUM], true, `${schema} ${at}`);
        assert.ok(Array.isArray(obj.enum) && obj.enum.length > 0, `${schema} ${at} has an enum`);
        assert.equal(obj.type, 'string', `${schema} ${at} is a string`);
        marked.push(`${schema}${at}`);
      }
      for (const [k, v] of Object.entries(obj)) walk(v, `${at}/${k}`, schema);
    };
    const dir = path.join(TEMPLATES, 'schemas');
    for (const file of fs.readdirSync(dir).sort()) {
      walk(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), '', file.replace('.schema.json', ''));
    }
    assert.deepEqual(
      marked.filter((m) => !m.startsWith('cognito-')),
      [
        'connect-contact-flow/properties/Name',
        'connect-contact-flow/properties/Details/properties/ContactData/properties/Channel',
        'eventbridge-s3/properties/detail-type',
        'lex-v2/properties/inputMode',
      ],
    );
    // Every Cognito user pool trigger's triggerSource.
    assert.equal(marked.filter((m) => m.endsWith('/properties/triggerSource')).length, 11);
  });
});
