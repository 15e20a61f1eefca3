import { readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** A running watch on the configuration file. */
export interface ConfigWatcher {
  close(): void;
}

/** How the configuration file is watched. */
export interface WatchOptions {
  /** Quiet time after the last change before the file is read (editors write in several steps). */
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
 * Calls `onChange` with the file's new text once it stops changing. Watches the directory, not the file: editors
 * that save by writing a new file and renaming it over the old one would end a watch on the file itself. A change
 * that leaves the text as it was (a touch) calls nothing.
 */
export function watchConfigFile(
  path: string,
  onChange: (text: string) => void,
  options: WatchOptions = {},
): ConfigWatcher {
  const name = basename(path);
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
  const watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(check, options.debounceMs ?? 300);
  });
  watcher.on('error', (error) => options.onError?.(error));
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
