import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { formatAgo, formatTime } from './format';
import { navigate } from './router';

/** A link inside the console: navigates without reloading (modified clicks open a tab as usual). */
export function Link(props: AnchorHTMLAttributes & { href: string }) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}

export function SeverityBadge({ severity }: { severity: string }) {
  return <span class={`badge sev-${severity.toLowerCase()}`}>{severity}</span>;
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge ${kind}`}>{children}</span>;
}

/** A time with its full date (and zone) on hover, and how long ago. */
export function Time({ ms }: { ms: number | null | undefined }) {
  if (typeof ms !== 'number') return <span>—</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatTime(ms)}>
      {formatAgo(ms)}
    </time>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof ApiError ? `${error.code}: ${error.message}` : String((error as Error).message ?? error);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Labels({ labels }: { labels: Record<string, string> | null | undefined }) {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return <span class="muted">no labels</span>;
  return (
    <ul class="labels">
      {entries.map(([key, value]) => (
        <li key={key}>
          <span class="label-key">{key}</span>=<span>{value}</span>
        </li>
      ))}
    </ul>
  );
}

/** A button that copies text to the clipboard and says so. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (plain http): select-and-copy fallback.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" class="secondary" onClick={copy}>
      {done ? 'Copied' : label}
    </button>
  );
}

/** Loads data when its key changes; `reload` fetches again. */
export function useData<T>(key: string, load: () => Promise<T>) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, version]);
  return { ...state, reload: () => setVersion((v) => v + 1) };
}

export function Field({ label, children, wide }: { label: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <label class={wide ? 'field wide' : 'field'}>
      <span>{label}</span>
      {children}
    </label>
  );
}

export function JsonBlock({ value }: { value: unknown }) {
  return <pre class="code">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}
