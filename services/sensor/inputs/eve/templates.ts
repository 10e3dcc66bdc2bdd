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
 * tells which one matched (its event type, and that it was used); with a
 * single template there is none, and the match is a test that builds no
 * array. The expression is sticky: it is run at a line's offset in the
 * chunk's string, with no string made for the line (lines.ts lineIn), and
 * must end where the line ends.
 */
import { codesOf } from './codes.ts';
import type { EveFields } from './scan.ts';
import { Spans, fieldsOfSpans, spansOf } from './spans.ts';
import { templateOf } from './template.ts';
import type { Template, Token } from './template.ts';

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

/** A template's end marker: its group number. */
interface Leaf {
  readonly group: number;
  readonly template: number;
}

export class EveTemplates {
  #templates: { readonly template: Template; hits: number }[] = [];
  #re: RegExp | undefined;
  #leaves: readonly Leaf[] = [];
  readonly #spans = new Spans();
  #misses = LEARN_EVERY;
  #lines = 0;
  readonly #window: number;

  /** @param window lines between two looks for rare templates (WINDOW; smaller in tests). */
  constructor(window = WINDOW) {
    this.#window = window;
  }

  /** The fields of `t` if a template matches it, else undefined. */
  read(t: string): EveFields | undefined {
    const tp = this.match(t, 0, t.length);
    return tp === undefined ? undefined : fieldsOfSpans(tp, t, spansOf(tp, t, codesOf(t), 0, t.length, this.#spans));
  }

  /** The template that matches the line t.slice(start, end) (counted as used), or undefined. */
  match(t: string, start: number, end: number): Template | undefined {
    if (++this.#lines === this.#window) this.#dropRare();
    const re = this.#re;
    if (re === undefined) return undefined;
    re.lastIndex = start;
    let entry = this.#templates[0];
    if (this.#templates.length === 1) {
      if (!re.test(t)) return undefined;
    } else {
      const m = re.exec(t);
      if (m === null) return undefined;
      // The end marker says which template matched.
      entry = undefined;
      for (const leaf of this.#leaves) {
        if (m[leaf.group] === undefined) continue;
        entry = this.#templates[leaf.template];
        break;
      }
    }
    if (entry === undefined || re.lastIndex !== end) return undefined;
    entry.hits++;
    return entry.template;
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
    const single = this.#templates.length === 1;
    let groups = 0;
    // Groups are numbered by where their "(" is: count them in the order they are written.
    const emit = (node: Node): string => {
      const branches: string[] = [];
      for (const { token, node: child } of node.children.values()) branches.push(token.src + emit(child));
      if (node.leaf >= 0) {
        leaves.push({ group: ++groups, template: node.leaf });
        branches.push(single ? '' : '()');
      }
      return branches.length === 1 ? (branches[0] ?? '') : `(?:${branches.join('|')})`;
    };
    // Sticky (y): it matches at lastIndex only. No "$": a line ends before the "\n" of the chunk, so match() compares the end instead.
    this.#re = this.#templates.length === 0 ? undefined : new RegExp(emit(root), 'y');
    this.#leaves = leaves;
  }
}
