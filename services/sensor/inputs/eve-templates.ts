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
import { NUMBER_KIND, STRING_KIND, numberOf, templateOf } from './eve-template.ts';
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

/** A capture group (its number in the match) that holds a wanted field of a kind. */
interface Group {
  readonly group: number;
  readonly field: number;
  readonly kind: Kind;
}

/** A template's end marker (its group number) and the wanted groups on its path through the tree. */
interface Leaf {
  readonly group: number;
  readonly template: number;
  readonly path: readonly Group[];
}

export class EveTemplates {
  #templates: { readonly template: Template; hits: number }[] = [];
  #re: RegExp | undefined;
  #leaves: readonly Leaf[] = [];
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
    const re = this.#re;
    if (re === undefined) return undefined;
    const m = re.exec(t);
    if (m === null) return undefined;
    // The end marker says which template matched; only the groups on its path can hold values.
    for (const leaf of this.#leaves) {
      if (m[leaf.group] === undefined) continue;
      const entry = this.#templates[leaf.template];
      if (entry === undefined) return undefined;
      entry.hits++;
      const e = noFields();
      e.eventType = entry.template.eventType;
      for (const g of leaf.path) {
        const v = m[g.group] ?? '';
        store(e, g.field, g.kind === STRING_KIND ? v : g.kind === NUMBER_KIND ? numberOf(v) : null);
      }
      return e;
    }
    return undefined;
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
    const leaves: Leaf[] = [];
    const path: Group[] = [];
    let groups = 0;
    // Groups are numbered by where their "(" is: count them in the order they are written.
    const emit = (node: Node): string => {
      const branches: string[] = [];
      for (const { token, node: child } of node.children.values()) {
        const wanted = token.field !== 0;
        if (wanted) path.push({ group: ++groups, field: token.field, kind: token.kind });
        branches.push(token.src + emit(child));
        if (wanted) path.pop();
      }
      if (node.leaf >= 0) {
        leaves.push({ group: ++groups, template: node.leaf, path: [...path] });
        branches.push('$()');
      }
      return branches.length === 1 ? (branches[0] ?? '') : `(?:${branches.join('|')})`;
    };
    this.#re = this.#templates.length === 0 ? undefined : new RegExp(`^${emit(root)}`);
    this.#leaves = leaves;
  }
}
