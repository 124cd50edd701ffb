import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { loadCatalogue } from '../../../src/core/events/eventCatalogue';
import {
  eventFileCodeActions,
  eventFileCompletion,
  eventFileDiagnostics,
  eventFileHover,
} from '../../../src/server/eventFiles/eventFileFeatures';
import { resolveEventFileType } from '../../../src/core/events/eventFileType';

const catalogue = loadCatalogue(resolve(__dirname, '../../../event-templates'));
const doc = (text: string, uri = 'file:///ws/lambda-events/Fn/e.json') => TextDocument.create(uri, 'json', 1, text);

const SCHEDULED = `{
  "$eventType": "cloudwatch:scheduled-event",
  "version": "0",
  "id": "1",
  "detail-type": "Scheduled Event",
  "source": "aws.events",
  "account": 123,
  "time": "2024-01-01T00:00:00Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {}
}`;

describe('language server: event payload files', () => {
  it('takes the type from the marker, the location, or the content', () => {
    assert.deepEqual(resolveEventFileType('file:///w/x.json', { $eventType: 'sns:notification' }, catalogue), {
      typeId: 'sns:notification',
      source: 'marker',
    });
    assert.deepEqual(resolveEventFileType('file:///w/events/sqs/receive-message.json', {}, catalogue), {
      typeId: 'sqs:receive-message',
      source: 'location',
    });
    assert.deepEqual(
      resolveEventFileType('file:///w/e.json', { source: 'aws.events', 'detail-type': 'Scheduled Event' }, catalogue),
      {
        typeId: 'cloudwatch:scheduled-event',
        source: 'content',
      },
    );
    assert.equal(resolveEventFileType('file:///w/package.json', { name: 'x' }, catalogue), undefined);
  });

  it('gives a wrong type the exact range of its value', () => {
    const d = eventFileDiagnostics(doc(SCHEDULED), catalogue);
    assert.deepEqual(
      d.map((x) => [x.range, x.message, x.code]),
      [
        [
          { start: { line: 6, character: 13 }, end: { line: 6, character: 16 } },
          '$.account: must be string (cloudwatch:scheduled-event)',
          'type',
        ],
      ],
    );
  });

  it('puts a missing required field on the key of the object that lacks it', () => {
    const text =
      '{\n  "$eventType": "sns:notification",\n  "Records": [\n    { "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": "a", "Sns": {} }\n  ]\n}';
    const d = eventFileDiagnostics(doc(text), catalogue);
    const first = d[0];
    assert.equal(first.message, "$.Records[0].Sns.Timestamp: missing required property 'Timestamp' (sns:notification)");
    const col = text.split('\n')[3].indexOf('"Sns"');
    assert.equal(col, 84);
    assert.deepEqual(first.range, { start: { line: 3, character: 84 }, end: { line: 3, character: 89 } });
  });

  it('reports JSON syntax errors and unknown markers', () => {
    assert.deepEqual(
      eventFileDiagnostics(doc('{"a": 1,,}'), catalogue).map((x) => [x.range.start, x.message]),
      [[{ line: 0, character: 8 }, 'Invalid JSON: PropertyNameExpected']],
    );
    assert.deepEqual(
      eventFileDiagnostics(doc('{"$eventType": "s3:upload"}'), catalogue).map((x) => [x.range, x.message]),
      [
        [
          { start: { line: 0, character: 15 }, end: { line: 0, character: 26 } },
          "Unknown event type 's3:upload' (run `lambda-trigger events` for the ids)",
        ],
      ],
    );
  });

  it('completes field names (required first, present ones left out) and enum values', () => {
    const text = '{\n  "$eventType": "cloudwatch:scheduled-event",\n  "version": "0",\n  ""\n}';
    const names = eventFileCompletion(doc(text), { line: 3, character: 3 }, catalogue).map((c) => [
      c.label,
      c.sortText,
    ]);
    assert.ok(names.some(([l]) => l === 'detail-type'));
    assert.ok(!names.some(([l]) => l === 'version'));
    assert.deepEqual(
      names.find(([l]) => l === 'source'),
      ['source', '0source'],
    );
    const values = eventFileCompletion(
      doc('{"$eventType": "cloudwatch:alarm-state-change", "alarmData": {"state": {"value": ""}}}'),
      { line: 0, character: 82 },
      catalogue,
    ).map((c) => c.label);
    assert.deepEqual(values, ['"OK"', '"ALARM"', '"INSUFFICIENT_DATA"']);
  });

  it('completes event type ids in the marker', () => {
    const items = eventFileCompletion(doc('{"$eventType": ""}'), { line: 0, character: 16 }, catalogue);
    assert.equal(items.length, catalogue.ids().length);
    assert.ok(items.some((i) => i.label === '"s3:put"'));
  });

  it('hovers a field with its type, requiredness and description', () => {
    const text = '{\n  "$eventType": "s3:put",\n  "Records": []\n}';
    const hover = eventFileHover(doc(text), { line: 2, character: 5 }, catalogue)!;
    assert.deepEqual(hover.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 11 } });
    assert.equal(
      (hover.contents as { value: string }).value,
      '**Records**: `array` (required)\n\n_S3 object created (Put)_ (`s3:put`)',
    );
    const marker = eventFileHover(doc(text), { line: 1, character: 5 }, catalogue)!;
    assert.match(
      (marker.contents as { value: string }).value,
      /^\*\*S3 object created \(Put\)\*\* \(`s3:put`, async\)/,
    );
  });

  it('offers a quick fix that inserts a missing required field', () => {
    const text = '{\n  "$eventType": "secretsmanager:rotation",\n  "Step": "createSecret",\n  "SecretId": "arn"\n}';
    const d = doc(text);
    const diagnostics = eventFileDiagnostics(d, catalogue);
    assert.deepEqual(
      diagnostics.map((x) => x.message),
      ["$.ClientRequestToken: missing required property 'ClientRequestToken' (secretsmanager:rotation)"],
    );
    const [action] = eventFileCodeActions(d, diagnostics, catalogue);
    assert.equal(action.title, "Add missing required field 'ClientRequestToken'");
    const edits = action.edit!.changes![d.uri];
    const fixed = TextDocument.applyEdits(d, edits);
    assert.deepEqual(JSON.parse(fixed), {
      $eventType: 'secretsmanager:rotation',
      Step: 'createSecret',
      SecretId: 'arn',
      ClientRequestToken: '',
    });
    assert.deepEqual(eventFileDiagnostics(doc(fixed), catalogue), []);
  });

  it('adds all missing fields at once when several are missing', () => {
    const d = doc('{\n  "$eventType": "secretsmanager:rotation"\n}');
    const actions = eventFileCodeActions(d, eventFileDiagnostics(d, catalogue), catalogue);
    assert.equal(actions[actions.length - 1].title, 'Add all 3 missing required fields');
    const fixed = TextDocument.applyEdits(d, actions[actions.length - 1].edit!.changes![d.uri]);
    assert.deepEqual(JSON.parse(fixed), {
      $eventType: 'secretsmanager:rotation',
      Step: 'createSecret',
      SecretId: '',
      ClientRequestToken: '',
    });
  });
});
