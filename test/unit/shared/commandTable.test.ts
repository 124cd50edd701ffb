/** The command table (src/shared/commandTable.ts) and package.json's contributions say the same, both ways. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allCommands, type CommandSpec } from '../../../src/shared/commandTable';

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
  icon?: string;
  enablement?: string;
}
interface MenuEntry {
  command?: string;
  alt?: string;
  submenu?: string;
  when?: string;
}
interface Manifest {
  contributes: {
    commands: ContributedCommand[];
    submenus?: { id: string; label: string }[];
    menus: Record<string, MenuEntry[]>;
    viewsWelcome?: { contents: string }[];
    walkthroughs?: { steps: { description: string; completionEvents?: string[] }[] }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as Manifest;
const contributed = manifest.contributes.commands;
const tableIds = new Set(allCommands.map((c) => c.id));
const byId = new Map(allCommands.map((c) => [c.id as string, c]));

/** Verbs a palette title may start with ("Lambda: Refresh Queues"): a title that starts with a noun reads badly there. */
const verbs = new Set([
  'Copy',
  'Debug',
  'Delete',
  'Invoke',
  'Open',
  'Peek',
  'Purge',
  'Redrive',
  'Refresh',
  'Rename',
  'Replay',
  'Restart',
  'Reveal',
  'Save',
  'Send',
  'Show',
  'Start',
  'Stop',
]);

/** What package.json says about one command, in the table's shape. */
function specOf(c: ContributedCommand, hidden: ReadonlySet<string>): CommandSpec {
  return {
    id: c.command as CommandSpec['id'],
    title: c.title,
    category: c.category as CommandSpec['category'],
    ...(c.icon !== undefined ? { icon: c.icon as CommandSpec['icon'] } : {}),
    ...(c.enablement !== undefined ? { enablement: c.enablement } : {}),
    palette: !hidden.has(c.command),
  };
}

describe('command table: one declaration of every command, the same as package.json', () => {
  const palette = manifest.contributes.menus.commandPalette ?? [];
  const hiddenInManifest = new Set(palette.filter((e) => e.when === 'false').map((e) => e.command ?? ''));

  it('declares each id once, and the table keys name distinct commands', () => {
    assert.equal(tableIds.size, allCommands.length, 'an id appears twice in the table');
    const ids = contributed.map((c) => c.command);
    assert.equal(new Set(ids).size, ids.length, 'an id appears twice in contributes.commands');
  });

  it('has exactly the commands package.json contributes', () => {
    const ids = new Set(contributed.map((c) => c.command));
    assert.deepEqual(
      [...tableIds].filter((id) => !ids.has(id)),
      [],
      'in the table but not in contributes.commands',
    );
    assert.deepEqual(
      [...ids].filter((id) => !tableIds.has(id as CommandSpec['id'])),
      [],
      'in contributes.commands but not in the table',
    );
  });

  it('gives every command the same title, category, icon, enablement and palette visibility as package.json', () => {
    for (const c of contributed) {
      const spec = byId.get(c.command);
      if (!spec) continue; // reported by the test above
      assert.deepEqual(specOf(c, hiddenInManifest), { ...spec }, c.command);
    }
  });

  it('hides from the palette only with "when": "false", and only commands of the table', () => {
    for (const entry of palette) {
      assert.ok(entry.command && byId.has(entry.command), `commandPalette names ${entry.command}, not in the table`);
      assert.equal(entry.when, 'false', `${entry.command}: a palette entry other than "when": "false"`);
    }
    const hiddenInTable = allCommands.filter((c) => !c.palette).map((c) => c.id);
    assert.deepEqual([...hiddenInManifest].sort(), [...hiddenInTable].sort());
  });

  it('names in menus only commands of the table and submenus package.json declares', () => {
    const submenus = new Set((manifest.contributes.submenus ?? []).map((s) => s.id));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      assert.ok(menu.includes('/') || menu === 'commandPalette' || submenus.has(menu), `menu ${menu} is declared`);
      for (const entry of entries) {
        for (const id of [entry.command, entry.alt]) {
          if (id !== undefined) assert.ok(byId.has(id), `${menu} names ${id}, which is not in the command table`);
        }
        if (entry.submenu !== undefined) assert.ok(submenus.has(entry.submenu), `${menu}: submenu ${entry.submenu}`);
      }
    }
  });

  it('links only commands of the table from the views welcome and the walkthrough', () => {
    const texts = [
      ...(manifest.contributes.viewsWelcome ?? []).map((w) => w.contents),
      ...(manifest.contributes.walkthroughs ?? []).flatMap((w) =>
        w.steps.flatMap((s) => [s.description, ...(s.completionEvents ?? [])]),
      ),
    ];
    const linked = texts.flatMap((t) =>
      [...t.matchAll(/(?:command|onCommand):(lambdaTrigger\.[\w.-]+)/g)].map((m) => m[1]),
    );
    assert.ok(linked.length > 0, 'the views welcome links commands');
    for (const id of linked) assert.ok(byId.has(id ?? ''), `${id} is linked but not in the command table`);
  });

  it('starts every palette-visible title with a verb', () => {
    for (const c of allCommands.filter((x) => x.palette)) {
      const first = c.title.split(/\s/)[0] ?? '';
      assert.ok(verbs.has(first), `"${c.category}: ${c.title}" (${c.id}) does not start with a verb`);
    }
  });

  it('keeps rule ids (SYNC-1, ASYNC-4, SQS-3…) out of every title', () => {
    for (const c of allCommands) assert.doesNotMatch(c.title, /\b[A-Z]+-\d+\b/, c.id);
    for (const s of manifest.contributes.submenus ?? []) assert.doesNotMatch(s.label, /\b[A-Z]+-\d+\b/, s.id);
  });
});
