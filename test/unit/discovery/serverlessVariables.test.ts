import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FunctionConfig } from '../../../src/core/discovery/functionConfig';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';

describe('discovery: serverless.yml variables', () => {
  let dir: string;
  const write = (file: string, lines: string[]) => fs.writeFileSync(path.join(dir, file), lines.join('\n') + '\n');
  const index = async (env: Record<string, string> = {}) => {
    const built = new WorkspaceIndex({ root: dir, env });
    await built.build();
    return built;
  };
  const fnOf = (built: WorkspaceIndex, name: string): FunctionConfig => {
    const fn = built.functions().find((f) => f.name === name);
    assert.ok(fn, `function ${name}`);
    return fn;
  };
  const problems = (built: WorkspaceIndex) =>
    built
      .problems()
      .filter((p) => p.code === 'unresolved-variable')
      .map((p) => `${path.relative(dir, p.file)}:${p.line} ${p.severity} ${p.message}`);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sls-vars-'));
    fs.writeFileSync(path.join(dir, 'handler.js'), 'exports.run = async (event) => event;\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an unresolved ${self:custom...} timeout keeps the default only with a diagnostic at its line, and its origin names the expression', async () => {
    write('serverless.yml', [
      'service: shop',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      'custom:',
      '  memory: 512',
      'functions:',
      '  run:',
      '    handler: handler.run',
      '    timeout: ${self:custom.t}',
      '    memorySize: ${self:custom.memory}',
    ]);
    const built = await index();
    const fn = fnOf(built, 'run');
    assert.equal(fn.timeout, 6);
    assert.equal(fn.memorySize, 512);
    assert.deepEqual(fn.origins.timeout, {
      file: path.join(dir, 'serverless.yml'),
      line: 10,
      source: 'serverless',
      unresolved: '${self:custom.t}',
    });
    assert.deepEqual(problems(built), [
      'serverless.yml:10 warning ${self:custom.t} cannot be resolved locally: serverless.yml has no custom.t; the timeout keeps the Serverless Framework default of 6 s',
    ]);
  });

  it('${ssm:}, ${cf:}, ${s3:}, ${aws:}, ${sls:}, ${file(code)} and an unset ${env:} are reported at their lines and never become literal values', async () => {
    write('serverless.yml', [
      'service: shop',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      '  environment:',
      '    SECRET: ${ssm:/shop/secret}',
      '    OUTPUT: ${cf:other-stack.TableName}',
      '    OBJECT: ${s3:bucket/key}',
      '    ACCOUNT: ${aws:accountId}',
      '    INSTANCE: ${sls:instanceId}',
      '    FROM_CODE: ${file(./config.js):value}',
      '    TOKEN: ${env:SHOP_TOKEN}',
      '    URL: https://${env:SHOP_HOST}/api',
      '    SSM_WITH_FALLBACK: ${ssm:/shop/flag, "off"}',
      'functions:',
      '  run:',
      '    handler: handler.run',
    ]);
    const built = await index();
    const fn = fnOf(built, 'run');
    assert.deepEqual(fn.environment, { ACCOUNT: '123456789012', SSM_WITH_FALLBACK: 'off' });
    assert.deepEqual(fn.origins['environment.SECRET'], {
      file: path.join(dir, 'serverless.yml'),
      line: 6,
      source: 'serverless',
      unresolved: '${ssm:/shop/secret}',
    });
    const unset = '(a .env file can set it)';
    assert.deepEqual(problems(built), [
      `serverless.yml:6 warning \${ssm:/shop/secret} cannot be resolved locally: SSM Parameter Store values cannot be read locally; SECRET is left unset ${unset}`,
      `serverless.yml:7 warning \${cf:other-stack.TableName} cannot be resolved locally: a deployed CloudFormation stack's outputs cannot be read locally; OUTPUT is left unset ${unset}`,
      `serverless.yml:8 warning \${s3:bucket/key} cannot be resolved locally: S3 objects cannot be read locally; OBJECT is left unset ${unset}`,
      `serverless.yml:10 warning \${sls:instanceId} cannot be resolved locally: the instance id exists only when the framework runs; INSTANCE is left unset ${unset}`,
      `serverless.yml:11 warning \${file(./config.js):value} cannot be resolved locally: ./config.js is a script, which discovery does not run; FROM_CODE is left unset ${unset}`,
      `serverless.yml:12 warning \${env:SHOP_TOKEN} cannot be resolved locally: the environment variable SHOP_TOKEN is not set; TOKEN is left unset ${unset}`,
      `serverless.yml:13 warning \${env:SHOP_HOST} cannot be resolved locally: the environment variable SHOP_HOST is not set; URL is left unset ${unset}`,
      'serverless.yml:14 info ${ssm:/shop/flag, "off"}: SSM Parameter Store values cannot be read locally; the fallback off applies',
    ]);
    // With the variables set, the same file resolves them.
    const withEnv = fnOf(await index({ SHOP_TOKEN: 't0k', SHOP_HOST: 'shop.test' }), 'run');
    assert.equal(withEnv.environment.TOKEN, 't0k');
    assert.equal(withEnv.environment.URL, 'https://shop.test/api');
  });

  it('${file()} of a text file is its text, as the framework reads it; an address into it, or a missing file, is said', async () => {
    write('subject.txt', ['Welcome to the shop']);
    write('serverless.yml', [
      'service: shop',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      '  environment:',
      '    SUBJECT: ${file(./subject.txt)}',
      '    PART: ${file(./subject.txt):title}',
      '    GONE: ${file(./nowhere.html)}',
      'functions:',
      '  run:',
      '    handler: handler.run',
    ]);
    const built = await index();
    assert.equal(fnOf(built, 'run').environment.SUBJECT, 'Welcome to the shop\n');
    const unset = '(a .env file can set it)';
    assert.deepEqual(problems(built), [
      `serverless.yml:7 warning \${file(./subject.txt):title} cannot be resolved locally: ./subject.txt is read as text, which has no title (only JSON and YAML do); PART is left unset ${unset}`,
      `serverless.yml:8 warning \${file(./nowhere.html)} cannot be resolved locally: ./nowhere.html does not exist in the workspace; GONE is left unset ${unset}`,
    ]);
  });

  it("the resources the framework adds are known: a function's <Name>LambdaFunction is the local function, HttpApi and ApiGatewayRestApi exist", async () => {
    write('serverless.yml', [
      'service: shop',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      'functions:',
      '  register:',
      '    handler: handler.register',
      '    events:',
      '      - httpApi: POST /register',
      '    environment:',
      '      WORKFLOW_ARN: !GetAtt RegisterDashworkflowLambdaFunction.Arn',
      '      WORKFLOW_NAME: !Ref RegisterDashworkflowLambdaFunction',
      '      SEND_ARN: !GetAtt Send_emailLambdaFunction.Arn',
      '      API: !Sub "https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com"',
      '  register-workflow:',
      '    handler: handler.workflow',
      '  send_email:',
      '    handler: handler.send',
    ]);
    const built = await index();
    const env = fnOf(built, 'register').environment;
    assert.equal(env.WORKFLOW_ARN, 'arn:aws:lambda:us-east-1:123456789012:function:register-workflow');
    assert.equal(env.WORKFLOW_NAME, 'register-workflow');
    assert.notEqual(
      env.SEND_ARN,
      'arn:aws:lambda:us-east-1:123456789012:function:send_email',
      'the framework writes _ as Underscore: Send_email is not a resource',
    );
    assert.equal(env.API, 'https://HttpApi.execute-api.us-east-1.amazonaws.com');
    assert.deepEqual(
      problems(built).filter((p) => !p.includes('Send_email')),
      [],
      "no warning about the framework's own resources",
    );
  });

  it("${env:} and ${self:} resolve, nested ${self:custom.${sls:stage}...} and ${opt:stage, 'dev'} fallbacks included; ${param:} and resource names too, CloudFormation's ${AWS::...} left to it", async () => {
    write('serverless.yml', [
      'service: shop',
      'params:',
      '  default:',
      '    domain: shop.example',
      '  prod:',
      '    domain: shop.com',
      'custom:',
      '  stage: ${opt:stage, self:provider.stage, "dev"}',
      '  tables:',
      '    dev: stock-dev',
      '    prod: stock',
      '  timeouts: { dev: 12 }',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      "  stage: ${opt:stage, 'dev'}",
      '  environment:',
      '    TABLE: ${self:custom.tables.${self:custom.stage}}',
      '    DOMAIN: ${param:domain}',
      '    REGION: ${opt:region, env:AWS_REGION, "eu-west-1"}',
      'functions:',
      '  run:',
      '    handler: handler.run',
      '    timeout: ${self:custom.timeouts.${sls:stage}}',
      '    events:',
      '      - sqs:',
      '          arn: !GetAtt Jobs.Arn',
      '          batchSize: ${self:custom.batch, 4}',
      'resources:',
      '  Resources:',
      '    Jobs:',
      '      Type: AWS::SQS::Queue',
      '      Properties:',
      '        QueueName: ${self:service}-${sls:stage}-jobs',
      "        Tags: [{ Key: owner, Value: !Sub 'arn:aws:iam::${AWS::AccountId}:root' }]",
    ]);
    const built = await index({ AWS_REGION: 'ap-south-1' });
    const fn = fnOf(built, 'run');
    assert.deepEqual(fn.environment, { TABLE: 'stock-dev', DOMAIN: 'shop.example', REGION: 'ap-south-1' });
    assert.equal(fn.timeout, 12);
    const sqs = fn.triggers[0];
    assert.ok(sqs.kind === 'sqs');
    assert.equal(sqs.batchSize, 4);
    assert.equal(sqs.queue.name, 'shop-dev-jobs');
    assert.deepEqual(problems(built), []);
  });

  it('${file(./config.json):key} reads the workspace file (also through a ${self:} path into one), and a change to that file re-reads serverless.yml', async () => {
    write('config.json', ['{ "limits": { "timeout": 25 }, "table": "orders" }']);
    write('dev.env.json', ['{ "API_URL": "https://api.test" }']);
    write('serverless.yml', [
      'service: shop',
      'custom:',
      '  env: ${file(./${sls:stage}.env.json)}',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      'functions:',
      '  run:',
      '    handler: handler.run',
      '    timeout: ${file(./config.json):limits.timeout}',
      '    environment:',
      '      TABLE: ${file(./config.json):table}',
      '      MISSING: ${file(./absent.yml):x}',
      '      API_URL: ${self:custom.env.API_URL}',
    ]);
    const built = await index();
    assert.equal(fnOf(built, 'run').timeout, 25);
    assert.deepEqual(fnOf(built, 'run').environment, { TABLE: 'orders', API_URL: 'https://api.test' });
    assert.deepEqual(problems(built), [
      'serverless.yml:13 warning ${file(./absent.yml):x} cannot be resolved locally: ./absent.yml does not exist in the workspace; MISSING is left unset (a .env file can set it)',
    ]);
    write('config.json', ['{ "limits": { "timeout": 40 }, "table": "orders" }']);
    built.update(path.join(dir, 'config.json'));
    assert.equal(fnOf(built, 'run').timeout, 40);
    write('absent.yml', ['x: now-here']);
    built.update(path.join(dir, 'absent.yml'));
    assert.equal(fnOf(built, 'run').environment.MISSING, 'now-here');
    assert.deepEqual(problems(built), []);
  });
});
