/** One Server-Sent Event, or a comment line (`event: 'comment'`). */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** A test client of `GET /sdk/v1/stream` over real HTTP: collects events and waits for them. */
export interface SseTestClient {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** The next event (not yet taken) matching `predicate`, waiting up to `timeoutMs`. */
  next(predicate?: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** Connects to an SSE endpoint with `Authorization` (and optionally `Last-Event-ID`). */
export async function connectSse(
  url: string,
  authorization: string,
  lastEventId?: string,
): Promise<SseTestClient> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: {
      authorization,
      accept: 'text/event-stream',
      ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  let taken = 0;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  let done = false;
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    let current: Partial<SseEvent> & { data?: string } = {};
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (current.data !== undefined || current.event !== undefined) {
              events.push({ event: current.event ?? 'message', data: current.data ?? '', id: current.id });
            }
            current = {};
          } else if (line.startsWith(':')) {
            events.push({ event: 'comment', data: line.slice(1).trim() });
          } else {
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data')
              current.data = current.data === undefined ? value : `${current.data}\n${value}`;
            else if (field === 'event') current.event = value;
            else if (field === 'id') current.id = value;
          }
          newline = buffer.indexOf('\n');
        }
        notify();
      }
    } catch {
      // aborted by close()
    } finally {
      done = true;
      notify();
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    ended,
    async next(predicate = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (let i = taken; i < events.length; i++) {
          const event = events[i]!;
          if (predicate(event)) {
            taken = i + 1;
            return event;
          }
        }
        if (done) throw new Error(`the stream ended; events so far: ${JSON.stringify(events)}`);
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`no matching event; events so far: ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            waiters.delete(wake);
            resolve();
          }, remaining);
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
    },
    close() {
      controller.abort();
    },
  };
}
