/*
 * Integer ids for the names and tags that policy patterns spell out, so that indexes and resources
 * can be compared as integers (docs/adr/0013-authorization-integer-keys.md). Only pattern literals
 * and pattern tags are interned, so the tables are bounded by the policies ever compiled, not by
 * the resources ever named. A resource looks its names and tags up when it is built and records the
 * generation it saw; a resource older than the tables looks them up again before it is matched.
 */

const ids = new Map<string, number>();
const names: string[] = [''];
const tagBits = new Map<string, number>();
let generation = 1;

/** Tags that get a bit of a mask (a Smi keeps 31 bits); later ones are compared as strings. */
const MAX_TAG_BITS = 30;

/**
 * The id of a pattern literal (a project, environment, flag … name, or a policy key), interning it
 * when it is new. Ids start at 1; 0 stands for "no pattern spells this name".
 *
 * @example
 * internNameId('shop') === internNameId(['sh', 'op'].join('')); // true
 */
export function internNameId(name: string): number {
  const known = ids.get(name);
  if (known !== undefined) return known;
  const id = names.length;
  names.push(name);
  ids.set(name, id);
  generation++;
  return id;
}

/**
 * The id of a name if some pattern spells it, else 0. Never interns.
 *
 * @example
 * nameIdOf(internNameId('shop') > 0 ? 'shop' : ''); // the id of 'shop'
 * nameIdOf('never-in-a-pattern-x'); // 0
 */
export function nameIdOf(name: string): number {
  return ids.get(name) ?? 0;
}

/**
 * The name behind an id from {@link internNameId}.
 *
 * @example
 * nameOfId(internNameId('shop')); // 'shop'
 */
export function nameOfId(id: number): string {
  return names[id] ?? '';
}

/**
 * The mask bit of a tag that a pattern filters on, giving it one when there is room; 0 once the
 * tags seen by patterns exceed the mask (such tags are compared as strings).
 *
 * @example
 * internTagBit('production'); // e.g. 1
 */
export function internTagBit(tag: string): number {
  const known = tagBits.get(tag);
  if (known !== undefined) return known;
  if (tagBits.size >= MAX_TAG_BITS) return 0;
  const bit = 1 << tagBits.size;
  tagBits.set(tag, bit);
  generation++;
  return bit;
}

/**
 * The mask of the tags in a list that patterns filter on (those with a bit).
 *
 * @example
 * tagMaskOf(['production', 'eu']) & internTagBit('production'); // non-zero
 */
export function tagMaskOf(tags: readonly string[]): number {
  let mask = 0;
  for (let i = 0; i < tags.length; i++) mask |= tagBits.get(tags[i]!) ?? 0;
  return mask;
}

/**
 * Changes whenever a name or a tag bit is interned: ids and masks computed at another generation
 * may miss a literal that was interned since.
 *
 * @example
 * const before = internGeneration();
 * internNameId(`new-${Date.now()}`);
 * internGeneration() !== before; // true
 */
export function internGeneration(): number {
  return generation;
}
