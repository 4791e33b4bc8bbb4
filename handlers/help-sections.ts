import { QA_CAPABILITIES } from '../src/domain/qa/capabilities.js';
import type { HandlerContext } from './types.js';

/**
 * The help menu, one section per feature. A feature adds its entry here (with `visible` when only
 * some people may use it); the help handler and the welcome message render whatever is listed.
 */
export interface HelpSection {
  title: string;
  lines: readonly string[];
  /** Shown only when this returns true (e.g. intake is for configured members). Default: always. */
  visible?: (ctx: HandlerContext) => boolean;
}

export const HELP_SECTIONS: HelpSection[] = [
  {
    title: '问实施方案（直接提问即可）',
    lines: QA_CAPABILITIES.map((c) => `${c.what}：「${c.example}」`),
  },
];
