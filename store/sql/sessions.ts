import { decryptOpt, encryptOpt, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { FormSessionRecord } from '../../src/domain/model/records.js';
import type { SessionRepo } from '../../src/domain/ports/store.js';
import { sql, toDate, type SqlDb as Db } from './db.js';

interface Row {
  user_id: string;
  chat_id: string;
  form_id: string;
  status: 'active' | 'paused';
  state: string;
  started_in: string;
  created_at: string | Date;
  last_active_at: string | Date;
}

const toRecord = (r: Row, cipher: FieldCipher | null): FormSessionRecord => ({
  userId: r.user_id,
  chatId: r.chat_id,
  formId: r.form_id,
  status: r.status,
  // The column holds JSON text (encrypted or not), never a parsed jsonb value.
  state: JSON.parse(decryptOpt(cipher, r.state)!) as unknown,
  startedIn: r.started_in,
  createdAt: toDate(r.created_at),
  lastActiveAt: toDate(r.last_active_at),
});

export class SqlSessionRepo implements SessionRepo {
  /** With a cipher the draft's state (names, ID numbers, phones typed so far) is encrypted. */
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null = null,
  ) {}

  async get(userId: string, chatId: string): Promise<FormSessionRecord | undefined> {
    const r = await this.db.get<Row>(sql`SELECT * FROM form_sessions WHERE user_id = ${userId} AND chat_id = ${chatId}`);
    return r && toRecord(r, this.cipher);
  }

  async save(s: FormSessionRecord): Promise<void> {
    await this.db.run(sql`INSERT INTO form_sessions (user_id, chat_id, form_id, status, state, started_in, created_at, last_active_at)
       VALUES (${s.userId}, ${s.chatId}, ${s.formId}, ${s.status}, ${encryptOpt(this.cipher, JSON.stringify(s.state))}, ${s.startedIn},
         ${s.createdAt.toISOString()}, ${s.lastActiveAt.toISOString()})
       ON CONFLICT (user_id, chat_id) DO UPDATE SET form_id = excluded.form_id, status = excluded.status,
         state = excluded.state, started_in = excluded.started_in, created_at = excluded.created_at,
         last_active_at = excluded.last_active_at`);
  }

  async delete(userId: string, chatId: string): Promise<boolean> {
    return (await this.db.run(sql`DELETE FROM form_sessions WHERE user_id = ${userId} AND chat_id = ${chatId}`)).changes > 0;
  }

  async idleSince(cutoff: Date): Promise<FormSessionRecord[]> {
    const rows = await this.db.all<Row>(sql`SELECT * FROM form_sessions WHERE last_active_at < ${cutoff.toISOString()} ORDER BY last_active_at`);
    return rows.map((r) => toRecord(r, this.cipher));
  }
}
