/** `1 channel`, `2 channels`: a count with its noun in the right number (`plural` for irregular nouns). */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
