import type { PushTarget, Reply } from '../model/message.js';
import type { Frequency } from '../followup/contact-rule.js';
import type { CategoryCode } from '../plan/types.js';
import type { AuditVerifyResult } from '../security/audit-chain.js';
import type {
  InboundRecord,
  OutboxItem,
  OutboxInsert,
  ChatRecord,
  JobRun,
  FormSessionRecord,
  NewCase,
  CaseCategoryRecord,
  CaseRecord,
  CaseSummary,
  MandatoryReportInsert,
  MandatoryReportRecord,
  AuditInsert,
  AuditRecord,
  ContactMethod,
  RiskLevel,
  NewContact,
  ContactDay,
  ContactRecord,
  ScreeningReport,
} from '../model/records.js';

/**
 * Persistence behind one interface. The SQLite adapter (`store/sqlite/`) is the default. Every
 * method is asynchronous; a handler's changes and the outbox rows they cause commit in one
 * transaction (see {@link Store.transaction}).
 *
 * Each area is its own small repository so that features add an area without touching others.
 */
export interface Store {
  readonly inbound: InboundRepo;
  readonly outbox: OutboxRepo;
  readonly chats: ChatRepo;
  readonly sessions: SessionRepo;
  readonly cases: CaseRepo;
  readonly jobRuns: JobRunRepo;
  readonly audit: AuditRepo;
  readonly followup: FollowupRepo;
  readonly stats: StatsRepo;
  readonly cards: CardRepo;
  readonly outcomes: OutcomeRepo;
  /** The group filter's keyed hashes of the names and numbers on file (see store/sql/identity-marks.ts). */
  readonly identityMarks: IdentityMarkRepo;
  /** The MAC over each case row (see store/sql/case-seal.ts); checked by `audit verify`. */
  readonly caseSeals?: { firstBroken(): Promise<{ code: string | null; count: number }> };
  /**
   * Runs `fn` atomically: every store call made inside it (found through the async context, so
   * also from functions it calls) is part of the transaction; committed when `fn` resolves,
   * rolled back when it throws. A nested call is a savepoint of the outer transaction.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * After erasing (purge): make sure no old copy of what was overwritten stays in the files
   * (SQLite: the WAL is checkpointed and truncated; deleted cells are zeroed as they are freed).
   */
  compact(): Promise<void>;
  /** Online backup to `file` (SQLite backup API); safe while the bot runs. */
  backup(file: string): Promise<void>;
  close(): Promise<void>;
}

export interface InboundRepo {
  /** Record a message id; false when it was already handled (a redelivery). */
  claim(msg: InboundRecord, now: Date): Promise<boolean>;
  /** Remember what was answered, so a redelivered message can get the same answer again. */
  saveReplies(channel: string, id: string, replies: Reply[]): Promise<void>;
  replies(channel: string, id: string): Promise<Reply[] | undefined>;
  /**
   * Retention: replies of messages received before `repliesBefore` are dropped (a platform
   * redelivers within minutes, not days), and message ids before `idsBefore` are deleted.
   */
  prune(repliesBefore: Date, idsBefore: Date): Promise<{ replies: number; ids: number }>;
  /** Drops every cached reply (purge: they may quote an erased case). */
  forgetReplies(): Promise<number>;
}

export interface OutboxRepo {
  /** Returns the new row id, or null when `dedupeKey` was already used. */
  enqueue(item: OutboxInsert, now: Date): Promise<number | null>;
  /** Unsent rows whose next attempt is due, oldest first, leaving out rows for `skip` targets. */
  due(now: Date, limit: number, skip?: readonly PushTarget[]): Promise<OutboxItem[]>;
  markSent(id: number, now: Date, deliveredTo?: PushTarget): Promise<void>;
  markFailed(id: number, error: string, retryAt: Date): Promise<void>;
  pending(): Promise<number>;
  list(limit: number): Promise<OutboxItem[]>;
  /** Park a row until its person can be reached; due() leaves it out meanwhile. */
  hold(id: number, error: string, now: Date): Promise<void>;
  /** Rows held for this target, newest first. */
  heldFor(target: PushTarget): Promise<OutboxItem[]>;
  /** Make the held rows for this target due now (they wrote to the bot). */
  release(target: PushTarget, now: Date): Promise<number>;
  /** How many rows are held, per target. */
  heldCounts(): Promise<Array<{ target: PushTarget; count: number; oldest: Date }>>;
  /** Record that `parts` parts of a row were delivered. */
  markParts(id: number, parts: number): Promise<void>;
  /** Stop trying a row for good. */
  giveUp(id: number, error: string, now: Date): Promise<void>;
  /**
   * Purge: unsent rows created before `before` lose their body (they may quote an erased case)
   * and are marked failed for good. Sent rows have no body already.
   */
  dropUnsentBefore(before: Date): Promise<number>;
  /** Sent rows keep no body (markSent blanks it); this blanks those sent before that was so. */
  forgetSentBodies(): Promise<number>;
}

