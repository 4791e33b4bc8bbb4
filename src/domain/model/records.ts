/** The domain's records: what the store keeps and hands back, whichever database holds them. */
import type { PushTarget, Reply } from './message.js';
import type { CategoryCode } from '../plan/types.js';
import type { AuditAction } from '../security/audit-chain.js';

export interface InboundRecord {
  id: string;
  channel: string;
  userId: string;
  chatId: string;
}

export interface OutboxItem {
  id: number;
  target: PushTarget;
  reply: Reply;
  /** Why it was sent, e.g. `case.created` — for logs and `chats`/audit views, never shown. */
  reason: string;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastError: string | null;
  /** Where it actually went when the target was unreachable (see the WeCom issue). */
  deliveredTo: PushTarget | null;
  /** Set while the row waits for a person the bot cannot reach yet (they never wrote to it). */
  heldAt: Date | null;
  /** Parts of a long message already delivered; a retry sends only the rest. */
  partsSent: number;
  /** Set when the worker stopped trying (refused for good, or too old); the admin was told. */
  givenUpAt: Date | null;
}

export interface OutboxInsert {
  target: PushTarget;
  reply: Reply;
  reason: string;
  /** Optional idempotency key: a second enqueue with the same key is ignored. */
  dedupeKey?: string;
  /** Parts already delivered elsewhere (a reply that failed halfway and goes on as a push). */
  partsSent?: number;
}

export interface ChatRecord {
  chatId: string;
  chatType: 'single' | 'group';
  /** Last user who wrote there. */
  lastUserId: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface JobRun {
  job: string;
  /** `2026-11` or `2026Q4`. */
  period: string;
  status: 'done' | 'skipped';
  trigger: 'cron' | 'catchup' | 'manual';
  /** The instant the job computed its messages for. */
  asOf: Date;
  ranAt: Date;
  summary: string;
}

/** A form in progress (e.g. a case being registered), one per (user, chat). */
export interface FormSessionRecord {
  userId: string;
  /** The chat the form runs in: the user's private chat, also when it was started in a group. */
  chatId: string;
  formId: string;
  /** `paused` after 30 idle minutes; the user resumes with 「继续」. */
  status: 'active' | 'paused';
  /** Engine state (answers so far), stored as JSON; holds personal data. */
  state: unknown;
  /** Where the user started it: a group id, or the private chat itself. */
  startedIn: string;
  createdAt: Date;
  /** The user's last answer; idle time and the 7-day limit count from here. */
  lastActiveAt: Date;
}

export interface CaseCategoryRecord {
  code: CategoryCode;
  /** Lead unit(s) for this category from the plan's matrix, at the time the case was made. */
  leadUnits: string[];
}

export interface NewCase {
  /** `<casePrefix>-<year>-<4-digit serial>`: the only identifier shown in groups. */
  code: string;
  categories: CaseCategoryRecord[];
  primaryCategory: CategoryCode;
  fullName: string;
  gender: '男' | '女';
  /** `2013`, `2013-05` or `2013-05-06`, as precise as it is known. */
  birthDate: string;
  idNumber: string | null;
  /** Lookup key for the ID number (kept when the number itself is encrypted). */
  idHash: string | null;
  /** Lookup key for name + village, for duplicate checks without reading plain names. */
  dupKey: string;
  village: string;
  schoolStatus: string | null;
  schoolDetail: string | null;
  guardianName: string | null;
  guardianRelation: string | null;
  guardianPhone: string | null;
  guardianshipMode: string | null;
  /** Null until the mentor assesses it (shown as 待补充): registration does not ask for it. */
  riskLevel: RiskLevel | null;
  mentorUserId: string | null;
  mentorName: string | null;
  reporterUserId: string;
  /** 帮教联系人 (服刑人员子女). */
  bangjiaoName: string | null;
  bangjiaoPhone: string | null;
  notes: string | null;
  /** Category-specific answers without direct identifiers. */
  details: Record<string, unknown>;
  /** Fields the bot inferred rather than was told (prefill, derived from the ID number …). */
  inferredFields: string[];
  createdAt: Date;
}

export interface CaseRecord extends NewCase {
  id: number;
  /**
   * Holds justice details that count as a sealed record (see src/domain/security/sealed.ts).
   * The store always sets it; optional only so hand-built records in tests stay valid.
   */
  sealed?: boolean;
  status: 'open' | 'closed';
  updatedAt: Date;
  closedAt: Date | null;
  closeReason: string | null;
}

/**
 * An open case as scans see it (overdue, due-soon, 我的个案): no identity except the name, which
 * is read and decrypted only when a message actually shows it (masked).
 */
export interface CaseSummary
  extends Pick<
    CaseRecord,
    'id' | 'code' | 'categories' | 'village' | 'birthDate' | 'mentorUserId' | 'mentorName' | 'riskLevel' | 'status' | 'createdAt' | 'closedAt' | 'closeReason'
  > {
  readonly fullName: string;
  /** The latest contact day the store knows of (it may lie after a past `asOf`). */
  readonly lastContactDate: string | null;
}

export interface MandatoryReportInsert {
  caseId: number | null;
  userId: string;
  chatId: string;
  /** A risk-flag code such as `SUSPECTED_ABUSE`; never the message text. */
  sign: string;
  /** Who the bot said must be told, e.g. 镇派出所. */
  reportTo: string;
  promptedAt: Date;
}

export interface MandatoryReportRecord extends MandatoryReportInsert {
  id: number;
}

export interface AuditInsert {
  at: Date;
  /** WeCom userid, or `os:<user>` for the admin CLI. */
  actor: string;
  action: AuditAction;
  caseCode?: string | null;
  /** The purpose the viewer gave, where one was asked. */
  reason?: string | null;
  /** What was touched (field groups, CLI command); never field values. */
  detail?: string | null;
}

export interface AuditRecord {
  id: number;
  at: Date;
  actor: string;
  action: AuditAction;
  caseCode: string | null;
  reason: string | null;
  detail: string | null;
}

export type ContactMethod = '上门' | '电话' | '微信' | '在校' | '其他';

export type RiskLevel = '低' | '中' | '高';

export interface NewContact {
  caseId: number;
  /** Shanghai calendar day, `YYYY-MM-DD`. */
  date: string;
  method: ContactMethod;
  notes: string;
  /** Set when the contact also changed the case's risk level. */
  riskLevel: RiskLevel | null;
  loggedBy: string;
  createdAt: Date;
}

export type ContactDay = Pick<NewContact, 'caseId' | 'date' | 'method'>;

export interface ContactRecord extends NewContact {
  id: number;
}

/** A unit's answer to a month's risk-screening dispatch (排查上报). */
export interface ScreeningReport {
  /** `2026-11` */
  period: string;
  unit: string;
  userId: string;
  newRisks: number;
  highRisks: number;
  reportedAt: Date;
}
