// Local dev check, not a test (not run by npm test): validates the real event samples of ../shared/oracle-events
// against the catalogue's schemas, and each template's rendering against its own schema.
// Run: npx tsx scripts/oracle-check.mjs [--verbose]   (tsx loads the TypeScript engine directly)
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../src/core/events/eventCatalogue.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const oracleDir = process.env.ORACLE_EVENTS ?? resolve(root, '..', 'shared', 'oracle-events');
const verbose = process.argv.includes('--verbose');
const catalogue = loadCatalogue(join(root, 'event-templates'), { useIndex: false });
const ids = catalogue.ids();
const byPrefix = (p) => ids.filter((id) => id.startsWith(p));

// INDEX.md section title (prefix) -> candidate template ids, and an optional filter on the file's note.
const SECTIONS = [
  ['S3 put', ['s3:put']],
  ['S3 delete', ['s3:delete']],
  ['API Gateway REST proxy', ['apigateway:aws-proxy']],
  ['API Gateway HTTP API', ['apigateway:http-api-proxy']],
  ['ALB target', byPrefix('alb:')],
  ['SQS', byPrefix('sqs:')],
  ['SNS', ['sns:notification']],
  ['EventBridge / CloudWatch Events scheduled', ['cloudwatch:scheduled-event']],
  ['DynamoDB Streams', byPrefix('dynamodb:')],
  ['Kinesis Data Streams', ['kinesis:get-records']],
  ['Kinesis Data Firehose', ['kinesis:kinesis-firehose', 'kinesis:streams-as-source']],
  ['CloudWatch Logs subscription', ['cloudwatch:logs']],
  [
    'Cognito User Pool triggers',
    byPrefix('cognito-idp:'),
    (n) => !/CustomEmailSender|CustomSMSSender|customemailsender|customsmssender|InboundFederation/i.test(n),
  ],
  ['CloudFormation custom resource', byPrefix('cloudformation:')],
  ['SES', ['ses:email-receiving']],
  ['MSK / Kafka', ['kafka:msk']],
  ['Self-managed Kafka', ['kafka:self-managed']],
  ['Amazon MQ ActiveMQ', ['mq:activemq']],
  ['Amazon MQ RabbitMQ', ['mq:rabbitmq']],
  ['Alexa', [...byPrefix('alexa-skills-kit:'), ...byPrefix('alexa-smart-home:')]],
  ['Lex V2', byPrefix('lex-v2:')],
  ['AWS Config rule', byPrefix('config:')],
  ['CodeCommit', ['codecommit:repository']],
  ['CodePipeline job', ['codepipeline:job']],
  ['S3 Batch Operations', byPrefix('s3:batch-invocation')],
  ['Secrets Manager rotation', ['secretsmanager:rotation']],
  ['Amazon Connect contact flow', ['connect:contact-flow-event']],
  ['CloudFront Lambda@Edge', byPrefix('cloudfront:')],
  ['Lambda function URL', ['lambda:function-url']],
  ['AppSync', byPrefix('appsync:'), (n) => !/Events API|batch invoke|Amplify/.test(n)],
  [
    'API Gateway Lambda authorizer',
    ['apigateway:authorizer', 'apigateway:request-authorizer', 'apigateway:http-api-authorizer'],
  ],
  ['API Gateway WebSocket', [...byPrefix('apigateway:websocket-'), 'apigateway:request-authorizer']],
  ['S3 other notifications', ['s3:restore'], (n) => /ObjectRestore/.test(n)],
  ['S3 via EventBridge', byPrefix('s3:eventbridge-'), (n) => /Object Created|Object Deleted/.test(n)],
  ['EventBridge other service events', ['eventbridge:custom-event', 'eventbridge:ec2-instance-state-change']],
  ['CloudWatch alarm', ['cloudwatch:alarm-state-change']],
  ['Cognito Sync trigger', ['cognito:sync-trigger']],
];
const SKIP_NOTE = /RESPONSE|invalid|malformed|fragment|SAM template|single record/;