export interface ChatRepo {
  /** Remember that a chat reached the bot: WeCom lets the bot push only into such chats. */
  touch(chatId: string, chatType: 'single' | 'group', userId: string, now: Date): Promise<void>;
  get(chatId: string): Promise<ChatRecord | undefined>;
  list(): Promise<ChatRecord[]>;
}

/**
 * A card a channel sent, which someone may tap hours later (and after a restart): whom it asked,
 * in which turn of theirs, and which question. `body` is the channel's own description of the
 * card (title, choices); it is stored encrypted with the data key.
 */
export interface SentCard {
  taskId: string;
  chatId: string;
  /** Whose conversation turn it belongs to: the person asked (or the group, for a group push). */
  userId: string;
  /** In a group, the one person whose tap counts. */
  forUser: string | null;
  turn: number;
  /** The question it asks (Reply.card.key), when the dialog gave one. */
  key: string | null;
  /** Quick actions and a reminder's buttons answer no question: never stale, only expired. */
  standing: boolean;
  body: unknown;
  createdAt: Date;
  expiresAt: Date;
}

/** The last thing a channel said to a person in a conversation: a card of an older turn is stale. */
export interface ConversationTurn {
  turn: number;
  /** The question that reply asks (Reply.card.key), if any. */
  key: string | null;
  /** Shown again after a tap on a stale card; encrypted with the data key. */
  reply: Reply | null;
  at: Date;
}

/** How long a sent card can still be tapped; conversation turns are kept as long. */
export const CARD_LIFE_MS = 7 * 24 * 3600_000;

export interface CardRepo {
  save(card: SentCard): Promise<void>;
  /** The card, unless it expired by `now`. */
  get(taskId: string, now: Date): Promise<SentCard | undefined>;
  /** Insert or replace the last turn of (chatId, userId). */
  saveTurn(chatId: string, userId: string, turn: ConversationTurn): Promise<void>;
  turn(chatId: string, userId: string): Promise<ConversationTurn | undefined>;
  /** Drops cards expired by `now` and turns older than `turnsBefore`. */
  prune(now: Date, turnsBefore: Date): Promise<{ cards: number; turns: number }>;
  /** Purge: every remembered reply and card goes (they may quote an erased case). */
  forget(): Promise<number>;
}

/**
 * What a dialog ended with (a case saved), per (user, chat), for a while: when the answer was
 * lost on its way and the person types 「确认」 again, they get it again rather than 「no rule」.
 */
export interface DialogOutcome {
  /** What ended, e.g. `intake.saved`. */
  kind: string;
  /** What the bot answered then; stored encrypted with the data key. */
  reply: Reply;
  at: Date;
}

/**
 * How long a dialog's outcome answers a repeated 「确认」: long enough for a connection that was
 * down for a working day to come back and the cadre to try again.
 */
export const OUTCOME_LIFE_MS = 12 * 3600_000;

export interface OutcomeRepo {
  save(userId: string, chatId: string, outcome: DialogOutcome): Promise<void>;
  /** The outcome remembered for (user, chat), if it ended at or after `since`. */
  get(userId: string, chatId: string, since: Date): Promise<DialogOutcome | undefined>;
  delete(userId: string, chatId: string): Promise<void>;
  /** Drops outcomes that ended before `before`. */
  prune(before: Date): Promise<number>;
  /** Purge: all of them go. */
  forget(): Promise<number>;
}

export interface JobRunRepo {
  /** False when the (job, period) already ran: the caller must then send nothing. */
  record(run: JobRun): Promise<boolean>;
  get(job: string, period: string): Promise<JobRun | undefined>;
  last(job: string): Promise<JobRun | undefined>;
}

export interface SessionRepo {
  get(userId: string, chatId: string): Promise<FormSessionRecord | undefined>;
  /** Insert or replace the session of (userId, chatId). */
  save(session: FormSessionRecord): Promise<void>;
  /** False when there was none. */
  delete(userId: string, chatId: string): Promise<boolean>;
  /** Sessions whose last activity is before `cutoff`, oldest first. */
  idleSince(cutoff: Date): Promise<FormSessionRecord[]>;
}

export interface OpenSummaryFilter {
  /**
   * Only cases with no contact dated from this day up to `asOfDay`: lets a scan for overdue or
   * not-yet-contacted cases skip, in the database, the large majority that were visited.
   */
  notContactedSince?: string;
  asOfDay?: string;
  /**
   * One page by id: cases with an id above `afterId`, at most `limit` of them. A county-wide scan
   * reads page after page, so its 100,000 summaries are never all in memory at once.
   */
  afterId?: number;
  limit?: number;
  /** Only the cases this user mentors (「我的个案」, 走访 without a code): read through an index. */
  mentorUserId?: string;
  /** Only the cases this unit leads in one of their categories (逾期 for a lead-unit member). */
  leadUnit?: string;
}

