import { isValidKey, KEY_GRAMMAR_DESCRIPTION } from '@flagward/core';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { isUnavailable } from './api.client';
import type { Failure } from './failure';
import { failureOf } from './failure';

/** Shows a failed call: the plain-words lines, and the server's detail when it says more. */
export function FailureBox({ failure, title }: { failure: Failure | null; title?: string }) {
  if (!failure) return null;
  const extra = failure.lines.length !== 1 || failure.lines[0] !== failure.detail;
  return (
    <div className="error" role="alert">
      {title && <strong>{title}</strong>}
      {failure.lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
      {extra && (
        <details>
          <summary>Server detail</summary>
          <p>{failure.detail}</p>
        </details>
      )}
    </div>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  failure: Failure | null;
  /** The server has no such API (404 "no route"). */
  unavailable: boolean;
  reload(): Promise<void>;
}

/** Loads data for a page and reloads it on demand; failures keep the server's problem. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [failure, setFailure] = useState<Failure | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  // The latest load function runs; the caller's deps (compared by value) decide when to run it again.
  const latest = useRef(load);
  latest.current = load;
  const depsKey = JSON.stringify(deps);
  // biome-ignore lint/correctness/useExhaustiveDependencies: depsKey stands for the caller's deps
  const reload = useCallback(async () => {
    try {
      setData(await latest.current());
      setFailure(null);
      setUnavailable(false);
    } catch (error) {
      setUnavailable(isUnavailable(error));
      setFailure(failureOf(error));
    }
  }, [depsKey]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, failure, unavailable, reload };
}

/** An on/off switch. */
export function Toggle(props: {
  checked: boolean;
  label: string;
  onChange(next: boolean): void;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={props.checked}
      aria-label={props.label}
      title={props.label}
      className={props.checked ? 'switch on' : 'switch'}
      disabled={props.disabled}
      onClick={() => props.onChange(!props.checked)}
    >
      <span className="knob" />
      <span className="switch-text">{props.checked ? 'On' : 'Off'}</span>
    </button>
  );
}

/** A modal panel over the page. */
export function Dialog(props: { title: string; onClose(): void; children: ReactNode }) {
  useEffect(() => {
    const close = (event: KeyboardEvent) => {
      if (event.key === 'Escape') props.onClose();
    };
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [props.onClose]);
  return (
    <div className="overlay">
      <div className="dialog card" role="dialog" aria-modal="true" aria-label={props.title}>
        <div className="dialog-head">
          <h3>{props.title}</h3>
          <button type="button" className="link" onClick={props.onClose} aria-label="Close">
            ✕
          </button>
        </div>
        {props.children}
      </div>
    </div>
  );
}

/** The key grammar problem of a typed key (the server's own validator), or undefined. */
export function keyMessage(value: string): string | undefined {
  if (value === '') return undefined;
  return isValidKey(value) ? undefined : `"${value}" ${KEY_GRAMMAR_DESCRIPTION}`;
}

/** A key or tag input that validates as you type. */
export function KeyInput(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  required?: boolean;
  placeholder?: string;
}) {
  const message = keyMessage(props.value);
  return (
    <label>
      {props.label}
      <input
        value={props.value}
        required={props.required}
        placeholder={props.placeholder}
        aria-invalid={message !== undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {message && <span className="field-error">{message}</span>}
    </label>
  );
}

/** Splits comma-separated tags. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
}

/** Tags typed comma-separated, each validated with the key grammar as you type. */
export function TagsInput(props: { label: string; value: string; onChange(value: string): void }) {
  const bad = parseTags(props.value).filter((t) => !isValidKey(t));
  return (
    <label>
      {props.label}
      <input
        value={props.value}
        placeholder="web, checkout"
        aria-invalid={bad.length > 0}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {bad.length > 0 && (
        <span className="field-error">
          {bad.map((t) => `"${t}"`).join(', ')} {KEY_GRAMMAR_DESCRIPTION}
        </span>
      )}
    </label>
  );
}

/** The message shown instead of a feature the server does not offer yet. */
export function Unavailable({ what }: { what: string }) {
  return <p className="muted">{what} not available on this server.</p>;
}

/** A small pill. */
export function Badge(props: { children: ReactNode; tone?: 'prod' | 'ok' | 'bad' | 'muted' }) {
  return <span className={props.tone ? `badge ${props.tone}` : 'badge'}>{props.children}</span>;
}

/** A date-time in the browser's time zone, with the UTC instant on hover. */
export function Time({ at }: { at: string }) {
  const date = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {Number.isNaN(date.getTime()) ? at : date.toLocaleString()}
    </time>
  );
}

/** `datetime-local` input value ↔ ISO-8601 UTC. */
export function localToIso(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function isoToLocal(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A table's one row saying it is empty, once its rows are loaded and there are none. */
export function EmptyRow(props: {
  rows: readonly unknown[] | undefined;
  columns: number;
  children: ReactNode;
}) {
  if (props.rows?.length !== 0) return null;
  return (
    <tr>
      <td colSpan={props.columns} className="muted">
        {props.children}
      </td>
    </tr>
  );
}
