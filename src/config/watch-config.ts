import { readFileSync, unwatchFile, watchFile } from 'node:fs';

/** A running watch on the configuration file. */
export interface ConfigWatcher {
  close(): void;
}

/** How the configuration file is watched. */
export interface WatchOptions {
  /** How often the file's metadata is looked at (default 1 s). */
  intervalMs?: number;
  /** Quiet time after the last change seen before the file is read (editors write in several steps). */
  debounceMs?: number;
  onError?: (error: Error) => void;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Calls `onChange` with the file's new text once it stops changing. The path's metadata is polled (a `stat` a
 * second) rather than watched through the kernel: a watch on the file ends when an editor renames a new file over
 * it, a watch on a link misses a Kubernetes ConfigMap swapping the link's target, and a watch on the folder hears
 * every write to every file in it: with the SQLite database beside the configuration, each page the store writes
 * would wake the process. A change that leaves the text as it was (a touch) calls nothing.
 */
export function watchConfigFile(
  path: string,
  onChange: (text: string) => void,
  options: WatchOptions = {},
): ConfigWatcher {
  let last = readIfPresent(path);
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    timer = undefined;
    try {
      const text = readIfPresent(path);
      // Gone (mid-rename or deleted): the running configuration stays until the file is back.
      if (text === undefined || text === last) return;
      last = text;
      onChange(text);
    } catch (error) {
      options.onError?.(error as Error);
    }
  };
  // Called when the path's metadata differs from the last look (another file, a new time or size).
  const listener = (): void => {
    clearTimeout(timer);
    timer = setTimeout(check, options.debounceMs ?? 300);
  };
  const intervalMs = options.intervalMs ?? 1_000;
  watchFile(path, { persistent: false, interval: intervalMs }, listener);
  // The watch's first look happens in the background: a change before it would be its starting point, not a change.
  timer = setTimeout(check, intervalMs + (options.debounceMs ?? 300));
  return {
    close() {
      clearTimeout(timer);
      unwatchFile(path, listener);
    },
  };
}