/** The fields of a case that may be completed after it exists. */
export type CasePatch = Partial<
  Pick<
    NewCase,
    | 'fullName' | 'birthDate' | 'idNumber' | 'idHash' | 'dupKey' | 'village' | 'schoolStatus' | 'schoolDetail' | 'guardianName'
    | 'guardianRelation' | 'guardianPhone' | 'guardianshipMode' | 'riskLevel' | 'bangjiaoName' | 'bangjiaoPhone' | 'details'
  >
> & {
  /** New lead units of the case's categories (the categories themselves and their order stay). */
  categories?: CaseCategoryRecord[];
};

export interface CaseRepo {
  /** Reserve the next serial of `year` and return the code; call inside the creating transaction. */
  nextCode(prefix: string, year: number): Promise<string>;
  insert(c: NewCase): Promise<CaseRecord>;
  /**
   * Writes fields completed after registration (「补充 DJ-…」) to the case: encrypted, the row
   * resealed and the group filter's marks renewed like an insert. `details` replaces the whole JSON.
   */
  update(caseId: number, patch: CasePatch, now: Date): Promise<CaseRecord>;
  getByCode(code: string): Promise<CaseRecord | undefined>;
  findByIdHash(idHash: string): Promise<CaseRecord[]>;
  findByDupKey(dupKey: string): Promise<CaseRecord[]>;
  /** All cases, oldest first. */
  list(): Promise<CaseRecord[]>;
  /** All cases, oldest first, read `pageSize` at a time: a county export never holds them all. */
  each(pageSize?: number): AsyncGenerator<CaseRecord>;
  /** How many cases there are, and how many hold sealed details (for the export's audit entry). */
  counts(): Promise<{ total: number; sealed: number }>;
  /** Open cases as compact summaries, oldest first: what a county-wide scan can afford. */
  openSummaries(filter?: OpenSummaryFilter): Promise<CaseSummary[]>;
  /** Every case, open or closed, as a compact summary (for statistics). */
  summaries(): Promise<CaseSummary[]>;
  /** Whether the unit leads any case, open or closed (one indexed lookup, not a scan). */
  anyLedBy(unit: string): Promise<boolean>;
  recordMandatoryReport(r: MandatoryReportInsert): Promise<number>;
  /** Link prompts made while the case was still a draft to the case. */
  attachMandatoryReports(ids: readonly number[], caseId: number): Promise<void>;
  mandatoryReports(caseId?: number): Promise<MandatoryReportRecord[]>;
  /**
   * Decrypted names (child, guardian, 帮教联系人) and numbers (ID, phones) of cases with an id
   * above `id`, by id; at most `limit` of them, so a county's 100,000 can be read a page at a time.
   */
  identitySince(id: number, limit?: number): Promise<Array<{ id: number; names: string[]; numbers: string[]; broken?: boolean }>>;
  /**
   * Retention (docs/domain-rules.md P10): closed cases closed before `cutoff` lose every identifying field
   * (name, ID number, phones, contacts' names, school detail, notes, details, contact notes);
   * code, categories, village, gender, birth year, risk and dates stay so counts still add up.
   * Returns the codes anonymised now; already anonymised cases are skipped.
   */
  anonymiseClosedBefore(cutoff: Date, now: Date): Promise<string[]>;
}

/**
 * The group filter's index on disk: a keyed hash of every name (see nameKey) and number (see
 * numberKeys) on file, written with each case, so a group-bound message is checked with one
 * indexed lookup and nothing has to be decrypted first.
 */
export interface IdentityMarkRepo {
  /** True while some case (from before the index existed) has no marks yet. */
  pending(): Promise<boolean>;
  /**
   * Marks the next `limit` cases not yet covered, read with `read` (CaseRepo.identitySince),
   * in one transaction. `broken`: cases whose identity could not be decrypted (left unmarked).
   */
  fill(read: (afterId: number, limit: number) => Promise<Array<{ id: number; names: string[]; numbers: string[]; broken?: boolean }>>, limit: number): Promise<{ more: boolean; broken: number[] }>;
  /** The longest name on file, in characters: how long a stretch of text can be a name. */
  longestName(): Promise<number>;
  /** Which of `values` are a name (number, first two characters of a name) on file. */
  onFile(kind: MarkKind, values: readonly string[]): Promise<Set<string>>;
}

/**
 * What a mark stands for. `start` is the first two characters of a name: a message is first
 * looked up by its character pairs, and only where a pair starts a name on file are the longer
 * stretches looked up, so a long message costs about one lookup per character.
 */
