/**
 * The only way the panel creates DOM: elements with attributes and text children. Nothing is ever parsed as HTML,
 * so whatever a handler prints (`<img src=x onerror=alert(1)>`) is shown as text; and every text goes through
 * displayText, so that ANSI codes are removed and bidi overrides cannot reverse what follows them.
 */
import { displayText } from '../shared/displayText';

export type Child = Node | string | number | false | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on')) throw new Error(`event handlers are attached with addEventListener, not ${name}`);
    el.setAttribute(name, value === true ? '' : displayText(String(value)));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Array<Child | Child[]>): void {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(
      typeof child === 'string' || typeof child === 'number'
        ? document.createTextNode(displayText(String(child)))
        : child,
    );
  }
}

export function icon(name: string, label?: string): HTMLElement {
  return h('span', {
    class: `codicon codicon-${name}`,
    'aria-hidden': label ? undefined : 'true',
    'aria-label': label,
    role: label ? 'img' : undefined,
  });
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A labelled value (`status succeeded`) of a record's or an execution's fields. */
export function field(label: string, value: string | number | undefined, title?: string): HTMLElement {
  return h(
    'div',
    { class: 'field', title },
    h('span', { class: 'label' }, label),
    h('span', { class: 'value' }, value === undefined ? '–' : String(value)),
  );
}
