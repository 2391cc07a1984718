/** The figures table: one row per figure, a column per scale, the goal and PASS/FAIL. */
export interface Row {
  figure: string;
  cells: string[];
  goal?: string;
  /** undefined: an informative figure, not judged */
  pass?: boolean;
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}

export function renderTable(header: string[], rows: Row[]): string {
  const lines = [
    header,
    ...rows.map((row) => [
      row.figure,
      ...row.cells,
      ...Array<string>(Math.max(0, header.length - 3 - row.cells.length)).fill(''),
      row.goal ?? '',
      row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL',
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? '').length)));
  const render = (line: string[]) =>
    line
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    render(lines[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.slice(1).map(render),
  ].join('\n');
}
