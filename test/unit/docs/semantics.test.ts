/**
 * docs/semantics.md explains every Lambda behaviour rule that the code and the tests name by id. These checks keep it
 * from rotting: each id named in src/ or test/ has a `### <ID>: <title>` entry, each test title the page quotes still
 * exists in the test file it is attributed to, and each relative link points at a file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const DOC = path.join(ROOT, 'docs', 'semantics.md');
/** A rule id: one of the rule families, a dash and a number. */
const RULE_ID = /\b(?:SYNC|ASYNC|SQS|STREAM|KAFKA|MQ|FILTER|NODE|PY|RUNTIME|HTTP|SDK|WS|DURABLE)-[0-9]+\b/g;
/** An entry heading: `### SQS-4: Partial batch responses`. */
const ENTRY = /^### ([A-Z]+-[0-9]+):/gm;
/** A quoted test: "- `<it title>` in [`test/…`](../test/…)", the title a code span of any number of backticks. */
const CITATION = /^\s*- (`+)(.+?)\1 in \[[^\]]*\]\(([^)\s]+)\)/;
/** An inline link's target. */
const LINK = /\]\(([^)\s]+)\)/g;

const doc = fs.readFileSync(DOC, 'utf8');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(file) : entry.isFile() ? [file] : [];
  });
}

const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');

/** Every rule id named in a text file under src/ or test/, with the first place that names it. */
function namedRuleIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const file of [...filesUnder(path.join(ROOT, 'src')), ...filesUnder(path.join(ROOT, 'test'))]) {
    const bytes = fs.readFileSync(file);
    if (bytes.includes(0)) continue; // binary
    const lines = bytes.toString('utf8').split('\n');
    lines.forEach((line, i) => {
      for (const [id] of line.matchAll(RULE_ID)) if (!ids.has(id)) ids.set(id, `${rel(file)}:${i + 1}`);
    });
  }
  return ids;
}

/** The `it(...)` titles of a test file: literals as their value, templates as written (with their `${...}`). */
const titlesByFile = new Map<string, Set<string>>();
function itTitles(file: string): Set<string> {
  let titles = titlesByFile.get(file);
  if (titles) return titles;
  titles = new Set<string>();
  const found = titles;
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const isIt = (callee: ts.Expression): boolean =>
    ts.isIdentifier(callee)
      ? callee.text === 'it'
      : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'it';
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isIt(node.expression) && node.arguments.length > 0) {
      const title = node.arguments[0];
      if (ts.isStringLiteralLike(title)) found.add(title.text);
      else if (ts.isTemplateExpression(title)) found.add(title.getText(source).slice(1, -1));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  titlesByFile.set(file, titles);
  return titles;
}

interface Citation {
  title: string;
  /** The test file, relative to the repository. */
  file: string;
  line: number;
}

/** The test titles the page quotes, with the file each is attributed to. */
function citations(): Citation[] {
  const found: Citation[] = [];
  doc.split('\n').forEach((text, i) => {
    const m = CITATION.exec(text);
    if (!m || !m[3].startsWith('../test/')) return;
    let title = m[2];
    // CommonMark: one space is stripped from each side of a code span that has both (and is not all spaces).
    if (title.length > 2 && title.startsWith(' ') && title.endsWith(' ') && title.trim() !== '')
      title = title.slice(1, -1);
    found.push({ title, file: rel(path.resolve(path.dirname(DOC), m[3])), line: i + 1 });
  });
  return found;
}

describe('docs/semantics.md', () => {
  it('has an entry for every rule id named in src/ and test/', () => {
    const entries = new Set([...doc.matchAll(ENTRY)].map((m) => m[1]));
    const named = namedRuleIds();
    assert.ok(named.size > 0, 'no rule id found in src/ or test/: is RULE_ID still right?');
    const missing = [...named].filter(([id]) => !entries.has(id)).map(([id, where]) => `${id} (named at ${where})`);
    assert.deepEqual(
      missing,
      [],
      `rule ids without a "### <ID>: <title>" entry in docs/semantics.md:\n  ${missing.join('\n  ')}`,
    );
  });

  it('quotes only test titles that still exist in the test file it names', () => {
    const quoted = citations();
    assert.ok(
      quoted.length > 0,
      'no quoted test title found: has the "- `<title>` in [file](../test/…)" form changed?',
    );
    const stale = quoted
      .filter((c) => !fs.existsSync(path.join(ROOT, c.file)) || !itTitles(path.join(ROOT, c.file)).has(c.title))
      .map((c) => `docs/semantics.md:${c.line}: "${c.title}" is not an it() title of ${c.file}`);
    assert.deepEqual(stale, [], `quoted test titles that no longer exist:\n  ${stale.join('\n  ')}`);
  });

  it('links only to files that exist', () => {
    const broken = [...doc.matchAll(LINK)]
      .map((m) => m[1])
      .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
      .filter((target) => !fs.existsSync(path.resolve(path.dirname(DOC), target.split('#')[0])));
    assert.deepEqual(broken, [], `links in docs/semantics.md to nothing:\n  ${broken.join('\n  ')}`);
  });
});
