import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One adapter folder to write: a manifest (object or raw text) and a mapping; either may be left out. */
export interface TempAdapter {
  manifest?: Record<string, unknown> | string;
  mapping?: string;
}

/** A manifest with the required fields, for `name`, accepting JSON by POST unless overridden. */
export function manifestFor(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    title: `Test ${name}`,
    vendor_docs: 'https://example.com/docs',
    content_types: ['application/json'],
    methods: ['POST'],
    alert_key: 'key',
    ...overrides,
  };
}

/** A temporary `adapters/` folder; `write` changes an adapter in place (e.g. to "fix" it before a replay). */
export function tempAdaptersDir(adapters: Record<string, TempAdapter>): {
  dir: string;
  write(name: string, adapter: TempAdapter): void;
  remove(): void;
} {
  const root = mkdtempSync(join(tmpdir(), 'alertgate-adapters-'));
  const dir = join(root, 'adapters');
  const write = (name: string, adapter: TempAdapter) => {
    mkdirSync(join(dir, name), { recursive: true });
    if (adapter.manifest !== undefined)
      writeFileSync(
        join(dir, name, 'manifest.json'),
        typeof adapter.manifest === 'string' ? adapter.manifest : JSON.stringify(adapter.manifest, null, 2),
      );
    if (adapter.mapping !== undefined) writeFileSync(join(dir, name, 'mapping.jsonata'), adapter.mapping);
  };
  for (const [name, adapter] of Object.entries(adapters)) write(name, adapter);
  return { dir, write, remove: () => rmSync(root, { recursive: true, force: true }) };
}
