/**
 * One Server-Sent Event as dispatched by {@link SseParser} (`event` defaults to `message`).
 *
 * @example
 * const event: ServerSentEvent = { event: 'patch', data: '{"key":"checkout-v2"}', id: '42' };
 */
export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental parser of the `text/event-stream` format (WHATWG HTML §9.2.6): feed it decoded text
 * in chunks of any size; it calls `onEvent` for every complete event and `onComment` for comment lines
 * (heartbeats). Lines may end with CRLF, LF or CR; a leading BOM is ignored; `retry` is reported
 * through `onRetry`.
 *
 * @example
 * const parser = new SseParser({ onEvent: (e) => console.log(e.event, e.data) });
 * parser.push('event: put\ndata: {"version":1}\n\n'); // logs: put {"version":1}
 */
export class SseParser {
  private buffer = '';
  private started = false;
  private eventType = '';
  private data: string[] = [];
  private hasData = false;
  private lastId: string | undefined;
  private pendingCr = false;

  constructor(
    private readonly handlers: {
      onEvent(event: ServerSentEvent): void;
      onComment?(text: string): void;
      onRetry?(milliseconds: number): void;
    },
  ) {}

  /**
   * Parses the next chunk of decoded text.
   *
   * @example
   * parser.push('data: hel');
   * parser.push('lo\n\n'); // dispatches { event: 'message', data: 'hello' }
   */
  push(chunk: string): void {
    let text = chunk;
    if (!this.started) {
      if (text.length === 0) return;
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    let start = 0;
    const buffer = this.buffer;
    for (let i = 0; i < buffer.length; i++) {
      const code = buffer.charCodeAt(i);
      if (code !== 10 && code !== 13) continue;
      this.line(buffer.slice(start, i));
      if (code === 13) {
        if (i + 1 < buffer.length) {
          if (buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      this.handlers.onComment?.(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    if (!this.hasData) {
      this.eventType = '';
      return;
    }
    const event: ServerSentEvent = { event: this.eventType || 'message', data: this.data.join('\n') };
    if (this.lastId !== undefined) event.id = this.lastId;
    this.eventType = '';
    this.data = [];
    this.hasData = false;
    this.handlers.onEvent(event);
  }
}
