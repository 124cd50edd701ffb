/**
 * Rule ids (SYNC-4, SQS-3 ...) name Lambda behaviours for contributors: code comments, test titles and
 * docs/semantics.md use them. What a user reads never does: the manifest, the walkthrough, the event templates and
 * schemas (pickers, tooltips, hovers), and every string the code can show (messages, help texts, tooltips). Comments
 * are not strings, so they are free to name rules.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { runCli } from '../../../src/cli/main';
import { captureIO } from '../../support/cliIO';

const ROOT = path.resolve(__dirname, '../../..');
const RULE_ID = /\b(SYNC|ASYNC|SQS|STREAM|KAFKA|MQ|FILTER|NODE|PY|RUNTIME|HTTP|SDK|WS|DURABLE)-\d+\b/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.(ts|mts)$/.test(entry.name) ? [file] : [];
  });
}

/** Every string and template literal of a file that names a rule id, with its line. */
function ruleIdsInStrings(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      const m = RULE_ID.exec(node.text);
      if (m) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        found.push(`${path.relative(ROOT, file)}:${line} ${m[0]}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('user-visible text names no rule ids', () => {
  it('no string in src/ (messages, help, tooltips, pickers) names a rule id', () => {
    const found = sourceFiles(path.join(ROOT, 'src')).flatMap(ruleIdsInStrings);
    assert.deepEqual(found, []);
  });

  it('neither the manifest nor the walkthrough does', () => {
    const manifest = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
    assert.doesNotMatch(manifest, RULE_ID);
    const walkthrough = path.join(ROOT, 'media', 'walkthrough');
    for (const file of fs.readdirSync(walkthrough))
      assert.doesNotMatch(fs.readFileSync(path.join(walkthrough, file), 'utf8'), RULE_ID, file);
  });

  it('no event template or schema does: their titles and descriptions show in pickers, tooltips and hovers', () => {
    const dir = path.join(ROOT, 'event-templates');
    const files = fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(dir, f));
    assert.ok(files.length > 100, 'the templates, their schemas and the index');
    const found = files.flatMap((file) => {
      const m = RULE_ID.exec(fs.readFileSync(file, 'utf8'));
      return m ? [`${path.relative(ROOT, file)} ${m[0]}`] : [];
    });
    assert.deepEqual(found, []);
  });

  it('no help text of the command line does', async () => {
    for (const command of ['', 'list', 'invoke', 'queues', 'events', 'render', 'validate']) {
      const io = captureIO(ROOT);
      await runCli(command ? [command, '--help'] : ['--help'], io);
      assert.doesNotMatch(io.out, RULE_ID, `lambda-trigger ${command} --help`);
    }
  });
});