export type MarkKind = 'name' | 'number' | 'start';

/** Append-only log of views, exports and changes (docs/domain-rules.md P6). */
export interface AuditRepo {
  append(e: AuditInsert): Promise<AuditRecord>;
  list(filter?: { caseCode?: string }): Promise<AuditRecord[]>;
  /** Checks the hash chain, the reasons against their digests and the signed head; names the first problem. */
  verify(): Promise<AuditVerifyResult>;
  /** Purge: the reasons given for entries about these cases are deleted; the entries stay. */
  eraseReasonsOf(caseCodes: readonly string[]): Promise<number>;
}

/** Follow-up on open cases: contacts, closing, reassigning, screening replies, short dialogs. */
export interface FollowupRepo {
  /** Stores the contact; a new risk level is written to the case in the same call. */
  addContact(c: NewContact): Promise<ContactRecord>;
  /** Contacts with `from <= date <= to` (YYYY-MM-DD, both optional), oldest first. */
  contacts(filter?: { caseId?: number; from?: string; to?: string }): Promise<ContactRecord[]>;
  /** When and how each contact in a date range was made, without its notes (for statistics). */
  contactDays(filter?: { from?: string; to?: string }): Promise<ContactDay[]>;
  /** The latest contact day of one case on or before a day, or null. */
  lastContactOn(caseId: number, onOrBefore: string): Promise<string | null>;
  /** The latest contact date of each case that has one, optionally only among those on or before a day. */
  lastContactDates(onOrBefore?: string): Promise<Map<number, string>>;
  close(caseId: number, reason: string, now: Date): Promise<void>;
  reassign(caseId: number, mentorUserId: string, mentorName: string, now: Date): Promise<void>;
  /** Insert or replace the unit's report for the period. */
  saveScreening(r: ScreeningReport): Promise<void>;
  screenings(period: string): Promise<ScreeningReport[]>;
  dialog(userId: string, chatId: string): Promise<{ state: unknown; updatedAt: Date } | undefined>;
  saveDialog(userId: string, chatId: string, state: unknown, now: Date): Promise<void>;
  deleteDialog(userId: string, chatId: string): Promise<void>;
}

/**
 * A contact window of the quarterly report's coverage (帮扶覆盖率): the cases of one frequency
 * that were due in it, and how many of them have a contact dated in it.
 */
export interface StatsWindow {
  /** Which cases the window is for: those whose most frequent category follows this frequency. */
  frequency: Frequency;
  /** Due: registered before `startsAt` (the window's first local midnight) and not closed before `endsAt` (the one after its last day). */
  startsAt: Date;
  endsAt: Date;
  /** Covered: a contact dated `from`..`to` (YYYY-MM-DD). */
  from: string;
  to: string;
}

/** What the quarterly report counts; the domain works out the windows (src/domain/followup/quarterly-stats.ts). */
export interface QuarterQuery {
  /** Cases registered or closed from `start` to `until` are the quarter's new and closed ones; open means open at `until`. */
  start: Date;
  until: Date;
  /** Contacts dated `fromDay`..`toDay` are counted. */
  fromDay: string;
  toDay: string;
  /** Each category's contact frequency: a case follows the most frequent of its categories. */
  categoryFrequency: Readonly<Record<CategoryCode, Frequency>>;
  windows: readonly StatsWindow[];
  /** The first day of the earliest window (a half year or week may begin before the quarter): contacts from here count for coverage. */
  contactsFrom: string;
  /**
   * Overdue at `until`, per frequency: an open case registered before `createdBefore` with no
   * contact dated from `since` to `toDay` (the previous window started on `since`).
   */
  overdue: Record<Frequency, { since: string; createdBefore: Date }>;
}

/**
 * A count per value, leaving out values with none. Where the values are open-ended (villages,
 * close reasons) they come in the order a list of cases by id first meets them; else by value.
 */
export interface KeyCount<K = string> {
  key: K;
  count: number;
}

export interface QuarterAggregates {
  open: number;
  openByCategory: KeyCount<CategoryCode>[];
  openByVillage: KeyCount[];
  /** The null key: cases whose risk level is not assessed yet. */
  openByRisk: KeyCount<RiskLevel | null>[];
  newCases: number;
  newByCategory: KeyCount<CategoryCode>[];
  closed: number;
  /** The stored close reason (code, label, text), null when none was kept. */
  closedByReason: KeyCount<string | null>[];
  contacts: number;
  contactsByMethod: KeyCount<ContactMethod>[];
  /** In the order of {@link QuarterQuery.windows}. */
  windows: Array<{ due: number; covered: number }>;
  overdue: number;
}

/** Statistics counted in the database, so a county's 100,000 cases never reach the heap. */
export interface StatsRepo {
  quarter(q: QuarterQuery): Promise<QuarterAggregates>;
}
