/**
 * The settings package.json contributes (`lambdaTrigger.*`) are the ones the runner reads, and each one can be edited
 * in the Settings UI: a single simple type (or that type and null), a description, labelled enum values, bounds.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  accountSettingsOf,
  DEFAULT_ACCOUNT_SETTINGS,
  parseTimeScale,
  PRICING_SETTING_KEYS,
  SETTING_KEYS,
} from '../../../src/core/account/accountSettings';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

interface SettingSchema {
  scope?: string;
  type?: string | string[];
  default?: unknown;
  description?: string;
  markdownDescription?: string;
  enum?: unknown[];
  enumDescriptions?: string[];
  pattern?: string;
  patternErrorMessage?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  examples?: unknown[];
  items?: { type?: string };
  anyOf?: unknown;
  oneOf?: unknown;
  order?: number;
}
const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
};
const properties = manifest.contributes.configuration.properties;

/** The editor VS Code's Settings UI gives a setting (settingsTreeModels.ts, SettingsTreeSettingElement.initSettingType). */
function settingsUiEditor(s: SettingSchema): string {
  const simple = ['string', 'boolean', 'null', 'integer', 'number'];
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (s.enum && types.every((t) => simple.includes(t))) return 'enum';
  if (s.type === 'string' || s.type === 'integer' || s.type === 'number' || s.type === 'boolean') return s.type;
  if (s.type === 'array' && ['string', 'number', 'integer'].includes(s.items?.type ?? '')) return 'array';
  if (types.length === 2 && types.includes('null') && (types.includes('number') || types.includes('integer')))
    return `nullable ${types.find((t) => t !== 'null')}`;
  return 'complex'; // "Edit in settings.json"
}

describe('settings: what package.json contributes is what the runner reads, each editable in the Settings UI', () => {
  const read = [...Object.values(SETTING_KEYS).filter((k) => k !== SETTING_KEYS.pricing), ...PRICING_SETTING_KEYS].map(
    (k) => `lambdaTrigger.${k}`,
  );

  it('contributes every setting the runner reads, and no other', () => {
    assert.deepEqual(Object.keys(properties).sort(), [...read].sort());
  });

  it('gives every setting a scope, a type the Settings UI edits, a description and a default that reads as the default', () => {
    for (const [key, s] of Object.entries(properties)) {
      assert.ok(s.scope, `${key}: scope`);
      assert.notEqual(settingsUiEditor(s), 'complex', `${key}: the Settings UI would only link to settings.json`);
      assert.equal(s.anyOf ?? s.oneOf, undefined, `${key}: anyOf/oneOf makes it complex`);
      assert.ok((s.markdownDescription ?? s.description ?? '').length > 20, `${key}: description`);
      assert.ok('default' in s, `${key}: default`);
      assert.equal(typeof s.order, 'number', `${key}: order in the Settings UI`);
    }
    const defaults = accountSettingsOf((k) => {
      if (k === SETTING_KEYS.pricing) return undefined;
      return properties[`lambdaTrigger.${k}`]?.default;
    });
    assert.deepEqual(defaults, {
      settings: { ...DEFAULT_ACCOUNT_SETTINGS, pythonInterpreter: undefined },
      problems: [],
    });
    assert.equal(properties['lambdaTrigger.region']?.default, DEFAULT_LOCATION.region);
    assert.equal(properties['lambdaTrigger.accountId']?.default, DEFAULT_LOCATION.accountId);
  });

  it('labels every enum value, explains every pattern and bounds every number', () => {
    for (const [key, s] of Object.entries(properties)) {
      if (s.enum) assert.equal(s.enumDescriptions?.length, s.enum.length, `${key}: enumDescriptions`);
      if (s.pattern) assert.ok(s.patternErrorMessage, `${key}: patternErrorMessage`);
      if (settingsUiEditor(s).includes('number'))
        assert.ok(s.minimum !== undefined || s.exclusiveMinimum !== undefined, `${key}: minimum`);
    }
  });

  it('makes the time scale a number with presets: empty for instant, 1, 60 and 3600 named in its description', () => {
    const s = properties['lambdaTrigger.timeScale'];
    assert.ok(s);
    assert.equal(settingsUiEditor(s), 'nullable number', 'a number box, empty for instant');
    assert.equal(s.default, null);
    assert.equal(parseTimeScale(s.default), Infinity, 'empty is instant');
    assert.equal(s.exclusiveMinimum, 0);
    assert.deepEqual(s.examples, [1, 60, 3600], 'settings.json completes the presets');
    for (const preset of s.examples ?? []) {
      assert.equal(parseTimeScale(preset), preset);
      assert.ok(s.markdownDescription?.includes(`\`${String(preset)}\``), `the description explains ${String(preset)}`);
    }
    assert.match(s.markdownDescription ?? '', /empty \(the default\): instant/);
  });

  it('edits each price as a number, empty for the price data', () => {
    for (const key of PRICING_SETTING_KEYS) {
      const s = properties[`lambdaTrigger.${key}`];
      assert.ok(s, key);
      assert.equal(settingsUiEditor(s), 'nullable number', key);
      assert.equal(s.default, null, key);
      assert.equal(s.minimum, 0, key);
    }
  });
});
