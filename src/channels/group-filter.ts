import type { Channel, MessageSink, PushProgress } from '../core/channel.js';
import type { PushTarget, Reply } from '../domain/model/message.js';
import type { Logger } from '../core/log.js';
import { maskIdNumber, maskName, maskPhone } from '../domain/privacy/mask.js';

/** Where the filter learns the names and numbers on file: `store.cases`. */
export interface CaseSource {
  /**
   * Decrypted names, ID numbers and phone numbers of the cases with an id above `id`, at most
   * `limit` of them. A row that cannot be decrypted comes back `broken`, without values.
   */
  identitySince(id: number, limit?: number): Array<{ id: number; names: string[]; numbers: string[]; broken?: boolean }>;
}

/**
 * Characters a writer can slip between the characters of a name or number without changing how
 * it reads: spaces of every width, zero-width spaces and joiners, the BOM, soft hyphens, and
 * (between digits) dashes and dots.
 */
const INVISIBLE = /[\s\u00ad\u180e\u200b-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/;
const DIGIT_JOINER = /[-.·—－]/;

/** Words that are public (villages, units, staff names) and must never be treated as a child's name. */
export interface PublicWords {
  town: string;
  villages: readonly string[];
  members: readonly { name: string; unit: string }[];
  groups: readonly { name: string; unit?: string | undefined }[];
}

const ID_PATTERN = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])/g;
const MOBILE_PATTERN = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;
/** Runs of digits (with dashes, as landlines are written) that could be a number on file. */
const NUMBER_RUN = /[0-9][0-9-]{5,}[0-9Xx]/g;

/** Cases decrypted per query when the index fills: one page at a time keeps a county's first fill small. */
const PAGE = 1_000;

/**
 * The names, ID numbers and phone numbers of every case, decrypted once and kept in memory so
 * each group-bound message can be checked without a database scan. New cases are picked up by
 * id (one indexed query per check). Names are looked up by sliding over the text (a group
 * message is short, a name at most a few characters), not with one alternation of every name
 * on file: at county size that pattern took hundreds of megabytes. Only the values are kept;
 * their masked forms are made on a hit, which is rare (it means a bug upstream).
 */
export class SensitiveIndex {
  private lastId = 0;
  /** Cases whose identity could not be decrypted: each reported once, the rest still protected. */
  readonly broken = new Set<number>();
  private readonly names = new Set<string>();
  private readonly numbers = new Set<string>();
  private maxNameLength = 0;
  private readonly publicWords: Set<string>;
  private readonly publicText: string;

  constructor(
    private readonly source: CaseSource,
    pub: PublicWords,
  ) {
    const words = [pub.town, ...pub.villages, ...pub.members.flatMap((m) => [m.name, m.unit]), ...pub.groups.flatMap((g) => [g.name, g.unit ?? ''])].filter(Boolean);
    this.publicWords = new Set(words);
    this.publicText = words.join('\n');
  }

  /** Reads every case not yet indexed, at once: a group-bound message is never checked against less. */
  refresh(): void {
    while (this.readPage()) {}
  }

  /**
   * Fills the index a page at a time, giving the event loop a turn (`pause`) between pages, so
   * a restart at county size answers messages while it fills. A group message that comes first
   * still waits for {@link refresh}: the check is never made against part of the index.
   */
  async fill(pause: () => Promise<void>): Promise<void> {
    while (this.readPage()) await pause();
  }

  /** True when the page was full, so more may follow. */
  private readPage(): boolean {
    const page = this.source.identitySince(this.lastId, PAGE);
    for (const c of page) {
      this.lastId = Math.max(this.lastId, c.id);
      if (c.broken) this.broken.add(c.id);
      for (const n of c.names) this.addName(n);
      for (const num of c.numbers) {
        this.numbers.add(num);
        this.numbers.add(num.replace(/[^0-9Xx]/g, ''));
      }
    }
    return page.length === PAGE;
  }

  private addName(n: string): void {
    const name = n.trim();
    if ([...name].length < 2 || this.publicWords.has(name) || this.publicText.includes(name)) return;
    this.names.add(name);
    this.maxNameLength = Math.max(this.maxNameLength, name.length);
  }

