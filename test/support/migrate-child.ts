import { migrateToLatest, openDatabase } from '../../src/store/database.js';

// Child process of the migration race test: opens the store named by argv[2] and migrates it, starting at the
// moment argv[3] (epoch ms) so that every child migrates at once.
const [url, startAt] = process.argv.slice(2);
const store = openDatabase(url as string);
const wait = Number(startAt) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
try {
  await migrateToLatest(store);
} finally {
  await store.close();
}
