/**
 * The "Invoke with" menus of the explorer and the editor (src/shared/invokeMenu.ts) and what package.json
 * contributes: one label style, the function's configured sources first, never the submenu inside itself.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { loadCatalogue } from '../../../src/core/events/eventCatalogue';
import { eventForTrigger, triggerService } from '../../../src/core/events/triggerEvents';
import { allCommands, commandTable } from '../../../src/shared/commandTable';
import {
  configuredTriggerContext,
  contextMenuSources,
  handlerFilesContext,
  invokeMenuContext,
  invokeWithSubmenu,
  invokeWithSubmenuGroups,
} from '../../../src/shared/invokeMenu';
import { lambda, sqs } from '../invoke/model';

interface MenuEntry {
  command?: string;
  submenu?: string;
  when?: string;
  group?: string;
}
const ROOT = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { submenus: { id: string; label: string }[]; menus: Record<string, MenuEntry[]> };
};
const menus = manifest.contributes.menus;
const submenu = menus[invokeWithSubmenu] ?? [];
const titleOf = (id: string | undefined): string => allCommands.find((c) => c.id === id)?.title ?? `(${id})`;
const group = (entry: MenuEntry): string => (entry.group ?? '').split('@')[0] ?? '';
const order = (entry: MenuEntry): number => Number((entry.group ?? '').split('@')[1] ?? NaN);

describe('"Invoke with" menus: configured triggers first, one label style, no submenu inside itself', () => {
  it('the explorer and the editor menus keep "Invoke with S3 Event" and the submenu, on handler files only', () => {
    for (const menu of ['explorer/context', 'editor/context']) {
      const entries = menus[menu] ?? [];
      assert.deepEqual(
        entries.map((e) => [e.command ?? e.submenu, e.when]),
        [
          [commandTable.invokeWithS3.id, `resourcePath in ${handlerFilesContext}`],
          [invokeWithSubmenu, `resourcePath in ${handlerFilesContext}`],
        ],
        menu,
      );
    }
    const label = manifest.contributes.submenus.find((s) => s.id === invokeWithSubmenu)?.label;
    assert.equal(label, commandTable.invokeWith.title, 'the submenu reads like the palette command: "Invoke with…"');
  });

  it('the submenu holds neither itself nor a command titled like it ("Invoke with…")', () => {
    assert.ok(submenu.length > 0);
    for (const entry of submenu) {
      assert.equal(entry.submenu, undefined, 'no submenu nests in the submenu');
      assert.notEqual(entry.command, commandTable.invokeWith.id);
      assert.notEqual(titleOf(entry.command), manifest.contributes.submenus[0]?.label, entry.command);
    }
  });

  it('lists each source twice: among the configured triggers when the file has one, else among the others', () => {
    const inGroup = (g: string) =>
      submenu
        .filter((e) => group(e) === g)
        .sort((a, b) => order(a) - order(b))
        .map((e) => [e.command, e.when]);
    const expected = (operator: string) =>
      contextMenuSources.map((s) => [s.command.id, `resourcePath ${operator} ${configuredTriggerContext(s.service)}`]);
    assert.deepEqual(inGroup(invokeWithSubmenuGroups.configured), expected('in'));
    assert.deepEqual(inGroup(invokeWithSubmenuGroups.sources), expected('not in'));
    assert.deepEqual(inGroup(invokeWithSubmenuGroups.pick), [[commandTable.invokeWithPickedEvent.id, undefined]]);
    assert.deepEqual(
      [...new Set(submenu.map(group))],
      Object.values(invokeWithSubmenuGroups),
      'configured triggers, then the other sources, then "Pick an Event…"; no other group',
    );
  });

  it('titles every source "Invoke with <Service> Event", with "…" exactly when a picker follows', () => {
    for (const source of contextMenuSources) {
      const { title } = source.command;
      assert.match(title, /^Invoke with [A-Z][\w ]* Event…?$/, title);
      assert.equal(title.endsWith('…'), source.templateId === undefined, `${title}: "…" means a picker follows`);
    }
    assert.equal(commandTable.invokeWithS3.title, 'Invoke with S3 Event');
    assert.equal(commandTable.invokeWithSqs.title, 'Invoke with SQS Event');
  });

  it('keeps the submenu items that need a file or a function out of the palette', () => {
    for (const source of contextMenuSources.filter((s) => s.command !== commandTable.invokeWithS3))
      assert.equal(source.command.palette, false, source.command.id);
    assert.equal(commandTable.invokeWithPickedEvent.palette, false, 'the palette has "Invoke with…" for it');
  });

  it('names context keys the when clause can read, one per source', () => {
    const keys = contextMenuSources.map((s) => configuredTriggerContext(s.service));
    assert.equal(new Set(keys).size, keys.length);
    for (const key of keys) assert.match(key, /^lambdaTrigger\.filesWithTrigger\.\w+$/);
  });

  it('sets the keys from the functions: their handler files per source of their triggers', () => {
    const orders = lambda('Orders', { handlerFile: '/ws/orders.js', triggers: [sqs('orders')] });
    const noFile = lambda('Lost', { triggers: [sqs('lost')] });
    const plain = lambda('Plain', { handlerFile: '/ws/plain.js' });
    const context = invokeMenuContext([orders, noFile, plain]);
    assert.deepEqual(context.get(handlerFilesContext), ['/ws/orders.js', '/ws/plain.js']);
    assert.deepEqual(context.get(configuredTriggerContext('sqs')), ['/ws/orders.js']);
    assert.deepEqual(context.get(configuredTriggerContext('s3')), [], 'a key with no file is cleared, not left over');
    assert.equal(context.size, contextMenuSources.length + 1);
  });

  it('for the examples: the order processor is configured for SQS, the thumbnail for S3, the API for API Gateway', async () => {
    const index = new WorkspaceIndex({ root: path.join(ROOT, 'examples') });
    await index.build();
    const context = invokeMenuContext(index.functions());
    const file = (rel: string) => path.join(ROOT, 'examples', 'sam-app', 'src', rel);
    const sourcesOf = (f: string) =>
      contextMenuSources
        .filter((s) => context.get(configuredTriggerContext(s.service))?.includes(f))
        .map((s) => s.service);
    assert.deepEqual(sourcesOf(file('order-processor/index.js')), ['sqs']);
    assert.deepEqual(sourcesOf(file('thumbnail/index.ts')), ['s3']);
    assert.deepEqual(sourcesOf(file('create-order/app.mjs')), ['apigateway']);
    assert.deepEqual(sourcesOf(file('nightly-report/report.ts')), ['cloudwatch'], 'a schedule sends CloudWatch events');
  });

  it("a trigger's service is the one of the event it sends (the examples' triggers)", async () => {
    const index = new WorkspaceIndex({ root: path.join(ROOT, 'examples') });
    await index.build();
    const catalogue = loadCatalogue(path.join(ROOT, 'event-templates'));
    const triggers = index.functions().flatMap((f) => f.triggers);
    assert.ok(triggers.length > 10);
    for (const trigger of triggers) {
      const sent = eventForTrigger(trigger, catalogue)?.templateId.split(':')[0];
      assert.equal(triggerService(trigger), sent, `${trigger.kind} ${trigger.id}`);
    }
  });
});
