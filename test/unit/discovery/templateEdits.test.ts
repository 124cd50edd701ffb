import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTemplateDocument, type TemplateDocument } from '../../../src/core/discovery/templateDocument';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';

const RESOURCES = 20;

function functionResource(i: number): string {
  return `  # function ${i}
  Function${i}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: fn${i % 5}.handler
      Timeout: ${3 + i}
      Description: "function number ${i}: it says \\"hi\\""
      Environment:
        Variables:
          QUEUE_URL: !Ref Queue${i}
          STAGE: !Sub "\${Stage}-${i}"
          MODE: !If [IsProd, fast, slow]
      Layers: [!Ref Layer]
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue${i}.Arn
            BatchSize: ${1 + (i % 10)}
        Api:
          Type: Api
          Properties:
            Path: /items/${i}/*
            Method: get

  Queue${i}:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: ${30 + i}
      Tags:
        - Key: note
          Value: |
            line one of ${i}
            line two
`;
}

function template(): string {
  const resources = Array.from({ length: RESOURCES }, (_, i) => functionResource(i)).join('');
  return `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: nodejs20.x
    MemorySize: 256
Resources:
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
${resources}Outputs:
  FirstQueue:
    Value: !GetAtt Queue0.Arn
`;
}

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One edit of the kinds a person makes while typing, some of which a chunk cannot take (the full parse must). */
function edit(text: string, rnd: () => number): string {
  const lines = text.split('\n');
  const pick = (re: RegExp): number[] => lines.flatMap((l, i) => (re.test(l) ? [i] : []));
  const any = <T>(xs: T[]): T | undefined => xs[Math.floor(rnd() * xs.length)];
  const at = (re: RegExp) => any(pick(re));
  let i: number | undefined;
  // A broken line or an anchor (the edits a chunk cannot take) is mostly mended by the next edit, as when typing.
  const mend = at(/BatchSize: \[$|Description: &d/);
  if (mend !== undefined && rnd() < 0.8) {
    lines[mend] = lines[mend].includes('BatchSize') ? '            BatchSize: 3' : '      Description: mended';
    return lines.join('\n');
  }
  const kind = Math.floor(rnd() * 12);
  switch (kind) {
    case 0:
    case 1:
      i = at(/^ {6}Timeout: /);
      if (i !== undefined) lines[i] = `      Timeout: ${1 + Math.floor(rnd() * 900)}`;
      break;
    case 2:
      i = at(/^ {10}STAGE: /);
      if (i !== undefined) lines.splice(i + 1, 0, `          EXTRA_${Math.floor(rnd() * 1000)}: "x y"`);
      break;
    case 3:
      i = at(/^ {10}EXTRA_/);
      if (i !== undefined) lines.splice(i, 1);
      break;
    case 4:
      i = at(/^ {2}Function\d+:$/);
      // A new name of its own (a name another resource has is a duplicate key: an error until it is renamed).
      if (i !== undefined) lines[i] = lines[i].replace(/:$/, `R${Math.floor(rnd() * 1e6)}:`);
      break;
    case 5:
      i = at(/^ {12}BatchSize: /);
      if (i !== undefined) lines[i] = rnd() < 0.5 ? '            BatchSize: [' : '            BatchSize: 7';
      break;
    case 6:
      i = at(/^ {4}Runtime: /);
      if (i !== undefined) lines[i] = `    Runtime: ${rnd() < 0.5 ? 'nodejs22.x' : 'python3.12'}`;
      break;
    case 7:
      i = at(/^ {4}Value: /);
      if (i !== undefined) lines[i] = `    Value: !GetAtt Queue${Math.floor(rnd() * RESOURCES)}.Arn`;
      break;
    case 8:
      i = at(/^ {2}Queue\d+:$/);
      if (i !== undefined) lines.splice(i, 0, `  Extra${Math.floor(rnd() * 1e6)}:`, '    Type: AWS::SQS::Queue');
      break;
    case 9:
      i = at(/^ {6}Description: /);
      if (i !== undefined)
        lines[i] = rnd() < 0.3 ? '      Description: &d shared' : `      Description: edited ${rnd()}`;
      break;
    case 10:
      i = at(/^ {12}line two$/);
      if (i !== undefined) lines.splice(i, 0, '            another line');
      break;
    default:
      i = at(/^ {6}Handler: /);
      if (i !== undefined) lines[i] = `      Handler: fn${Math.floor(rnd() * 7)}.handler`;
  }
  return lines.join('\n');
}

/** Every container and key of a document's value with the line lineOf gives it, for comparing two documents. */
function linesOf(doc: TemplateDocument): unknown[] {
  const out: unknown[] = [];
  const walk = (value: unknown, at: string, depth: number): void => {
    if (value === null || typeof value !== 'object' || depth > 50) return;
    out.push([at, doc.lineOf(value)]);
    for (const [k, v] of Object.entries(value)) {
      const key = Array.isArray(value) ? Number(k) : k;
      out.push([`${at}/${k}`, doc.lineOf(value, key)]);
      walk(v, `${at}/${k}`, depth + 1);
    }
  };
  walk(doc.value, '', 0);
  return out;
}

describe('discovery: editing a large template re-reads only the resource that changed', function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-template-edits-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.mkdirSync(path.join(root, 'layer'));
    for (let i = 0; i < 5; i++)
      fs.writeFileSync(path.join(root, 'src', `fn${i}.js`), 'exports.handler = async () => 1;\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('after each of 200 edits, the document is the one a full parse gives: values, lines and problems', () => {
    const file = path.join(root, 'template.yaml');
    const rnd = random(15);
    let text = template();
    let doc = parseTemplateDocument(file, text);
    let reused = 0;
    for (let n = 0; n < 200; n++) {
      text = edit(text, rnd);
      const next = parseTemplateDocument(file, text, doc);
      const full = parseTemplateDocument(file, text);
      const context = `after edit ${n + 1}`;
      assert.deepEqual(next.value, full.value, context);
      assert.deepEqual(next.problems, full.problems, context);
      assert.deepEqual(linesOf(next), linesOf(full), context);
      const before = (doc.value as { Resources?: Record<string, unknown> } | undefined)?.Resources;
      const after = (next.value as { Resources?: Record<string, unknown> } | undefined)?.Resources;
      if (before && after && Object.keys(after).some((k) => after[k] === before[k])) reused++;
      doc = next;
    }
    // Most edits are inside one resource: those took the others over instead of parsing them again.
    assert.ok(reused > 100, `only ${reused} of 200 edits reused the unchanged resources`);
  });

  it('after each of 100 edits in the editor, the index lists what a full re-read of the file lists', async () => {
    const file = path.join(root, 'template.yaml');
    fs.writeFileSync(file, template());
    const edited = new WorkspaceIndex({ root });
    const reread = new WorkspaceIndex({ root });
    await Promise.all([edited.build(), reread.build()]);
    const rnd = random(7);
    let text = template();
    for (let n = 0; n < 100; n++) {
      text = edit(text, rnd);
      edited.update(file, text);
      // The same file read afresh: no earlier document to start from.
      reread.remove(file);
      reread.update(file, text);
      assert.deepEqual(edited.result(), reread.result(), `after edit ${n + 1}`);
    }
  });
});
