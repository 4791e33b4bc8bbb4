import type { Channel, MessageSink, PushProgress } from '../core/channel.js';
import type { PushTarget, Reply } from '../domain/model/message.js';
import type { Logger } from '../core/log.js';
import type { CaseRepo, IdentityMarkRepo } from '../domain/ports/store.js';
import { maskIdNumber, maskName, maskPhone } from '../domain/privacy/mask.js';
import { INVISIBLE } from '../domain/privacy/identity-text.js';

/** Where the filter learns what is on file: the store's cases and their marks. */
export interface IdentitySource {
  readonly cases: Pick<CaseRepo, 'identitySince'>;
  readonly identityMarks: IdentityMarkRepo;
}

/** Between digits, writers also use dashes and dots without changing the number. */
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

/** Cases marked per transaction while old cases are filled in: small enough to keep the loop free. */
const PAGE = 500;

/**
 * Checks group-bound text against every name, ID number and phone number on file without
 * holding any of them: the store keeps a keyed hash of each (store/sql/identity-marks.ts),
 * written with the case, and a message's candidate stretches are hashed and looked up through
 * the primary key: its character pairs first (a name's first two characters are marked too),
 * then, only where a pair starts a name on file, the stretches from there up to the longest
 * name's length; and every run of digits. A restart
 * answers its first group message at once, and nothing identifying sits in this process.
 *
 * Cases from before the marks existed are filled in once, a page at a time ({@link fill}); a
 * group message that comes first waits for the rest ({@link refresh}), so a check is never
 * made against part of what is on file.
 */
export class SensitiveIndex {
  /** Cases whose identity could not be decrypted when they were marked: each reported once, the rest still protected. */
  readonly broken = new Set<number>();
  private readonly publicWords: Set<string>;
  private readonly publicText: string;

  constructor(
    private readonly source: IdentitySource,
    pub: PublicWords,
  ) {
    const words = [pub.town, ...pub.villages, ...pub.members.flatMap((m) => [m.name, m.unit]), ...pub.groups.flatMap((g) => [g.name, g.unit ?? ''])].filter(Boolean);
    this.publicWords = new Set(words);
    this.publicText = words.join('\n');
  }

  /** Marks every case not yet marked, at once: a group-bound message is never checked against less. */
  async refresh(): Promise<void> {
    while (await this.source.identityMarks.pending()) await this.fillPage();
  }

  /**
   * Marks old cases a page at a time, giving the event loop a turn (`pause`) between pages, so
   * the first start after an upgrade answers private messages while it fills.
   */
  async fill(pause: () => Promise<void>): Promise<void> {
    while (await this.source.identityMarks.pending()) {
      await this.fillPage();
      await pause();
    }
  }

  private async fillPage(): Promise<void> {
    const r = await this.source.identityMarks.fill((after, limit) => this.source.cases.identitySince(after, limit), PAGE);
    for (const id of r.broken) this.broken.add(id);
  }

  private isPublic(word: string): boolean {
    return this.publicWords.has(word) || this.publicText.includes(word);
  }

  /**
   * The text with every name, ID number and mobile number on file (or shaped like one) masked,
   * also when written with spaces or invisible characters between its characters
   * (「王 小 明」「138 1234 0001」). Matching runs on the text without those characters; a hit
   * masks the whole stretch of the original it came from.
   */
  async mask(text: string): Promise<{ text: string; hits: number }> {
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
    // Names, longest first at each position: every stretch that could be one is looked up at once.
    const longest = await this.source.identityMarks.longestName();
    if (longest >= 2) {
      const pair = (i: number) => skel[i]! + skel[i + 1]!;
      const pairs: string[] = [];
      for (let i = 0; i + 1 < skel.length; i++) pairs.push(pair(i));
      const starts = await this.source.identityMarks.onFile('start', pairs);
      const candidates: string[] = [];
      for (let i = 0; i + 1 < skel.length; i++) {
        if (!starts.has(pair(i))) continue;
        for (let len = 2; len <= Math.min(longest, skel.length - i); len++) {
          const word = skel.slice(i, i + len).join('');
          if (!this.isPublic(word)) candidates.push(word);
        }
      }
      const names = await this.source.identityMarks.onFile('name', candidates);
      for (let i = 0; i < skel.length && names.size > 0; ) {
        let len = Math.min(longest, skel.length - i);
        for (; len >= 2; len--) if (names.has(skel.slice(i, i + len).join(''))) break;
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
    const runs = [...numbersText.matchAll(NUMBER_RUN)].flatMap((m) => [m[0], m[0].replace(/-/g, '')]);
    const numbers = runs.length === 0 ? new Set<string>() : await this.source.identityMarks.onFile('number', runs);
    scan(new RegExp(NUMBER_RUN.source, 'g'), (m) => (numbers.has(m) || numbers.has(m.replace(/-/g, '')) ? (m.length === 18 ? maskIdNumber(m) : maskPhone(m)) : null));
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
 * The last line of defence for group chats (docs/domain-rules.md P4): wraps any channel and masks
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
      const replies: Reply[] = [];
      for (const r of result.replies) replies.push(await this.filter(r, msg.chatId, 'reply'));
      return { ...result, replies };
    });
  }

  async push(target: PushTarget, reply: Reply, progress?: PushProgress): Promise<PushTarget | void> {
    return this.inner.push(target, target.kind === 'chat' ? await this.filter(reply, target.id, 'push') : reply, progress);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  async filter(reply: Reply, chatId: string, via: 'reply' | 'push'): Promise<Reply> {
    // One unreadable record must not silence every group: mask with what is known, and say so.
    try {
      await this.index.refresh();
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
    const clean = async (s: string) => {
      const m = await this.index.mask(s);
      hits += m.hits;
      return m.text;
    };
    const out: Reply = { text: await clean(reply.text) };
    if (reply.choices) {
      out.choices = [];
      for (const c of reply.choices) out.choices.push({ label: await clean(c.label), value: c.value });
    }
    if (hits > 0) this.log.error({ chatId, via, hits }, 'personal data in a group-bound message was masked by the last filter');
    return out;
  }
}
