import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Listens to the server's incident stream (Server-Sent Events, /api/v1/stream) and calls `onChange` with the ids
 * of changed incidents, batched over 250 ms. Returns whether the stream is connected. The browser reconnects by
 * itself; nothing polls.
 */
export function useIncidentStream(onChange: (ids: string[]) => void): boolean {
  const [connected, setConnected] = useState(false);
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    const source = new EventSource('/api/v1/stream');
    let pending: string[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('incidents', (message) => {
      const { ids } = JSON.parse((message as MessageEvent<string>).data) as { ids: string[] };
      pending.push(...ids);
      timer ??= setTimeout(() => {
        const batch = pending;
        pending = [];
        timer = undefined;
        callback.current(batch);
      }, 250);
    });
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, []);
  return connected;
}