function parseIndex(text) {
  const sections = [];
  let cur;
  for (const line of text.split('\n')) {
    const h = /^### (.+?) — \d+ file/.exec(line);
    if (h) {
      cur = { title: h[1], files: [] };
      sections.push(cur);
      continue;
    }
    const f = /^- `([^`]+\.json)`(?: — (.*))?$/.exec(line);
    if (f && cur) cur.files.push({ path: f[1], note: f[2] ?? '' });
  }
  return sections;
}

const indexPath = join(oracleDir, 'INDEX.md');
if (!existsSync(indexPath)) {
  console.error(`no oracle at ${indexPath} (set ORACLE_EVENTS)`);
  process.exit(2);
}
const sections = parseIndex(readFileSync(indexPath, 'utf8'));
let checked = 0;
let passed = 0;
let passedWithWarnings = 0;
let misdetected = 0;
const failures = [];
const perType = new Map();
for (const [prefix, candidates, filter] of SECTIONS) {
  const section = sections.find((s) => s.title.startsWith(prefix));
  if (!section) {
    console.error(`section not found: ${prefix}`);
    continue;
  }
  for (const { path, note } of section.files) {
    if (SKIP_NOTE.test(note) || /invalid/i.test(path) || (filter && !filter(note))) continue;
    let payload;
    try {
      payload = JSON.parse(readFileSync(join(oracleDir, path), 'utf8').replace(/^\uFEFF/, ''));
    } catch (e) {
      failures.push({ path, type: '-', why: `unreadable: ${e.message}` });
      checked++;
      continue;
    }
    checked++;
    const guess = catalogue.guessEventType(payload);
    const order = candidates.includes(guess) ? [guess, ...candidates.filter((c) => c !== guess)] : candidates;
    // A type the payload fits with no warning wins over one it fits only with values outside an open-ended list.
    let ok;
    let okWarnings = [];
    let firstErrors;
    for (const id of order) {
      const r = catalogue.validate(payload, id);
      if (r.valid && (ok === undefined || (okWarnings.length > 0 && r.warnings.length === 0))) {
        ok = id;
        okWarnings = r.warnings;
        if (okWarnings.length === 0) break;
      }
      if (!r.valid) firstErrors ??= { id, errors: r.errors };
    }
    const type = ok ?? firstErrors.id;
    const stat = perType.get(type) ?? { checked: 0, passed: 0 };
    stat.checked++;
    if (ok) {
      stat.passed++;
      passed++;
      if (okWarnings.length > 0) {
        passedWithWarnings++;
        if (verbose)
          console.log(`warning: ${path} as ${ok}: ${okWarnings.map((w) => `${w.path} ${w.message}`).join('; ')}`);
      }
      if (guess !== ok) {
        misdetected++;
        if (verbose) console.log(`detect: ${path} guessed ${guess ?? 'nothing'}, is ${ok}`);
      }
    } else {
      failures.push({
        path,
        type,
        why: firstErrors.errors
          .slice(0, 3)
          .map((e) => `${e.path}: ${e.message}`)
          .join('; '),
      });
    }
    perType.set(type, stat);
  }
}

console.log('Oracle samples by type (passed/checked):');
for (const [type, s] of [...perType].sort()) console.log(`  ${type.padEnd(44)} ${s.passed}/${s.checked}`);
console.log(
  `\nOracle: ${passed}/${checked} samples valid (${passedWithWarnings} of them with warnings: a value outside the ` +
    `documented list of an open-ended field); ${misdetected} valid ones guessed as another type.`,
);
for (const f of failures) console.log(`  FAIL ${f.type}: ${f.path}\n       ${f.why}`);

let renderOk = 0;
const renderFail = [];
for (const t of catalogue.list()) {
  try {
    const ev = catalogue.render(t.id, {}, t.batch ? { records: 3 } : {});
    const r = catalogue.validate(ev, t.id);
    const guess = catalogue.guessEventType(ev);
    if (r.valid && guess === t.id) renderOk++;
    else
      renderFail.push(
        `${t.id}: ${r.valid ? `guessed as ${guess}` : r.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      );
  } catch (e) {
    renderFail.push(`${t.id}: ${e.message}`);
  }
}
console.log(
  `\nTemplates: ${renderOk}/${catalogue.list().length} render, validate against their own schema and are detected as themselves.`,
);
for (const f of renderFail) console.log(`  FAIL ${f}`);
