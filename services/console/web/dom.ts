/** A few DOM helpers: elements built from data, never from HTML strings (no injection through alert text). */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | ((e: Event) => void)> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false) el.setAttribute(name, value);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** Replaces the page content and moves focus to it, so screen readers announce the new page. */
export function show(main: HTMLElement, ...children: Child[]): void {
  main.replaceChildren();
  for (const c of children) if (c !== null && c !== undefined && c !== false) main.append(typeof c === 'number' ? String(c) : c);
}

export function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function num(n: number, digits = 0): string {
  return n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function portLabel(protocol: string, port: number): string {
  return `${protocol.toLowerCase()}/${port}`;
}

export function portHref(protocol: string, port: number): string {
  return `#/port/${protocol.toLowerCase()}/${port}`;
}

export function badge(kind: 'sev' | 'risk' | 'state', value: string): HTMLElement {
  return h('span', { class: `badge ${kind}-${value}` }, value);
}
