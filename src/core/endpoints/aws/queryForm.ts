/**
 * The AWS query protocol's form body (`Action=Publish&TopicArn=...`), with its flattened lists
 * (`Entries.member.1.Id`) and maps (`MessageAttributes.entry.1.Name` / `.Value.StringValue`) read back into objects.
 */

export type QueryForm = Map<string, string>;

/** The fields of an `application/x-www-form-urlencoded` body. */
export function queryFormOf(body: Buffer): QueryForm {
  const form: QueryForm = new Map();
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) form.set(key, value);
  return form;
}

/** The fields under `prefix.` with the prefix taken off (`Entries.member.1.Id` under `Entries.member.1` is `Id`). */
export function subForm(form: QueryForm, prefix: string): QueryForm {
  const out: QueryForm = new Map();
  const start = `${prefix}.`;
  for (const [key, value] of form) if (key.startsWith(start)) out.set(key.slice(start.length), value);
  return out;
}

/** The members of a list (`<name>.member.N`), in N's order: 1, 2, 3 ... until one is missing. */
export function listMembers(form: QueryForm, name: string): QueryForm[] {
  const members: QueryForm[] = [];
  for (let n = 1; ; n++) {
    const member = subForm(form, `${name}.member.${n}`);
    if (member.size === 0) return members;
    members.push(member);
  }
}

/** The entries of a map (`<name>.entry.N.Name` / `.Value...`) as name → the value's fields. */
export function mapEntries(form: QueryForm, name: string): Map<string, QueryForm> {
  const entries = new Map<string, QueryForm>();
  for (let n = 1; ; n++) {
    const entry = subForm(form, `${name}.entry.${n}`);
    if (entry.size === 0) return entries;
    const key = entry.get('Name') ?? entry.get('key') ?? '';
    entries.set(key, subForm(entry, 'Value').size > 0 ? subForm(entry, 'Value') : subForm(entry, 'value'));
  }
}
