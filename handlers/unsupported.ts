import type { Handler } from '../src/core/context.js';

/** Images, files, video and the rest: a polite refusal, and nothing else happens. */
export const unsupportedHandler: Handler = {
  name: 'unsupported',
  handle(ctx) {
    if (ctx.msg.kind !== 'unsupported') return null;
    return [{ text: '暂不支持这类消息（图片、文件、视频等）。请用文字描述，或发送「帮助」查看我能做什么。' }];
  },
};
