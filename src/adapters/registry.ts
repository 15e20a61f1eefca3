import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { adaptersDir as defaultAdaptersDir } from '../paths.js';
import { parseDuration } from '../rules/duration.js';
import { parseManifest, type AdapterManifest } from './manifest.js';
import {
  compileMapping,
  defaultMappingLimits,
  MappingCompileError,
  type CompiledMapping,
  type MappingLimits,
} from './mapping.js';
import type { MappingPool } from './mapping-pool.js';

/** An adapter ready to evaluate: manifest validated, mapping compiled. */
export interface LoadedAdapter {
  name: string;
  /** Its folder, `adapters/<name>`. */
  dir: string;
  manifest: AdapterManifest;
  mapping: CompiledMapping;
}

/** An adapter folder that could not be loaded, and why (file, line and error). */
export interface BrokenAdapter {
  name: string;
  problems: string[];
}

/** How to load the registry. */
export interface RegistryOptions {
  /** Folder holding one folder per adapter; default the package's `adapters/`. */
  dir?: string;
  /** Disable broken adapters (and report them in `broken`) instead of refusing to start. */
  skipBroken?: boolean;
  /** Bounds on each evaluation; defaults in defaultMappingLimits. */
  limits?: Partial<MappingLimits>;
}

/** Start-up fails with this when an adapter is broken: every problem, each naming its file. */
export class AdapterLoadError extends Error {
  readonly broken: BrokenAdapter[];

  constructor(broken: BrokenAdapter[]) {
    const lines = broken.flatMap((adapter) => adapter.problems);
    super(
      `broken adapter${broken.length > 1 ? 's' : ''} (fix them, or start with --skip-broken to disable them):\n  ${lines.join('\n  ')}`,
    );
    this.name = 'AdapterLoadError';
    this.broken = broken;
  }
}

/** What a refresh changed: adapters added, updated and removed, new versions refused (the old one serves on). */
export interface AdapterChanges {
  added: string[];
  updated: string[];
  removed: string[];
  /** New versions that do not load: each adapter named here keeps serving its previous version. */
  refused: BrokenAdapter[];
  /** New folders that do not load (nothing to serve instead). */
  broken: BrokenAdapter[];
}

/** An adapter as a mapping thread adopts it: what it needs to compile the same mapping as the gateway. */
export interface AdapterSource {
  name: string;
  dir: string;
  manifest: AdapterManifest;
  file: string;
  source: string;
}

/** Names that cannot be adapters: the built-in endpoint (`standard`), email and change integrations. */
const reservedNames = new Set(['standard', 'email', 'change-standard', 'change-jira']);

/** `adapters/<name>/<file>`: how errors name an adapter's files (no server paths in 400 messages). */
function displayPath(dir: string, ...parts: string[]): string {
  return join(basename(dir), ...parts);
}

function loadAdapter(dir: string, name: string, limits: MappingLimits): LoadedAdapter | BrokenAdapter {
  const folder = join(dir, name);
  const manifestFile = join(folder, 'manifest.json');
  const mappingFile = join(folder, 'mapping.jsonata');
  if (reservedNames.has(name))
    return {
      name,
      problems: [`${displayPath(dir, name)}: "${name}" is reserved for the built-in endpoint; rename the folder`],
    };
  const missing = ['manifest.json', 'mapping.jsonata'].filter((file) => !existsSync(join(folder, file)));
  if (missing.length > 0) return { name, problems: missing.map((file) => `${displayPath(dir, name, file)}: missing`) };
  const parsed = parseManifest(readFileSync(manifestFile, 'utf8'), name);
  if ('problems' in parsed)
    return {
      name,
      problems: parsed.problems.map((problem) => `${displayPath(dir, name, 'manifest.json')}: ${problem}`),
    };
  try {
    const mapping = compileMapping(
      readFileSync(mappingFile, 'utf8'),
      displayPath(dir, name, 'mapping.jsonata'),
      limits,
    );
    return { name, dir: folder, manifest: parsed.manifest, mapping };
  } catch (error) {
    if (error instanceof MappingCompileError) return { name, problems: [error.message] };
    throw error;
  }
}

