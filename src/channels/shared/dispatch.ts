import type { DispatchResult, MessageSink } from '../../core/channel.js';
import type { InboundMessage } from '../../domain/model/message.js';
import type { Logger } from '../../core/log.js';

/**
 * Hands one message to the sink. A failure is logged (never the text) and gives undefined: the
 * user gets no answer rather than the channel dying. A redelivered message is logged as such; its
 * first answer comes back to be sent again, since the platform redelivers when it is not sure the
 * answer arrived, and answering twice is better than leaving a cadre without one.
 */
export async function dispatchLogged(sink: MessageSink, msg: InboundMessage, log: Logger): Promise<DispatchResult | undefined> {
  let result: DispatchResult;
  try {
    result = await sink(msg);
  } catch (err) {
    log.error({ msgId: msg.id, err: (err as Error).message }, 'dispatch failed');
    return undefined;
  }
  if (result.duplicate) log.info({ msgId: msg.id }, 'redelivered message: repeating the first answer');
  return result;
}
