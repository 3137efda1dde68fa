import type { ServerResponse } from 'node:http';

/** Unsent bytes a connection may hold before it is dropped (its SDK reconnects and gets a fresh `put`). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * One Server-Sent-Events response. Events are written as `id:`/`event:`/`data:` blocks; `data` is
 * always single-line JSON. A client that stops reading is disconnected rather than buffered forever.
 */
export class SseConnection {
  private ended = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    private readonly response: ServerResponse,
    /** The SHA-256 of the server key the client authenticated with (a rotation closes the stream). */
    readonly keyHash: string,
  ) {
    response.on('close', () => this.finish());
  }

  /** Sends the response head; call once, before any event. */
  open(requestId: string): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': requestId,
    });
    this.response.flushHeaders();
  }

  get closed(): boolean {
    return this.ended;
  }

  onClose(listener: () => void): void {
    if (this.ended) listener();
    else this.closeListeners.push(listener);
  }

  send(event: string, data: string, id: number): void {
    this.write(`id: ${id}\nevent: ${event}\ndata: ${data}\n\n`);
  }

  /** A comment line: ignored by clients, keeps proxies and idle timers from closing the stream. */
  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  close(): void {
    if (this.ended) return;
    this.response.end();
    this.finish();
  }

  private write(chunk: string): void {
    if (this.ended) return;
    if (this.response.writableLength > MAX_BUFFERED_BYTES) {
      this.response.destroy();
      this.finish();
      return;
    }
    this.response.write(chunk);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
