import type { Channel, MessageSink } from '../core/channel.js';
import type { PushTarget, Reply } from '../core/message.js';
import type { Logger } from '../log.js';
import { maskIdNumber, maskName, maskPhone } from '../domain/privacy/mask.js';

/** Where the filter learns the names and numbers on file: `store.cases`. */
export interface CaseSource {
  /** Decrypted names, ID numbers and phone numbers of the cases with an id above `id`, at most `limit` of them. */
  identitySince(id: number, limit?: number): Array<{ id: number; names: string[]; numbers: string[] }>;
}

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
      for (const n of c.names) this.addName(n);
      for (const num of c.numbers) this.numbers.add(num);
    }
    return page.length === PAGE;
  }

  private addName(n: string): void {
    const name = n.trim();
    if ([...name].length < 2 || this.publicWords.has(name) || this.publicText.includes(name)) return;
    this.names.add(name);
    this.maxNameLength = Math.max(this.maxNameLength, name.length);
  }

  private maskNames(text: string): { text: string; hits: number } {
    if (this.names.size === 0) return { text, hits: 0 };
    let out = '';
    let hits = 0;
    for (let i = 0; i < text.length; ) {
      let found = '';
      for (let len = Math.min(this.maxNameLength, text.length - i); len >= 2; len--) {
        const name = text.slice(i, i + len);
        if (this.names.has(name)) {
          found = maskName(name);
          i += len;
          break;
        }
      }
      if (found) {
        out += found;
        hits++;
      } else out += text[i++];
    }
    return { text: out, hits };
  }

/** The text with every name, ID number and mobile number on file (or shaped like one) masked. */
  mask(text: string): { text: string; hits: number } {
    const named = this.maskNames(text);
    let hits = named.hits;
    let out = named.text.replace(NUMBER_RUN, (m) => {
      if (!this.numbers.has(m)) return m;
      hits++;
      return m.length === 18 ? maskIdNumber(m) : maskPhone(m);
    });
    out = out.replace(ID_PATTERN, (m) => (hits++, maskIdNumber(m)));
    out = out.replace(MOBILE_PATTERN, (m) => (hits++, maskPhone(m)));
    return { text: out, hits };
  }
}

/**
 * The last line of defence for group chats (domain.md P4): wraps any channel and masks
 * identifying data in every reply to a group and every push to a chat, whatever handler or job
 * produced it. A hit means a bug upstream, so it is logged as an error, without the text.
 */
export class GroupFilterChannel implements Channel {
  readonly name: string;

  constructor(
    private readonly inner: Channel,
    private readonly index: SensitiveIndex,
    private readonly log: Logger,
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

  push(target: PushTarget, reply: Reply): Promise<PushTarget | void> {
    return this.inner.push(target, target.kind === 'chat' ? this.filter(reply, target.id, 'push') : reply);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  filter(reply: Reply, chatId: string, via: 'reply' | 'push'): Reply {
    this.index.refresh();
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
