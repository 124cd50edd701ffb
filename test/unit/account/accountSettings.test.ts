import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  accountSettingsOf,
  DEFAULT_ACCOUNT_SETTINGS,
  readWorkspaceSettings,
  settingValue,
} from '../../../src/core/account/accountSettings';
import { DEFAULT_LOCATION, locationProblem } from '../../../src/core/awsLocation';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: {
    configuration: { properties: Record<string, { default?: unknown; type?: unknown; pattern?: string }> };
  };
};

describe('account settings: one location and one reading of the settings for both fronts', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-settings-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const writeSettings = (text: string): void => {
    fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), text);
  };

  it('a folder without .vscode/settings.json gets the defaults', () => {
    assert.deepEqual(readWorkspaceSettings(dir), { settings: DEFAULT_ACCOUNT_SETTINGS, problems: [] });
  });

  it('reads region, account, time scale, log format, interpreter and excludes from JSON with comments', () => {
    writeSettings(`{
      // the local account
      "lambdaTrigger.region": "eu-west-2",
      "lambdaTrigger.accountId": "210987654321",
      "lambdaTrigger.timeScale": 60,
      "lambdaTrigger.logFormat": "JSON",
      "lambdaTrigger.python.interpreter": " /opt/py/bin/python ",
      "lambdaTrigger.discovery.exclude": ["fixtures/**"],
      "lambdaTrigger.pricing": { "arm64": { "gbSecond": 0.00001 } },
      "lambdaTrigger.followDeliveries": 3,
      "lambdaTrigger.awsCredentials": "profile:dev",
      "lambdaTrigger.awsEndpoint.port": 4566,
      "lambdaTrigger.localApi.port": 3000,
      "editor.tabSize": 2,
    }`);
    const { settings, problems } = readWorkspaceSettings(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      location: { region: 'eu-west-2', accountId: '210987654321' },
      timeScale: 60,
      logFormat: 'JSON',
      pythonInterpreter: '/opt/py/bin/python',
      excludeGlobs: ['fixtures/**'],
      pricing: { arm64: { gbSecond: 0.00001 } },
      followDeliveries: 3,
      awsCredentials: { kind: 'profile', profile: 'dev' },
      awsEndpointPort: 4566,
      localApiPort: 3000,
    });
  });

  it('the credentials handlers get: none by default; a wrong value or port is reported and the default applies', () => {
    writeSettings(
      `{ "lambdaTrigger.awsCredentials": "everything", "lambdaTrigger.awsEndpoint.port": 70000, "lambdaTrigger.localApi.port": "80" }`,
    );
    const { settings, problems } = readWorkspaceSettings(dir);
    assert.deepEqual(settings.awsCredentials, { kind: 'none' });
    assert.equal(settings.awsEndpointPort, 0);
    assert.equal(settings.localApiPort, 0);
    assert.deepEqual(
      problems.map((p) => p.setting),
      ['lambdaTrigger.awsCredentials', 'lambdaTrigger.awsEndpoint.port', 'lambdaTrigger.localApi.port'],
    );
    writeSettings(`{ "lambdaTrigger.awsCredentials": "environment" }`);
    assert.deepEqual(readWorkspaceSettings(dir).settings.awsCredentials, { kind: 'environment' });
  });

  it('the follow horizon: 5 by default, as package.json says; a wrong value is reported and the default applies', () => {
    const contribution = manifest.contributes.configuration.properties['lambdaTrigger.followDeliveries'] as {
      default?: unknown;
      minimum?: unknown;
      maximum?: unknown;
    };
    assert.equal(contribution.default, DEFAULT_ACCOUNT_SETTINGS.followDeliveries);
    assert.equal(DEFAULT_ACCOUNT_SETTINGS.followDeliveries, 5);
    assert.deepEqual([contribution.minimum, contribution.maximum], [1, 10_000]);
    for (const wrong of [0, 2.5, 'many', 10_001]) {
      const { settings, problems } = accountSettingsOf((k) => (k === 'followDeliveries' ? wrong : undefined));
      assert.equal(settings.followDeliveries, 5);
      assert.deepEqual(
        problems.map((p) => p.setting),
        ['lambdaTrigger.followDeliveries'],
      );
      assert.match(problems[0].message, /must be a whole number from 1 to 10000/);
    }
  });

  it('"instant" is an infinite time scale', () => {
    assert.equal(accountSettingsOf((k) => (k === 'timeScale' ? 'instant' : undefined)).settings.timeScale, Infinity);
  });

  it('a wrong value falls back to its default and is reported with the setting it came from', () => {
    const values: Record<string, unknown> = { timeScale: -3, region: 'Mars', accountId: '42', logFormat: 'XML' };
    const { settings, problems } = accountSettingsOf((k) => values[k]);
    assert.deepEqual(settings.location, DEFAULT_LOCATION);
    assert.equal(settings.timeScale, Infinity);
    assert.equal(settings.logFormat, 'Text');
    assert.deepEqual(
      problems.map((p) => p.setting),
      ['lambdaTrigger.timeScale', 'lambdaTrigger.region', 'lambdaTrigger.logFormat'],
    );
    assert.match(problems[1].message, /"Mars" is not an AWS Region code/);
  });

  it('reads the time scale in every form it has had: empty (null) or "instant" for instant, numbers, numeric text', () => {
    const read = (value: unknown) => accountSettingsOf((k) => (k === 'timeScale' ? value : undefined));
    for (const [value, scale] of [
      [null, Infinity],
      [undefined, Infinity],
      ['instant', Infinity],
      [60, 60],
      [0.5, 0.5],
      ['60', 60],
      ['.25', 0.25],
    ] as const) {
      assert.deepEqual(
        read(value),
        { settings: { ...DEFAULT_ACCOUNT_SETTINGS, timeScale: scale }, problems: [] },
        `${value}`,
      );
    }
    for (const wrong of [0, -1, 'fast', '', true, Infinity * -1]) {
      const { settings, problems } = read(wrong);
      assert.equal(settings.timeScale, Infinity, `${String(wrong)}: the default`);
      assert.match(problems[0]?.message ?? '', /must be a positive number, or empty for instant/);
    }
  });

  it('the region pattern the Settings UI checks is the one the runner applies', () => {
    const pattern = new RegExp(
      manifest.contributes.configuration.properties['lambdaTrigger.region'].pattern ?? '',
      'u',
    );
    for (const region of [
      'us-east-1',
      'eu-west-2',
      'ap-southeast-4',
      'us-gov-west-1',
      'Mars',
      'us-east',
      'EU-WEST-1',
    ]) {
      assert.equal(
        pattern.test(region),
        locationProblem({ region, accountId: DEFAULT_LOCATION.accountId }) === undefined,
        region,
      );
    }
  });

  it('prices: the Settings UI writes one key per price, an older file one object; both read the same', () => {
    writeSettings(`{
      "lambdaTrigger.pricing": { "arm64": { "requestsPerMillion": 0.3 }, "x86_64": { "gbSecond": 0.00001 } },
      "lambdaTrigger.pricing.arm64.gbSecond": 0.00002,
      "lambdaTrigger.pricing.x86_64.requestsPerMillion": null,
    }`);
    const { settings, problems } = readWorkspaceSettings(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.pricing, {
      arm64: { gbSecond: 0.00002, requestsPerMillion: 0.3 },
      x86_64: { gbSecond: 0.00001 },
    });
    // What VS Code's configuration gives for `pricing` when nothing is set: every leaf at its default, null.
    const empty = {
      x86_64: { requestsPerMillion: null, gbSecond: null },
      arm64: { requestsPerMillion: null, gbSecond: null },
    };
    assert.deepEqual(
      accountSettingsOf((k) => (k === 'pricing' ? empty : undefined)),
      {
        settings: DEFAULT_ACCOUNT_SETTINGS,
        problems: [],
      },
    );
  });

  it('settings.json keys are read as VS Code reads them: dotted keys and nested objects alike, in file order', () => {
    const values = {
      'lambdaTrigger.python': { interpreter: '/usr/bin/python3.12' },
      'lambdaTrigger.discovery.exclude': ['a/**'],
      '[python]': { 'lambdaTrigger.region': 'eu-west-1' },
      'lambdaTrigger.pricing.x86_64.gbSecond': 3,
      'lambdaTrigger.pricing': { arm64: { gbSecond: 1 } },
      'lambdaTrigger.pricing.arm64.requestsPerMillion': 2,
      'lambdaTrigger.accountId': '210987654321',
      'lambdaTrigger.accountId.x': 'ignored below a value that is not an object',
    };
    assert.equal(settingValue(values, 'python.interpreter'), '/usr/bin/python3.12');
    assert.deepEqual(settingValue(values, 'discovery.exclude'), ['a/**']);
    assert.equal(settingValue(values, 'region'), undefined, "a language section is not the folder's setting");
    assert.deepEqual(
      settingValue(values, 'pricing'),
      { arm64: { gbSecond: 1, requestsPerMillion: 2 } },
      'the object replaces the x86_64 price above it; the key below it adds to it',
    );
    assert.equal(settingValue(values, 'accountId'), '210987654321');
    assert.deepEqual(values['lambdaTrigger.pricing'], { arm64: { gbSecond: 1 } }, 'the parsed file is not changed');
  });

  it('prices that are not numbers per architecture are reported and left out', () => {
    const values: Record<string, unknown> = {
      pricing: { arm64: { gbSecond: -1, requestsPerMillion: 0.1 }, sparc: {} },
    };
    const { settings, problems } = accountSettingsOf((k) => values[k]);
    assert.deepEqual(settings.pricing, { arm64: { requestsPerMillion: 0.1 } });
    assert.deepEqual(
      problems.map((p) => p.setting),
      ['lambdaTrigger.pricing', 'lambdaTrigger.pricing'],
    );
  });

  it('a settings file that does not parse is reported by path, and the defaults apply', () => {
    writeSettings('{ "lambdaTrigger.region": ');
    const { settings, problems } = readWorkspaceSettings(dir);
    assert.deepEqual(settings, DEFAULT_ACCOUNT_SETTINGS);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].setting, path.join(dir, '.vscode', 'settings.json'));
    assert.match(problems[0].message, /is not a JSON object/);
  });

  it('locationProblem names what is wrong', () => {
    assert.equal(locationProblem(DEFAULT_LOCATION), undefined);
    assert.match(locationProblem({ region: 'ap-southeast-2', accountId: '12' }) ?? '', /account id "12"/);
  });
});
