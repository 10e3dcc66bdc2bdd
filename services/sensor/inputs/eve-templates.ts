/**
 * The templates of one EVE input, merged into one regular expression.
 *
 * A real log interleaves many shapes: Suricata writes only the TCP flags a
 * flow saw ("syn", "ack", "rst", ... are present or absent), "app_proto"
 * only when known, alerts with their own members. Trying the templates one
 * after another would scan most of a line again for each template that
 * fails near its end. Instead the templates' tokens form a prefix tree and
 * the tree one expression, `(?:...|...)` where templates part: a line is
 * matched once up to where its shape departs, then only along the branches
 * that share its prefix. An empty capture group at the end of each template
 * tells which one matched (its event type, and that it was used).
 */
import type { EveFields } from './eve-scan.ts';
import { noFields, store } from './eve-scan.ts';
import { NUMBER_KIND, STRING_KIND, templateOf } from './eve-template.ts';
import type { Kind, Template, Token } from './eve-template.ts';

/** Shapes kept. */
const MAX_TEMPLATES = 24;
/** A template is made from at most one line in this many that none matched. */
const LEARN_EVERY = 32;
/**
 * Every WINDOW lines, templates that matched fewer than WINDOW / 256 of them
 * are dropped, which makes room for new shapes. Compiling the merged
 * expression costs 10-30 ms (the time of thousands of lines), so a
 * full set is never changed more often: a stream of more shapes than fit,
 * all equally common, keeps the first ones instead of recompiling forever.
 */
const WINDOW = 262_144;

interface Node {
  readonly children: Map<string, { readonly token: Token; readonly node: Node }>;
  /** Index of the template that ends here, or -1. */
  leaf: number;
}

/** What capture group k + 1 holds: a wanted field of a kind, or (leaf >= 0) the end marker of a template. */
interface Group {
  readonly field: number;
  readonly kind: Kind;
  readonly leaf: number;
}

export class EveTemplates {
  #templates: { readonly template: Template; hits: number }[] = [];
  #re: RegExp | undefined;
  #groups: readonly Group[] = [];
  #misses = LEARN_EVERY;
  #lines = 0;
  readonly #window: number;

  /** @param window lines between two looks for rare templates (WINDOW; smaller in tests). */
  constructor(window = WINDOW) {
    this.#window = window;
  }

  /** The fields of `t` if a template matches it, else undefined. */
  read(t: string): EveFields | undefined {
    if (++this.#lines === this.#window) this.#dropRare();
    const m = this.#re?.exec(t);
    if (m === undefined || m === null) return undefined;
    const e = noFields();
    const groups = this.#groups;
    for (let k = 0; k < groups.length; k++) {
      const v = m[k + 1];
      const g = groups[k];
      if (v === undefined || g === undefined) continue;
      if (g.leaf < 0) {
        store(e, g.field, g.kind === STRING_KIND ? v : g.kind === NUMBER_KIND ? Number(v) : null);
        continue;
      }
      const entry = this.#templates[g.leaf];
      if (entry === undefined) return undefined;
      e.eventType = entry.template.eventType;
      entry.hits++;
    }
    return e;
  }

  /** Called with a line no template matched and that the scanner read as `e`. */
  learn(t: string, e: EveFields): void {
    if (e.eventType !== 'flow' && e.eventType !== 'alert') return;
    if (this.#templates.length >= MAX_TEMPLATES || ++this.#misses < LEARN_EVERY) return;
    this.#misses = 0;
    const template = templateOf(t, e.eventType);
    if (template === undefined) return;
    this.#templates.push({ template, hits: 0 });
    this.#rebuild();
  }

  #dropRare(): void {
    this.#lines = 0;
    const kept = this.#templates.filter((x) => x.hits >= this.#window / 256);
    for (const x of kept) x.hits = 0;
    if (kept.length === this.#templates.length) return;
    this.#templates = kept;
    this.#rebuild();
  }

  #rebuild(): void {
    const root: Node = { children: new Map(), leaf: -1 };
    this.#templates.forEach(({ template }, index) => {
      let node = root;
      for (const token of template.tokens) {
        const key = `${token.field}:${token.kind}:${token.src}`;
        let next = node.children.get(key);
        if (next === undefined) {
          next = { token, node: { children: new Map(), leaf: -1 } };
          node.children.set(key, next);
        }
        node = next.node;
      }
      node.leaf = index;
    });
    const groups: Group[] = [];
    // Groups are numbered by where their "(" is: emit in the same order as they are listed.
    const emit = (node: Node): string => {
      const branches: string[] = [];
      for (const { token, node: child } of node.children.values()) {
        if (token.field !== 0) groups.push({ field: token.field, kind: token.kind, leaf: -1 });
        branches.push(token.src + emit(child));
      }
      if (node.leaf >= 0) {
        groups.push({ field: 0, kind: STRING_KIND, leaf: node.leaf });
        branches.push('$()');
      }
      return branches.length === 1 ? (branches[0] ?? '') : `(?:${branches.join('|')})`;
    };
    this.#re = this.#templates.length === 0 ? undefined : new RegExp(`^${emit(root)}`);
    this.#groups = groups;
  }
}
