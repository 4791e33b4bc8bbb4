import type { Channel, MessageSink } from '../core/channel.js';
import type { PushTarget, Reply } from '../core/message.js';
import type { Logger } from '../log.js';
import { maskIdNumber, maskName, maskPhone } from '../domain/privacy/mask.js';
import type { CaseRecord } from '../../store/store.js';

/** Where the filter learns the names and numbers on file: `store.cases`. */
export interface CaseSource {
  listSince(id: number): CaseRecord[];
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
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The names, ID numbers and phone numbers of every case, decrypted once and kept in memory so
 * each group-bound message can be checked without a database scan. New cases are picked up by
 * id (one indexed query per check); the match pattern is rebuilt only when terms were added.
 */
export class SensitiveIndex {
  private lastId = 0;
  private readonly terms = new Map<string, string>();
  private pattern: RegExp | null = null;
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

  refresh(): void {
    const fresh = this.source.listSince(this.lastId);
    if (fresh.length === 0) return;
    for (const c of fresh) {
      this.lastId = Math.max(this.lastId, c.id);
      for (const n of [c.fullName, c.guardianName, c.bangjiaoName]) this.addName(n);
      if (c.idNumber) this.terms.set(c.idNumber, maskIdNumber(c.idNumber));
      for (const p of [c.guardianPhone, c.bangjiaoPhone]) if (p) this.terms.set(p, maskPhone(p));
    }
    const keys = [...this.terms.keys()].sort((a, b) => b.length - a.length);
    this.pattern = keys.length ? new RegExp(keys.map(escape).join('|'), 'g') : null;
  }

  private addName(n: string | null): void {
    const name = n?.trim();
    // A one-character "name" or a word that is public anyway would mask ordinary text.
    if (!name || [...name].length < 2 || this.publicWords.has(name) || this.publicText.includes(name)) return;
    this.terms.set(name, maskName(name));
  }

  /** The text with every name, ID number and mobile number on file (or shaped like one) masked. */
  mask(text: string): { text: string; hits: number } {
    let hits = 0;
    let out = this.pattern
      ? text.replace(this.pattern, (m) => {
          hits++;
          return this.terms.get(m) ?? '*'.repeat(m.length);
        })
      : text;
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
