// Printing for the user commands: the server's JSON as is (--json), or aligned, readable text.

export const write = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

export const printJson = (value: unknown): void => write(JSON.stringify(value, null, 2));

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `label: value` lines with the values aligned; null and undefined values are left out. */
export function fields(entries: [string, unknown][]): string {
  const shown = entries.filter(([, value]) => value !== null && value !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length)) + 1;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)} ${String(value)}`).join('\n');
}

/** A `--json` answer, else the readable text. */
export function print(options: { json?: boolean }, value: unknown, text: () => string): void {
  if (options.json) printJson(value);
  else write(text());
}
