import { parseCommand } from '../domain/intake/engine.js';
import type { Reply } from '../domain/model/message.js';
import type { FormSessionRecord } from '../domain/model/records.js';
import type { Handler, HandlerContext } from './context.js';

/**
 * Every conversation that asks several questions (a registration, a contact log, a closing) is a
 * form run by the one form engine and kept as one session row per (user, chat): a second dialog
 * in the same chat can only replace the first, never run beside it. Which of the two a message
 * belongs to is decided once, here (docs/dialogs.md).
 */

/** Returned by a dialog's `start` in `once` mode when the command cannot be done in one message. */
export const NEEDS_DIALOG = Symbol('needs-dialog');

export interface DialogKind {
  /** The form id its sessions are saved under. */
  readonly formId: string;
  /** What it is, for 「您有一份未完成的…」 and 「—— 继续… ——」: 个案登记, 走访记录, 结案. */
  readonly title: string;
  /** The line above its question when it is repeated after an interruption: 「—— 继续登记 ——」. */
  readonly resumeMark: string;
  /** What starting it does, for 「…，再记录走访」. */
  readonly action: string;
  /**
   * True for a dialog that holds many answers (a registration): another dialog asked for while
   * it is open does not replace it. False for a short one, which gives way to the new command.
   */
  readonly keepsAgainstNew: boolean;
  /** This message asks for this dialog. */
  starts(ctx: HandlerContext): boolean;
  /**
   * Starts it from the message (and saves its session itself). `once`: only when the command is
   * done in this one message; otherwise nothing is changed and NEEDS_DIALOG returned.
   */
  start(ctx: HandlerContext, opts: { once: boolean }): Promise<Reply[] | typeof NEEDS_DIALOG>;
  /** False when the session has timed out; the kind has deleted it and the chat has no dialog. */
  alive(ctx: HandlerContext, session: FormSessionRecord): Promise<boolean>;
  /** Applies the message to the open dialog; null when it is not for the dialog (a paused draft). */
  answer(ctx: HandlerContext, session: FormSessionRecord): Promise<Reply[] | null>;
  /** The open question, repeated after a message that interrupted the dialog; undefined: none to repeat. */
  pending(ctx: HandlerContext, session: FormSessionRecord): Promise<Reply | undefined>;
}

/** Where a message goes. */
export type Route =
  /** No dialog is open: start the one the message asks for. */
  | { to: 'start' }
  /** The open dialog gives way: it is dropped and the asked-for one started. */
  | { to: 'replace' }
  /** The open dialog is kept: the command is done if it needs no dialog of its own, else refused. */
  | { to: 'start-once' }
  /** A one-shot command (我的个案, 查看 DJ-…) is answered and the open question repeated; anything else is an answer. */
  | { to: 'command-or-answer' }
  /** A form command (取消, 继续, 上一步, 修改 …) for the open dialog. */
  | { to: 'answer' }
  /** Neither a dialog nor a start: the other handlers take it. */
  | { to: 'pass' };

export interface RouteInput {
  active?: { formId: string; keepsAgainstNew: boolean };
  /** The dialog the message asks for, if any. */
  starting?: { formId: string };
  /** The message is a form command: 取消, 继续, 你好, 上一步, 跳过, 修改 …, 查看, 帮助. */
  control: boolean;
}

/**
 * The precedence rule, in order:
 * 1. No dialog open: a message that asks for one starts it; anything else goes to the other handlers.
 * 2. A form command (取消, 继续, 上一步, …) always goes to the open dialog.
 * 3. A message that asks for a dialog: the same kind again restarts a short dialog, and is
 *    pointed back to a registration; another kind replaces a short dialog, and next to a
 *    registration is done only when it needs no dialog of its own (「走访 DJ-… 电话 平稳」).
 * 4. A one-shot command is answered and the open question repeated under the answer.
 * 5. Anything else is an answer to the open question. A plan question typed instead is answered
 *    by the form engine, which repeats the question under it.
 */
export function route(input: RouteInput): Route {
  const { active, starting, control } = input;
  if (!active) return starting ? { to: 'start' } : { to: 'pass' };
  if (control) return { to: 'answer' };
  if (starting) {
    if (starting.formId === active.formId) return active.keepsAgainstNew ? { to: 'answer' } : { to: 'replace' };
    return active.keepsAgainstNew ? { to: 'start-once' } : { to: 'replace' };
  }
  return { to: 'command-or-answer' };
}

export const FORM_GONE_TEXT = '您之前未完成的对话所用的表单已停用，已为您结束；如需办理，请重新发送命令。';

/**
 * The one handler for every dialog: finds the open one, routes the message by `route`, and runs
 * `commands` (one-shot commands a dialog may be interrupted by) before treating a message as an
 * answer. It must come before those commands and before Q&A in the handler list. `allForms`: these
 * kinds are every form there is, so a session of any other form is left from a form a deploy
 * removed; a handler for only some kinds leaves other sessions alone.
 */
export function dialogHandler(kinds: readonly DialogKind[], commands: readonly Handler[], opts: { allForms?: boolean } = {}): Handler {
  return {
    name: 'dialogs',
    async handle(ctx) {
      const { msg, store } = ctx;
      let session = await store.sessions.get(msg.userId, msg.chatId);
      let active = session ? kinds.find((k) => k.formId === session!.formId) : undefined;
      const notes: Reply[] = [];
      if (session && !active && !opts.allForms) session = undefined;
      if (session && !active) {
        // A deploy removed this form: the user is told, never left answering a form that is gone.
        await store.sessions.delete(session.userId, session.chatId);
        notes.push({ text: FORM_GONE_TEXT });
        session = undefined;
      }
      if (session && active && !await active.alive(ctx, session)) {
        session = undefined;
        active = undefined;
      }
      const withNotes = (r: Reply[] | null): Reply[] | null => (notes.length ? [...notes, ...(r ?? [])] : r);
      if (msg.kind !== 'text' && msg.kind !== 'button') return withNotes(session && active ? await active.answer(ctx, session) : null);

      const starting = kinds.find((k) => k.starts(ctx));
      const r = route({
        ...(session && active ? { active } : {}),
        ...(starting ? { starting } : {}),
        control: parseCommand(msg.text) !== undefined,
      });
      const open = session!;
      const kind = active!;
      const repeat = async (replies: Reply[]): Promise<Reply[]> => {
        const now = await store.sessions.get(open.userId, open.chatId);
        const p = now && now.formId === kind.formId ? await kind.pending(ctx, now) : undefined;
        return p ? [...replies, { ...p, text: `${kind.resumeMark}\n${p.text}` }] : replies;
      };
      switch (r.to) {
        case 'pass':
          return withNotes(null);
        case 'start':
          return withNotes(await startNow(ctx, starting!));
        case 'replace':
          await store.sessions.delete(open.userId, open.chatId);
          return startNow(ctx, starting!);
        case 'start-once': {
          const done = await starting!.start(ctx, { once: true });
          if (done === NEEDS_DIALOG) {
            return repeat([{ text: `您有一份未完成的${kind.title}，请先完成或回复「取消」放弃，再${starting!.action}。` }]);
          }
          return repeat(done);
        }
        case 'command-or-answer':
          for (const h of commands) {
            const replies = await h.handle(ctx);
            if (replies) return repeat(replies);
          }
          return kind.answer(ctx, open);
        case 'answer':
          return kind.answer(ctx, open);
      }
    },
  };
}

async function startNow(ctx: HandlerContext, kind: DialogKind): Promise<Reply[]> {
  const r = await kind.start(ctx, { once: false });
  return r === NEEDS_DIALOG ? [] : r;
}
