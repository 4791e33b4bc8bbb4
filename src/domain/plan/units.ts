import { nameKey } from '../text/normalize.js';
import type { AliasTable } from './aliases.js';

/**
 * The plan's own units, and how the names it writes map to them. Aliases are relative to the
 * plan: the alias table's 妇联 → 镇妇联 applies only in a plan that has a 镇妇联, 学校 → 墩集中学 +
 * 墩集中心校 only in a plan that has both. A short form the plan itself uses (派出所 beside 桥头派出所
 * in its member list) resolves to the one unit of the plan it ends; anything else stays as written.
 */

export const UNIT_SUFFIX = /(所|委|院|校|学|联|办|局|站|队|会|部|中心|政府|村|组|庭|科|室|庭|检察院|法院|团|机关|居委会)$/;

/** A piece of a written list, cleaned: 「各社区居委会主要负责人」 → 各社区居委会; 「中小\n学校」 joined already. */
export function cleanUnitPiece(piece: string): string {
  return piece
    .trim()
    .replace(/^(以及|和|及|与|由|等)/, '')
    .replace(/(主要负责人|负责人|负责同志|等单位|等部门|等)$/, '')
    .replace(/[。.]$/, '')
    .trim();
}

/** Splits 「镇民政办,中小学校、各村(社区)和镇妇联」 into names, keeping brackets inside a name. */
export function splitUnitList(list: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of list) {
    if (ch === '（' || ch === '(') depth++;
    if ((ch === '）' || ch === ')') && depth > 0) depth--;
    if (depth === 0 && /[、，,；;\s]/.test(ch)) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out
    .flatMap((p) => (/^[^和及与]{2,}[和及与][^和及与]{2,}$/.test(p) && p.split(/[和及与]/).every(looksLikeUnit) ? p.split(/[和及与]/) : [p]))
    .map(cleanUnitPiece)
    .filter((p) => p.length >= 2);
}

/** Does a written name look like a unit (ends like one once a bracket like (社区) is dropped)? */
export function looksLikeUnit(name: string): boolean {
  const bare = name.replace(/[（(][^（）()]*[）)]/g, '');
  return bare.length >= 2 && bare.length <= 16 && UNIT_SUFFIX.test(bare) && !/[，。,.；;：:]/.test(name);
}

export class PlanUnits {
  /** Canonical units in order of first mention. */
  readonly names: string[] = [];
  private readonly declared = new Map<string, string>();
  /** Every written form seen, by key, with the units it stands for. */
  private readonly forms = new Map<string, string[]>();

  /** Names the plan lists as its members (成员单位：…): its own word that they are units. */
  private readonly members = new Set<string>();

  constructor(private readonly aliases: AliasTable) {}

  vouch(written: string): void {
    this.members.add(nameKey(cleanUnitPiece(written)));
  }

  /**
   * First pass: the names the plan writes in its own lists (成员单位, 牵头单位, brackets). The
   * longest form of each name wins, so a list that says 派出所 after a member list that says
   * 桥头派出所 means the same unit.
   */
  declare(written: string): void {
    const w = cleanUnitPiece(written);
    if (w.length < 2) return;
    const key = nameKey(w);
    if (!this.declared.has(key)) this.declared.set(key, w);
  }

  private declaredFull(): string[] {
    return [...this.declared.values()];
  }

  /** A 镇 plan: its own units carry the 镇 prefix, so the alias table's 镇 names fit it. */
  private townLevel(): boolean {
    return [...this.declared.values()].some((d) => d.startsWith('镇'));
  }

  /** The canonical names a written name stands for; undefined when nothing supports one. */
  lookup(written: string): string[] | undefined {
    const w = cleanUnitPiece(written);
    const key = nameKey(w);
    const seen = this.forms.get(key);
    if (seen) return seen;
    const full = [...this.declared.values()];
    // 各中小学校 → 中小学校 when the plan writes both.
    const bare = w.replace(/^(各|辖区)/, '');
    if (bare !== w && bare.length >= 2 && this.declared.has(nameKey(bare))) return [this.declared.get(nameKey(bare))!];
    // 派出所 → 桥头派出所, 司法所 → 镇司法所: the one longer name of the plan it ends.
    if (looksLikeUnit(w) && !this.members.has(key)) {
      // 各中小学校 is the plural of 中小学校, not a longer name for it.
      const ends = [...new Set(full.filter((d) => d.length > w.length && d.endsWith(w) && !/^(各|辖区)$/.test(d.slice(0, -w.length))))];
      if (ends.length === 1) return [ends[0]!];
    }
    const viaTable = this.aliases.resolveUnit(w);
    // A name the alias table corrects to another unit the plan has (its typo 镇生院 → 镇卫生院).
    if (viaTable && viaTable.some((u) => nameKey(u) !== key) && viaTable.every((u) => this.declared.has(nameKey(u)) && nameKey(u) !== key)) {
      return viaTable.map((u) => this.declared.get(nameKey(u)) ?? u);
    }
    if (this.declared.has(key)) {
      const own = this.declared.get(key)!;
      const canonical = viaTable?.length === 1 ? viaTable[0]! : undefined;
      if (canonical && canonical !== own && nameKey(canonical) === key && canonical.startsWith('镇') && this.townLevel()) return [canonical];
      return [own];
    }
    // The alias table, only where the plan has every unit it maps to (镇生院 → 镇卫生院).
    if (viaTable && viaTable.every((u) => this.declared.has(nameKey(u)))) return viaTable.map((u) => this.declared.get(nameKey(u)) ?? u);
    if (viaTable && this.declared.size === 0) return viaTable;
    return undefined;
  }

  /** Canonical names for a written name, registering them; `known` is false when nothing vouched for it. */
  resolve(written: string): { units: string[]; known: boolean } {
    const w = cleanUnitPiece(written);
    const found = this.lookup(w);
    const units = found ?? [w];
    this.forms.set(nameKey(w), units);
    for (const u of units) if (!this.names.includes(u)) this.names.push(u);
    const known = [w, ...units].some((u) => this.aliases.resolveUnit(u) !== undefined || this.members.has(nameKey(u)));
    return { units, known };
  }

  /**
   * Every written form that names a unit, longest first, for finding units in a task's prose:
   * the canonical names, the forms the plan used, and the canonical name without its 镇/街道/县
   * prefix when that is unambiguous.
   */
  mentionForms(): { text: string; unit: string }[] {
    const out = new Map<string, string>();
    for (const u of this.names) out.set(u, u);
    for (const [k, us] of this.forms) {
      const written = this.declared.get(k);
      if (written && us.length === 1 && !out.has(written)) out.set(written, us[0]!);
    }
    const short = new Map<string, string[]>();
    for (const u of this.names) {
      const s = u.replace(/^(镇|街道|县|区|辖区|各)/, '');
      if (s !== u && s.length >= 3 && looksLikeUnit(s)) short.set(s, [...(short.get(s) ?? []), u]);
    }
    for (const [s, us] of short) if (us.length === 1 && !out.has(s)) out.set(s, us[0]!);
    return [...out.entries()].map(([text, unit]) => ({ text, unit })).sort((a, b) => b.text.length - a.text.length);
  }
}
