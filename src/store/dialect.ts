/** The two stores alertgate runs on; a few statements differ between them (locks, serial ids). */
export type Dialect = 'sqlite' | 'postgres';
