import { decryptOpt, encryptOpt, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { FormSessionRecord } from '../../src/domain/model/records.js';
import type { SessionRepo } from '../../src/domain/ports/store.js';
import type { SqlDb as Db } from './db.js';

interface Row {
  user_id: string;
  chat_id: string;
  form_id: string;
  status: 'active' | 'paused';
  state: string;
  started_in: string;
  created_at: string;
  last_active_at: string;
}

const toRecord = (r: Row, cipher: FieldCipher | null): FormSessionRecord => ({
  userId: r.user_id,
  chatId: r.chat_id,
  formId: r.form_id,
  status: r.status,
  state: JSON.parse(decryptOpt(cipher, r.state)!) as unknown,
  startedIn: r.started_in,
  createdAt: new Date(r.created_at),
  lastActiveAt: new Date(r.last_active_at),
});

export class SqlSessionRepo implements SessionRepo {
  private readonly one;
  private readonly upsert;
  private readonly remove;
  private readonly idle;

  /** With a cipher the draft's state (names, ID numbers, phones typed so far) is encrypted. */
  constructor(
    db: Db,
    private readonly cipher: FieldCipher | null = null,
  ) {
    this.one = db.prepare<[string, string], Row>('SELECT * FROM form_sessions WHERE user_id = ? AND chat_id = ?');
    this.upsert = db.prepare(
      `INSERT INTO form_sessions (user_id, chat_id, form_id, status, state, started_in, created_at, last_active_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, chat_id) DO UPDATE SET form_id = excluded.form_id, status = excluded.status,
         state = excluded.state, started_in = excluded.started_in, created_at = excluded.created_at,
         last_active_at = excluded.last_active_at`,
    );
    this.remove = db.prepare('DELETE FROM form_sessions WHERE user_id = ? AND chat_id = ?');
    this.idle = db.prepare<[string], Row>('SELECT * FROM form_sessions WHERE last_active_at < ? ORDER BY last_active_at');
  }

  get(userId: string, chatId: string): FormSessionRecord | undefined {
    const r = this.one.get(userId, chatId);
    return r && toRecord(r, this.cipher);
  }

  save(s: FormSessionRecord): void {
    this.upsert.run(
      s.userId,
      s.chatId,
      s.formId,
      s.status,
      encryptOpt(this.cipher, JSON.stringify(s.state)),
      s.startedIn,
      s.createdAt.toISOString(),
      s.lastActiveAt.toISOString(),
    );
  }

  delete(userId: string, chatId: string): boolean {
    return this.remove.run(userId, chatId).changes > 0;
  }

  idleSince(cutoff: Date): FormSessionRecord[] {
    return this.idle.all(cutoff.toISOString()).map((r) => toRecord(r, this.cipher));
  }
}