  /**
   * The text with every name, ID number and mobile number on file (or shaped like one) masked,
   * also when written with spaces or invisible characters between its characters
   * (「王 小 明」「138 1234 0001」). Matching runs on the text without those characters; a hit
   * masks the whole stretch of the original it came from.
   */
  mask(text: string): { text: string; hits: number } {
    const chars = [...text];
    const kept: number[] = [];
    let skeleton = '';
    chars.forEach((ch, i) => {
      const between = kept.length > 0 && i + 1 < chars.length;
      const digitGap = between && DIGIT_JOINER.test(ch) && /[0-9]/.test(chars[kept[kept.length - 1]!]!) && /[0-9]/.test(chars[i + 1]!);
      if (INVISIBLE.test(ch) || digitGap) return;
      kept.push(i);
      skeleton += ch;
    });
    const hits: Array<{ from: number; to: number; masked: string }> = [];
    const skel = [...skeleton];
    const take = (from: number, len: number, masked: string) => hits.push({ from: kept[from]!, to: kept[from + len - 1]!, masked });
    // Names, longest first at each position.
    if (this.names.size > 0) {
      for (let i = 0; i < skel.length; ) {
        let len = Math.min(this.maxNameLength, skel.length - i);
        for (; len >= 2; len--) if (this.names.has(skel.slice(i, i + len).join(''))) break;
        if (len >= 2) {
          take(i, len, maskName(skel.slice(i, i + len).join('')));
          i += len;
        } else i++;
      }
    }
    // Numbers on file, then anything shaped like an ID or mobile number.
    const numbersText = skel.map((c, i) => (hits.some((h) => kept[i]! >= h.from && kept[i]! <= h.to) ? '\u0000' : c)).join('');
    const covered = new Set<number>();
    const scan = (re: RegExp, mask: (m: string) => string | null) => {
      for (const m of numbersText.matchAll(re)) {
        const start = [...numbersText.slice(0, m.index)].length;
        const len = [...m[0]].length;
        if (covered.has(start)) continue;
        const masked = mask(m[0]);
        if (masked === null) continue;
        for (let k = start; k < start + len; k++) covered.add(k);
        take(start, len, masked);
      }
    };
    scan(new RegExp(NUMBER_RUN.source, 'g'), (m) => (this.numbers.has(m) || this.numbers.has(m.replace(/-/g, '')) ? (m.length === 18 ? maskIdNumber(m) : maskPhone(m)) : null));
    scan(new RegExp(ID_PATTERN.source, 'g'), maskIdNumber);
    scan(new RegExp(MOBILE_PATTERN.source, 'g'), maskPhone);
    if (hits.length === 0) return { text, hits: 0 };
    hits.sort((a, b) => a.from - b.from);
    let out = '';
    let at = 0;
    for (const h of hits) {
      if (h.from < at) continue;
      out += chars.slice(at, h.from).join('') + h.masked;
      at = h.to + 1;
    }
    return { text: out + chars.slice(at).join(''), hits: hits.length };
  }
}

/**
 * The last line of defence for group chats (domain.md P4): wraps any channel and masks
 * identifying data in every reply to a group and every push to a chat, whatever handler or job
 * produced it. A hit means a bug upstream, so it is logged as an error, without the text.
 */
export class GroupFilterChannel implements Channel {
  readonly name: string;

  private readonly reported = new Set<number>();

  constructor(
    private readonly inner: Channel,
    private readonly index: SensitiveIndex,
    private readonly log: Logger,
    /** Tells the admin, once per case, that a record could not be read (so someone restores it). */
    private readonly onBroken: (caseIds: number[]) => void = () => {},
  ) {
    this.name = inner.name;
  }

  start(sink: MessageSink): Promise<void> {
    return this.inner.start(async (msg) => {
      const result = await sink(msg);
      if (msg.chatType !== 'group') return result;
      return { ...result, replies: result.replies.map((r) => this.filter(r, msg.chatId, 'reply')) };
    });
  }

  push(target: PushTarget, reply: Reply, progress?: PushProgress): Promise<PushTarget | void> {
    return this.inner.push(target, target.kind === 'chat' ? this.filter(reply, target.id, 'push') : reply, progress);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  filter(reply: Reply, chatId: string, via: 'reply' | 'push'): Reply {
    // One unreadable record must not silence every group: mask with what is known, and say so.
    try {
      this.index.refresh();
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.name : 'unknown' }, 'group filter could not refresh its index; masking with what it has');
    }
    const fresh = [...this.index.broken].filter((id) => !this.reported.has(id));
    if (fresh.length > 0) {
      for (const id of fresh) this.reported.add(id);
      this.log.error({ caseIds: fresh }, 'case identity could not be decrypted; its names are not in the group filter');
      try {
        this.onBroken(fresh);
      } catch {
        // Reporting is best effort; the message still goes out masked.
      }
    }
    let hits = 0;
    const clean = (s: string) => {
      const m = this.index.mask(s);
      hits += m.hits;
      return m.text;
    };
    const out: Reply = { text: clean(reply.text) };
    if (reply.choices) out.choices = reply.choices.map((c) => ({ label: clean(c.label), value: c.value }));
    if (hits > 0) this.log.error({ chatId, via, hits }, 'personal data in a group-bound message was masked by the last filter');
    return out;
  }
}