/** The adapter folders under `dir` (not loaded): what a worker, which maps nothing, checks integrations against. */
export function adapterFolderNames(dir: string = defaultAdaptersDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !reservedNames.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

function loadAll(dir: string, options: RegistryOptions): { adapters: LoadedAdapter[]; broken: BrokenAdapter[] } {
  const limits = { ...defaultMappingLimits, ...options.limits };
  const folders = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
        .map((entry) => entry.name)
        .sort()
    : [];
  const adapters: LoadedAdapter[] = [];
  const broken: BrokenAdapter[] = [];
  for (const name of folders) {
    const result = loadAdapter(dir, name, limits);
    if ('mapping' in result) adapters.push(result);
    else broken.push(result);
  }
  if (broken.length > 0 && !options.skipBroken) throw new AdapterLoadError(broken);
  return { adapters, broken };
}

function sameAdapter(a: LoadedAdapter, b: LoadedAdapter): boolean {
  return a.mapping.source === b.mapping.source && JSON.stringify(a.manifest) === JSON.stringify(b.manifest);
}

function adapterSource(adapter: LoadedAdapter): AdapterSource {
  const { name, dir, manifest, mapping } = adapter;
  return { name, dir, manifest, file: mapping.file, source: mapping.source };
}

/** Every adapter under `adapters/`, loaded and compiled once at start-up, refreshed on a reload. */
export class AdapterRegistry {
  private byName: Map<string, LoadedAdapter>;
  private brokenAdapters: BrokenAdapter[];

  private constructor(
    readonly dir: string,
    private readonly options: RegistryOptions,
    loaded: { adapters: LoadedAdapter[]; broken: BrokenAdapter[] },
  ) {
    this.byName = new Map(loaded.adapters.map((adapter) => [adapter.name, adapter]));
    this.brokenAdapters = loaded.broken;
  }

  /**
   * Loads every folder of the adapters directory: validates its manifest (AJV, schemas/adapter.schema.json) and
   * compiles its mapping. Throws AdapterLoadError naming file, line and error of each broken adapter, unless
   * `skipBroken`, which leaves them out and lists them in `broken`.
   */
  static load(options: RegistryOptions = {}): AdapterRegistry {
    const dir = options.dir ?? defaultAdaptersDir;
    return new AdapterRegistry(dir, options, loadAll(dir, options));
  }

  /**
   * Loads the folder again, adapter by adapter: new and changed adapters are swapped in, removed ones go, and a new
   * version that does not load is refused while the previous one keeps serving. With a mapping pool, its threads
   * adopt the same sources before the new versions serve.
   */
  async refresh(): Promise<AdapterChanges> {
    const loaded = loadAll(this.dir, { ...this.options, skipBroken: true });
    const changes: AdapterChanges = { added: [], updated: [], removed: [], refused: [], broken: [] };
    const next = new Map<string, LoadedAdapter>();
    for (const adapter of loaded.adapters) {
      const current = this.byName.get(adapter.name);
      if (current && sameAdapter(current, adapter)) next.set(adapter.name, current);
      else {
        (current ? changes.updated : changes.added).push(adapter.name);
        next.set(adapter.name, adapter);
      }
    }
    for (const broken of loaded.broken) {
      const current = this.byName.get(broken.name);
      if (current) next.set(broken.name, current);
      (current ? changes.refused : changes.broken).push(broken);
    }
    changes.removed = this.names().filter((name) => !next.has(name));
    const sorted = new Map([...next].sort(([a], [b]) => a.localeCompare(b)));
    if (this.pool) await this.pool.adopt([...sorted.values()].map(adapterSource));
    this.byName = this.pool ? this.onPool(sorted, this.pool) : sorted;
    this.brokenAdapters = changes.broken;
    return changes;
  }

  /** In a mapping thread: compiles the adapters the gateway serves (unchanged ones are kept as compiled). */
  adopt(sources: readonly AdapterSource[]): void {
    const limits = { ...defaultMappingLimits, ...this.options.limits };
    this.byName = new Map(
      sources.map((source) => {
        const current = this.byName.get(source.name);
        if (current && current.mapping.source === source.source) return [source.name, current];
        const mapping = compileMapping(source.source, source.file, limits);
        return [source.name, { name: source.name, dir: source.dir, manifest: source.manifest, mapping }];
      }),
    );
  }

  private pool: MappingPool | undefined;

  /**
   * Sends every evaluation to a mapping pool (worker threads with their own compiled adapters); manifests,
   * signatures and normalisation stay here. The pool's threads compiled the same folder at start-up.
   */
  evaluateOn(pool: MappingPool): void {
    this.pool = pool;
    this.byName = this.onPool(this.byName, pool);
  }

  private onPool(adapters: ReadonlyMap<string, LoadedAdapter>, pool: MappingPool): Map<string, LoadedAdapter> {
    return new Map(
      [...adapters].map(([name, adapter]) => [
        name,
        {
          ...adapter,
          mapping: {
            file: adapter.mapping.file,
            source: adapter.mapping.source,
            evaluate: (input, bindings, inputBytes = 0) => pool.evaluate(name, input, bindings, inputBytes),
          },
        },
      ]),
    );
  }

  /** Adapters disabled because they are broken (only with `skipBroken`). */
  get broken(): BrokenAdapter[] {
    return this.brokenAdapters;
  }

  /** The adapter called `name`, if loaded. */
  get(name: string): LoadedAdapter | undefined {
    return this.byName.get(name);
  }

  /** Names of the loaded adapters, sorted: what integrations may name. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The loaded adapters, sorted by name. */
  list(): LoadedAdapter[] {
    return [...this.byName.values()];
  }
}

/**
 * The manifests' `auto_resolve` defaults, in ms by adapter name, read from the folders without compiling anything
 * (the worker needs them, not the mappings). A folder whose manifest does not load has none.
 */
export function autoResolveDefaults(dir: string = defaultAdaptersDir): Map<string, number> {
  const defaults = new Map<string, number>();
  for (const name of adapterFolderNames(dir)) {
    const file = join(dir, name, 'manifest.json');
    if (!existsSync(file)) continue;
    const parsed = parseManifest(readFileSync(file, 'utf8'), name);
    const after = 'manifest' in parsed ? parsed.manifest.auto_resolve?.after : undefined;
    const ms = after === undefined ? undefined : parseDuration(after);
    if (ms !== undefined && ms > 0) defaults.set(name, ms);
  }
  return defaults;
}
