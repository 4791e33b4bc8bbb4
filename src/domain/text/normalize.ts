/**
 * Text as people type it in a chat: full- or half-width, with or without punctuation and
 * spaces. Everything that compares user text with plan vocabulary goes through here first.
 */

const DROP = /[\s\p{P}\p{S}]/gu;

/** Half-width, lower-case, no spaces or punctuation: 「（镇 民政所）」 → 「镇民政所」. */
export function normalizeText(input: string): string {
  return input.normalize('NFKC').toLowerCase().replace(DROP, '');
}

/**
 * Unit names are written with and without the town prefix (镇民政所 / 民政所); matching keys drop
 * a leading 镇 so both meet. A bare 「镇」 or two-character names like 镇团 keep it, so the key is
 * never empty or a single character.
 */
export function stripTownPrefix(name: string): string {
  return name.startsWith('镇') && name.length > 2 ? name.slice(1) : name;
}

/** The key under which a unit or category name is looked up exactly. */
export function nameKey(name: string): string {
  return stripTownPrefix(normalizeText(name));
}

const HAN = /\p{Script=Han}/u;

export function isHan(ch: string): boolean {
  return HAN.test(ch);
}
