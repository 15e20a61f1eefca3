import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adaptersDir } from '../paths.js';
import { loadFixtures, runFixture, writeExpected } from './fixtures.js';
import { AdapterRegistry } from './registry.js';

const mappingTemplate = (
  name: string,
): string => `/* ${name}: <vendor>'s webhook. Replace every <...> and the example fields with the source's own.
   Docs: <link to the vendor's webhook documentation>
   Payload: one notification per alert: {id, status, severity, name, message, host, tags{}, timestamp}.
   Status: status "resolved" -> Ok; otherwise severity critical -> Critical, warning -> Warning, info -> Info,
   anything else -> Warning. alert_key: id, the same in the firing and the resolved notification. */
(
  /* Lookup objects for maps; $mapSeverity is case-insensitive and falls back to Warning. */
  $severity := {"critical": "Critical", "warning": "Warning", "info": "Info"};
  /* A payload this mapping cannot handle: say what is wrong (answered as 400, kept as a rejected payload). */
  $not($exists(body.id)) ? $error("not a ${name} payload: expected an id") : {
    "title": body.name,
    "event_status": body.status = "resolved" ? "Ok" : $mapSeverity(body.severity, $severity),
    "alert_key": $string(body.id),
    "description": body.message,
    "labels": $mergeLabels([$flattenLabels(body.tags), {"host": body.host}]),
    "event_time": $toEpochMs(body.timestamp)
  }
)
`;

const manifestOf = (name: string) => ({
  name,
  title: `${name} (edit me)`,
  vendor_docs: 'https://example.com/<vendor-webhook-docs>',
  content_types: ['application/json'],
  methods: ['POST'],
  alert_key: 'id of the notification (the same when it fires and resolves)',
});

const firing = {
  id: 'check-42',
  status: 'firing',
  severity: 'critical',
  name: 'Disk almost full on web-7',
  message: 'Free space on /var is below 5%',
  host: 'web-7',
  tags: { env: 'prod', team: 'ops' },
  timestamp: '2025-12-31T23:58:00Z',
};

const inputs: Record<string, unknown> = {
  firing: { body: firing, headers: { 'content-type': 'application/json' } },
  resolved: {
    body: {
      ...firing,
      status: 'resolved',
      message: 'Free space on /var is back above 5%',
      timestamp: '2025-12-31T23:59:30Z',
    },
    headers: { 'content-type': 'application/json' },
  },
  malformed: {
    body: { text: 'a notification this adapter does not know' },
    headers: { 'content-type': 'application/json' },
  },
};

/**
 * `alertgate adapter new <name>`: a new adapter folder with a commented mapping, a manifest, and a firing, a resolved
 * and a malformed fixture whose expected files are written by running them, so `adapter test` passes from the start.
 */
export async function scaffoldAdapter(name: string, dir: string = adaptersDir): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || name === 'standard')
    throw new Error(
      `adapter names are lower-case letters, digits and -, and not "standard"; got ${JSON.stringify(name)}`,
    );
  const folder = join(dir, name);
  if (existsSync(folder)) throw new Error(`${folder} already exists`);
  mkdirSync(join(folder, 'fixtures'), { recursive: true });
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifestOf(name), null, 2) + '\n');
  writeFileSync(join(folder, 'mapping.jsonata'), mappingTemplate(name));
  for (const [caseName, input] of Object.entries(inputs))
    writeFileSync(join(folder, 'fixtures', `${caseName}.input.json`), JSON.stringify(input, null, 2) + '\n');
  const adapter = AdapterRegistry.load({ dir, skipBroken: true }).get(name);
  if (!adapter) throw new Error(`the scaffold of ${name} does not load: this is a bug`);
  for (const fixture of loadFixtures(name, adapter.dir)) writeExpected(fixture, await runFixture(adapter, fixture));
  return folder;
}
