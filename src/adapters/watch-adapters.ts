import { watch } from 'node:fs';

/** A running watch on the adapters folder. */
export interface AdaptersWatcher {
  close(): void;
}

/**
 * Calls `onChange` once the adapters folder (any file of any adapter) stops changing for `debounceMs`: an editor
 * saving a mapping, a new adapter folder copied in. `onError` hears when the folder cannot be watched.
 */
export function watchAdapters(
  dir: string,
  onChange: () => void,
  onError: (error: Error) => void,
  debounceMs = 300,
): AdaptersWatcher {
  let timer: NodeJS.Timeout | undefined;
  try {
    const watcher = watch(dir, { persistent: false, recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', onError);
    return {
      close() {
        clearTimeout(timer);
        watcher.close();
      },
    };
  } catch (error) {
    onError(error as Error);
    return { close: () => undefined };
  }
}
