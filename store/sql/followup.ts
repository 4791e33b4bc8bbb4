import { decryptJson, decryptOpt, encryptCloseReason, encryptJson, encryptOpt, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { ContactRecord, NewContact, ScreeningReport, ContactDay } from '../../src/domain/model/records.js';
import type { FollowupRepo } from '../../src/domain/ports/store.js';
import type { SqlDb as Db, SqlStatement } from './db.js';
import type { CaseSealer } from './case-seal.js';

interface ContactRow {
  id: number;
  case_id: number;
  contact_date: string;
  method: ContactRecord['method'];
  notes: string;
  risk_level: ContactRecord['riskLevel'];
  logged_by: string;
  created_at: string;
}

interface ScreeningRow {
  period: string;
  unit: string;
  user_id: string;
  new_risks: number;
  high_risks: number;
  reported_at: string;
}

const toContact = (r: ContactRow, cipher: FieldCipher | null): ContactRecord => ({
  id: r.id,
  caseId: r.case_id,
  date: r.contact_date,
  method: r.method,
  notes: decryptOpt(cipher, r.notes)!,
  riskLevel: r.risk_level,
  loggedBy: r.logged_by,
  createdAt: new Date(r.created_at),
});

export class SqlFollowupRepo implements FollowupRepo {
  private readonly lastAll;
  private readonly lastBefore;

  private readonly statements = new Map<string, SqlStatement<unknown[], unknown>>();

  /** Prepared once per SQL text: compiling a statement costs more than running it. */
  private prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqlStatement<P, R> {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st as unknown as SqlStatement<P, R>;
  }

  /** With a cipher, contact notes (free text that may name the child) are encrypted at rest. */
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null = null,
    private readonly sealer: CaseSealer | null = null,
  ) {
    this.lastAll = db.prepare<[], [number, string]>('SELECT id, last_contact_date FROM cases WHERE last_contact_date IS NOT NULL').raw(true);
    this.lastBefore = db.prepare<[number, string], { d: string | null }>('SELECT MAX(contact_date) AS d FROM contacts WHERE case_id = ? AND contact_date <= ?');
  }

  addContact(c: NewContact): ContactRecord {
    const info = this.prepare(
        `INSERT INTO contacts (case_id, contact_date, method, notes, risk_level, logged_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(c.caseId, c.date, c.method, encryptOpt(this.cipher, c.notes), c.riskLevel, c.loggedBy, c.createdAt.toISOString());
    this.prepare('UPDATE cases SET last_contact_date = ? WHERE id = ? AND (last_contact_date IS NULL OR last_contact_date < ?)').run(c.date, c.caseId, c.date);
    if (c.riskLevel) {
      this.prepare('UPDATE cases SET risk_level = ?, updated_at = ? WHERE id = ?').run(c.riskLevel, c.createdAt.toISOString(), c.caseId);
      this.sealer?.reseal(c.caseId);
    }
    return { ...c, id: (info as { id: number }).id };
  }

  contacts(filter: { caseId?: number; from?: string; to?: string } = {}): ContactRecord[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.caseId !== undefined) (where.push('case_id = ?'), args.push(filter.caseId));
    if (filter.from !== undefined) (where.push('contact_date >= ?'), args.push(filter.from));
    if (filter.to !== undefined) (where.push('contact_date <= ?'), args.push(filter.to));
    const sql = `SELECT * FROM contacts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY contact_date, id`;
    return this.prepare<unknown[], ContactRow>(sql).all(...args).map((r) => toContact(r, this.cipher));
  }

  contactDays(filter: { from?: string; to?: string } = {}): ContactDay[] {
    return this.prepare<[string, string], { case_id: number; contact_date: string; method: ContactRecord['method'] }>(
      'SELECT case_id, contact_date, method FROM contacts WHERE contact_date >= ? AND contact_date <= ? ORDER BY contact_date',
    )
      .all(filter.from ?? '', filter.to ?? '9999-12-31')
      .map((r) => ({ caseId: r.case_id, date: r.contact_date, method: r.method }));
  }

  lastContactOn(caseId: number, onOrBefore: string): string | null {
    return this.lastBefore.get(caseId, onOrBefore)?.d ?? null;
  }

  lastContactDates(onOrBefore?: string): Map<number, string> {
    const out = new Map<number, string>();
    for (const [id, last] of this.lastAll.all()) {
      if (onOrBefore === undefined || last <= onOrBefore) out.set(id, last);
      else {
        // Only when looking back in time (job run --at, a past quarter) is the kept latest day
        // too late; then the contacts index answers for that case.
        const d = this.lastContactOn(id, onOrBefore);
        if (d) out.set(id, d);
      }
    }
    return out;
  }

  close(caseId: number, reason: string, now: Date): void {
    const t = now.toISOString();
    this.prepare("UPDATE cases SET status = 'closed', closed_at = ?, close_reason = ?, updated_at = ? WHERE id = ?")
      .run(t, encryptCloseReason(this.cipher, reason), t, caseId);
    this.sealer?.reseal(caseId);
  }

  reassign(caseId: number, mentorUserId: string, mentorName: string, now: Date): void {
    this.prepare('UPDATE cases SET mentor_user_id = ?, mentor_name = ?, updated_at = ? WHERE id = ?')
      .run(mentorUserId, mentorName, now.toISOString(), caseId);
    this.sealer?.reseal(caseId);
  }

  saveScreening(r: ScreeningReport): void {
    this.prepare(
        `INSERT INTO screening_reports (period, unit, user_id, new_risks, high_risks, reported_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (period, unit) DO UPDATE SET user_id = excluded.user_id, new_risks = excluded.new_risks,
           high_risks = excluded.high_risks, reported_at = excluded.reported_at`,
      )
      .run(r.period, r.unit, r.userId, r.newRisks, r.highRisks, r.reportedAt.toISOString());
  }

  screenings(period: string): ScreeningReport[] {
    return this.prepare<[string], ScreeningRow>('SELECT * FROM screening_reports WHERE period = ? ORDER BY unit')
      .all(period)
      .map((r) => ({ period: r.period, unit: r.unit, userId: r.user_id, newRisks: r.new_risks, highRisks: r.high_risks, reportedAt: new Date(r.reported_at) }));
  }

  dialog(userId: string, chatId: string): { state: unknown; updatedAt: Date } | undefined {
    const r = this.prepare<[string, string], { state: string; updated_at: string }>('SELECT state, updated_at FROM followup_dialogs WHERE user_id = ? AND chat_id = ?')
      .get(userId, chatId);
    // Dialog state holds what was typed (a close reason's free text): encrypted like drafts.
    return r ? { state: decryptJson<unknown>(this.cipher, r.state), updatedAt: new Date(r.updated_at) } : undefined;
  }

  saveDialog(userId: string, chatId: string, state: unknown, now: Date): void {
    this.prepare(
        `INSERT INTO followup_dialogs (user_id, chat_id, state, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      )
      .run(userId, chatId, encryptJson(this.cipher, state), now.toISOString());
  }

  deleteDialog(userId: string, chatId: string): void {
    this.prepare('DELETE FROM followup_dialogs WHERE user_id = ? AND chat_id = ?').run(userId, chatId);
  }
}
