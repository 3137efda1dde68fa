import { describe, expect, it } from 'vitest';
import { type ServerSentEvent, SseParser } from './sse.parser';

function parse(chunks: string[]) {
  const events: ServerSentEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = new SseParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
    onRetry: (r) => retries.push(r),
  });
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments, retries };
}

describe('SseParser', () => {
  it('parses events with ids, types, multi-line data, comments and retry', () => {
    const { events, comments, retries } = parse([
      '\uFEFFid: 7\nevent: put\ndata: {"a":1}\n\n: heartbeat\n\ndata: line 1\ndata: line 2\nretry: 500\n\n',
    ]);
    expect(events).toEqual([
      { event: 'put', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'line 1\nline 2', id: '7' },
    ]);
    expect(comments).toEqual(['heartbeat']);
    expect(retries).toEqual([500]);
  });

  it('gives the same events whatever the chunking and line endings (LF, CRLF split across chunks, CR)', () => {
    const text = 'event: patch\r\ndata: {"key":"é😀"}\r\n\r\nevent: put\rdata: x\r\rdata:no-space\n\n';
    const whole = parse([text]).events;
    expect(whole).toEqual([
      { event: 'patch', data: '{"key":"é😀"}' },
      { event: 'put', data: 'x' },
      { event: 'message', data: 'no-space' },
    ]);
    for (let size = 1; size < 8; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(parse(chunks).events, `chunks of ${size}`).toEqual(whole);
    }
  });

  it('dispatches nothing for an event without data and keeps an incomplete event until it ends', () => {
    expect(parse(['event: put\n\n']).events).toEqual([]);
    expect(parse(['data: half']).events).toEqual([]);
    expect(parse(['data: half', '\n\n']).events).toEqual([{ event: 'message', data: 'half' }]);
    expect(parse(['unknown: x\ndata\n\n']).events).toEqual([{ event: 'message', data: '' }]);
  });
});
