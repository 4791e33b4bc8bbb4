import { decryptJson, decryptOpt, encryptCloseReason, encryptJson, encryptOpt, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { ContactRecord, NewContact, ScreeningReport, ContactDay } from '../../src/domain/model/records.js';
import type { FollowupRepo } from '../../src/domain/ports/store.js';
import { empty, join, sql, toDate, type Sql, type SqlDb as Db } from './db.js';
import type { CaseSealer } from './case-seal.js';

interface ContactRow {
  id: number;
  case_id: number;
  contact_date: string;
  method: ContactRecord['method'];
  notes: string;
  risk_level: ContactRecord['riskLevel'];
  logged_by: string;
  created_at: string | Date;
}

interface ScreeningRow {
  period: string;
  unit: string;
  user_id: string;
  new_risks: number;
  high_risks: number;
  reported_at: string | Date;
}

const toContact = (r: ContactRow, cipher: FieldCipher | null): ContactRecord => ({
  id: r.id,
  caseId: r.case_id,
  date: r.contact_date,
  method: r.method,
  notes: decryptOpt(cipher, r.notes)!,
  riskLevel: r.risk_level,
  loggedBy: r.logged_by,
  createdAt: toDate(r.created_at),
});

export class SqlFollowupRepo implements FollowupRepo {
  /** With a cipher, contact notes (free text that may name the child) are encrypted at rest. */
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null = null,
    private readonly sealer: CaseSealer | null = null,
  ) {}

  addContact(c: NewContact): Promise<ContactRecord> {
    // The contact, the case's latest contact day and a new risk level land together. The first
    // two do not wait for each other: sent together, they share one round trip on PostgreSQL.
    return this.db.atomic(async () => {
      const [info] = await Promise.all([
        this.db.get<{ id: number }>(
          sql`INSERT INTO contacts (case_id, contact_date, method, notes, risk_level, logged_by, created_at)
           VALUES (${c.caseId}, ${c.date}, ${c.method}, ${encryptOpt(this.cipher, c.notes)}, ${c.riskLevel}, ${c.loggedBy}, ${c.createdAt.toISOString()}) RETURNING id`,
        ),
        this.db.run(sql`UPDATE cases SET last_contact_date = ${c.date} WHERE id = ${c.caseId} AND (last_contact_date IS NULL OR last_contact_date < ${c.date})`),
      ]);
      if (c.riskLevel) {
        await this.db.run(sql`UPDATE cases SET risk_level = ${c.riskLevel}, updated_at = ${c.createdAt.toISOString()} WHERE id = ${c.caseId}`);
        await this.sealer?.reseal(c.caseId);
      }
      return { ...c, id: info!.id };
    });
  }

  async contacts(filter: { caseId?: number; from?: string; to?: string } = {}): Promise<ContactRecord[]> {
    const where: Sql[] = [];
    if (filter.caseId !== undefined) where.push(sql`case_id = ${filter.caseId}`);
    if (filter.from !== undefined) where.push(sql`contact_date >= ${filter.from}`);
    if (filter.to !== undefined) where.push(sql`contact_date <= ${filter.to}`);
    const rows = await this.db.all<ContactRow>(sql`SELECT * FROM contacts ${where.length ? sql`WHERE ${join(where, ' AND ')}` : empty} ORDER BY contact_date, id`);
    return rows.map((r) => toContact(r, this.cipher));
  }

  async contactDays(filter: { from?: string; to?: string } = {}): Promise<ContactDay[]> {
    const rows = await this.db.all<{ case_id: number; contact_date: string; method: ContactRecord['method'] }>(
      sql`SELECT case_id, contact_date, method FROM contacts WHERE contact_date >= ${filter.from ?? ''} AND contact_date <= ${filter.to ?? '9999-12-31'} ORDER BY contact_date`,
    );
    return rows.map((r) => ({ caseId: r.case_id, date: r.contact_date, method: r.method }));
  }

  async lastContactOn(caseId: number, onOrBefore: string): Promise<string | null> {
    const r = await this.db.get<{ d: string | null }>(sql`SELECT MAX(contact_date) AS d FROM contacts WHERE case_id = ${caseId} AND contact_date <= ${onOrBefore}`);
    return r?.d ?? null;
  }

  async lastContactDates(onOrBefore?: string): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const rows = await this.db.values<[number, string]>(sql`SELECT id, last_contact_date FROM cases WHERE last_contact_date IS NOT NULL`);
    for (const [id, last] of rows) {
      if (onOrBefore === undefined || last <= onOrBefore) out.set(id, last);
      else {
        // Only when looking back in time (job run --at, a past quarter) is the kept latest day
        // too late; then the contacts index answers for that case.
        const d = await this.lastContactOn(id, onOrBefore);
        if (d) out.set(id, d);
      }
    }
    return out;
  }

  close(caseId: number, reason: string, now: Date): Promise<void> {
    const t = now.toISOString();
    return this.db.atomic(async () => {
      await this.db.run(sql`UPDATE cases SET status = 'closed', closed_at = ${t}, close_reason = ${encryptCloseReason(this.cipher, reason)}, updated_at = ${t} WHERE id = ${caseId}`);
      await this.sealer?.reseal(caseId);
    });
  }

  reassign(caseId: number, mentorUserId: string, mentorName: string, now: Date): Promise<void> {
    return this.db.atomic(async () => {
      await this.db.run(sql`UPDATE cases SET mentor_user_id = ${mentorUserId}, mentor_name = ${mentorName}, updated_at = ${now.toISOString()} WHERE id = ${caseId}`);
      await this.sealer?.reseal(caseId);
    });
  }

  async saveScreening(r: ScreeningReport): Promise<void> {
    await this.db.run(
      sql`INSERT INTO screening_reports (period, unit, user_id, new_risks, high_risks, reported_at)
         VALUES (${r.period}, ${r.unit}, ${r.userId}, ${r.newRisks}, ${r.highRisks}, ${r.reportedAt.toISOString()})
         ON CONFLICT (period, unit) DO UPDATE SET user_id = excluded.user_id, new_risks = excluded.new_risks,
           high_risks = excluded.high_risks, reported_at = excluded.reported_at`,
    );
  }

  async screenings(period: string): Promise<ScreeningReport[]> {
    const rows = await this.db.all<ScreeningRow>(sql`SELECT * FROM screening_reports WHERE period = ${period} ORDER BY unit`);
    return rows.map((r) => ({ period: r.period, unit: r.unit, userId: r.user_id, newRisks: r.new_risks, highRisks: r.high_risks, reportedAt: toDate(r.reported_at) }));
  }

  async dialog(userId: string, chatId: string): Promise<{ state: unknown; updatedAt: Date } | undefined> {
    const r = await this.db.get<{ state: string; updated_at: string | Date }>(sql`SELECT state, updated_at FROM followup_dialogs WHERE user_id = ${userId} AND chat_id = ${chatId}`);
    // Dialog state holds what was typed (a close reason's free text): encrypted like drafts.
    return r ? { state: decryptJson<unknown>(this.cipher, r.state), updatedAt: toDate(r.updated_at) } : undefined;
  }

  async saveDialog(userId: string, chatId: string, state: unknown, now: Date): Promise<void> {
    await this.db.run(
      sql`INSERT INTO followup_dialogs (user_id, chat_id, state, updated_at) VALUES (${userId}, ${chatId}, ${encryptJson(this.cipher, state)}, ${now.toISOString()})
         ON CONFLICT (user_id, chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
  }

  async deleteDialog(userId: string, chatId: string): Promise<void> {
    await this.db.run(sql`DELETE FROM followup_dialogs WHERE user_id = ${userId} AND chat_id = ${chatId}`);
  }
}
