import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SavedEventError } from '../../../src/core/events/eventErrors';
import {
  createSavedEvent,
  deleteSavedEvent,
  listFunctionsWithSavedEvents,
  listSavedEvents,
  readSavedEvent,
  renameSavedEvent,
  saveInvocationEventAs,
  updateSavedEvent,
} from '../../../src/core/events/savedEvents';

describe('saved events (lambda-events/<Function>/<name>.json)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'saved-events-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates a file with the $eventType marker first, and reads the payload back without it', () => {
    const saved = createSavedEvent(root, 'OrdersFn', 'big order', { Records: [] }, 'sqs:receive-message');
    assert.equal(saved.file, join(root, 'lambda-events', 'OrdersFn', 'big order.json'));
    assert.equal(readFileSync(saved.file, 'utf8'), '{\n  "$eventType": "sqs:receive-message",\n  "Records": []\n}\n');
    const back = readSavedEvent(root, 'OrdersFn', 'big order');
    assert.deepEqual(back.payload, { Records: [] });
    assert.equal(back.eventType, 'sqs:receive-message');
    assert.deepEqual(listSavedEvents(root, 'OrdersFn'), ['big order']);
    assert.deepEqual(listFunctionsWithSavedEvents(root), ['OrdersFn']);
  });

  it('never overwrites on create or save-as', () => {
    createSavedEvent(root, 'Fn', 'a', { v: 1 }, 's3:put');
    assert.throws(() => saveInvocationEventAs(root, 'Fn', 'a', { v: 2 }), SavedEventError);
    assert.deepEqual(readSavedEvent(root, 'Fn', 'a').payload, { v: 1 });
  });

  it('edits keep the recorded type', () => {
    createSavedEvent(root, 'Fn', 'a', { v: 1 }, 's3:put');
    updateSavedEvent(root, 'Fn', 'a', { v: 2 });
    assert.deepEqual(readSavedEvent(root, 'Fn', 'a'), {
      functionName: 'Fn',
      name: 'a',
      file: join(root, 'lambda-events', 'Fn', 'a.json'),
      payload: { v: 2 },
      eventType: 's3:put',
    });
  });

  it('renames, refusing a name that is taken (both files stay as they were)', () => {
    createSavedEvent(root, 'Fn', 'a', { v: 1 });
    createSavedEvent(root, 'Fn', 'b', { v: 2 });
    assert.throws(() => renameSavedEvent(root, 'Fn', 'a', 'b'), {
      message: `cannot rename 'a' to 'b': ${join(root, 'lambda-events', 'Fn', 'b.json')} already exists`,
    });
    assert.deepEqual(readSavedEvent(root, 'Fn', 'b').payload, { v: 2 });
    renameSavedEvent(root, 'Fn', 'a', 'c');
    assert.deepEqual(listSavedEvents(root, 'Fn'), ['b', 'c']);
    assert.deepEqual(readSavedEvent(root, 'Fn', 'c').payload, { v: 1 });
  });

  it('deletes, and says so when there is nothing to delete', () => {
    createSavedEvent(root, 'Fn', 'a', {});
    deleteSavedEvent(root, 'Fn', 'a');
    assert.deepEqual(listSavedEvents(root, 'Fn'), []);
    assert.throws(() => deleteSavedEvent(root, 'Fn', 'a'), { message: "no saved event 'a' for Fn" });
  });

  it('rejects names that could escape the folder', () => {
    assert.throws(() => createSavedEvent(root, 'Fn', '../x', {}), /event name "..\/x" is not allowed/);
    assert.throws(() => createSavedEvent(root, 'a/b', 'x', {}), /function name "a\/b" is not allowed/);
  });

  it('a malformed saved event is an error with line and column', () => {
    createSavedEvent(root, 'Fn', 'bad', {});
    const file = join(root, 'lambda-events', 'Fn', 'bad.json');
    writeFileSync(file, '{\n  "a": 1,,\n}');
    assert.throws(() => readSavedEvent(root, 'Fn', 'bad'), {
      name: 'SavedEventError',
      message: `${file}:2:10: not valid JSON: PropertyNameExpected`,
    });
    writeFileSync(file, '{"$eventType": 5}');
    assert.throws(() => readSavedEvent(root, 'Fn', 'bad'), /"\$eventType" must be a string/);
  });
});
