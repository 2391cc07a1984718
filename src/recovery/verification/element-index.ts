import type { CssNode } from 'css-tree';
import { isTag, type AnyNode, type Element } from 'domhandler';

/**
 * Elements by id, class and tag name, so that a selector is tested only against the elements
 * its rightmost compound can match (`div .note span` only against spans), as browsers do. The
 * buckets are lower-cased and so a superset: css-select still decides each candidate.
 */
export class ElementIndex {
  readonly all: Element[];
  private readonly buckets = new Map<string, Element[]>();

  /** `maxDepth`: deeper elements are left out (see MAX_STYLED_DEPTH in css-cascade.ts). */
  constructor(root: AnyNode, maxDepth: number) {
    this.all = elementsOf(root, maxDepth);
    for (const element of this.all) {
      const keys = [`tag:${element.name.toLowerCase()}`];
      const id = element.attribs.id?.trim().toLowerCase();
      if (id) keys.push(`id:${id}`);
      for (const name of (element.attribs.class ?? '').toLowerCase().split(/\s+/)) {
        if (name !== '') keys.push(`class:${name}`);
      }
      for (const key of new Set(keys)) this.bucket(key).push(element);
    }
  }

  private bucket(key: string): Element[] {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The elements a selector (css-tree `Selector` node) can match, judged by its rightmost
   *  compound's id, else a class, else its tag; every element when it names none. */
  candidates(selector: CssNode): Element[] {
    if (selector.type !== 'Selector') return this.all;
    const compound: CssNode[] = [];
    for (const node of selector.children.toArray().reverse()) {
      if (node.type === 'Combinator') break;
      compound.push(node);
    }
    const key =
      keyOf(compound, 'IdSelector', 'id') ??
      keyOf(compound, 'ClassSelector', 'class') ??
      keyOf(compound, 'TypeSelector', 'tag');
    if (key === undefined || key === 'tag:*') return this.all;
    return this.buckets.get(key) ?? [];
  }
}

function keyOf(
  compound: CssNode[],
  type: 'IdSelector' | 'ClassSelector' | 'TypeSelector',
  prefix: string,
): string | undefined {
  const node = compound.find((n) => n.type === type);
  if (node === undefined || !('name' in node) || typeof node.name !== 'string') return undefined;
  // a namespaced type selector (svg|a) is left to css-select
  return node.name.includes('|') ? undefined : `${prefix}:${node.name.toLowerCase()}`;
}

/** Every element under root down to maxDepth, in document order (iterative: hostile nesting is
 *  deep). */
function elementsOf(root: AnyNode, maxDepth: number): Element[] {
  const result: Element[] = [];
  const stack: Array<[AnyNode, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [AnyNode, number];
    if (isTag(node)) result.push(node);
    if ('children' in node && depth < maxDepth) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i], depth + 1]);
    }
  }
  return result;
}
