import { CsvError, parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { isUUID } from 'class-validator';
import type { BillingValues } from './billing.repository';
import { BillingItemDto, billingValues, validatePlain } from './provisioning.dto';

/** The CSV's columns (README.md, Command line), in their documented order. */
export const BILLING_CSV_COLUMNS = [
  'organization_id',
  'kind',
  'last4',
  'holder_name',
  'student_id',
] as const;
type Column = (typeof BILLING_CSV_COLUMNS)[number];
const REQUIRED: Column[] = ['organization_id', 'kind'];

/** CSV column names for the DTO's property names, so problems name what the file calls them. */
const COLUMN_FOR_PROPERTY: Record<string, Column> = {
  kind: 'kind',
  last4: 'last4',
  holderName: 'holder_name',
  studentId: 'student_id',
};

export interface BillingCsvRow {
  /** line in the file (the header is line 1) */
  line: number;
  organizationId: string;
  values: BillingValues;
}

export interface BillingCsvProblem {
  line: number;
  problems: string[];
}

/**
 * Reads a billing CSV (header row first; `organization_id,kind,last4,holder_name,student_id`, the
 * last three may be left empty where they do not apply) and checks every row with the same rules
 * as the provisioning API. Returns the rows and every row's problems; nothing is written here.
 */
export async function parseBillingCsv(
  input: Readable | string,
): Promise<{ rows: BillingCsvRow[]; problems: BillingCsvProblem[] }> {
  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
  });
  const rows: BillingCsvRow[] = [];
  const problems: BillingCsvProblem[] = [];
  let header: (Column | undefined)[] | undefined;
  if (typeof input === 'string') parser.end(input);
  else input.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (header === undefined) {
        const checked = checkHeader(record);
        if (typeof checked === 'string') return { rows, problems: [{ line, problems: [checked] }] };
        header = checked;
        continue;
      }
      const parsed = parseRow(header, record, line);
      if ('problems' in parsed) problems.push(parsed);
      else rows.push(parsed);
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines ?? parser.info.lines;
    problems.push({ line, problems: [`not valid CSV (${error.code})`] });
    return { rows, problems };
  }
  if (header === undefined) problems.push({ line: 1, problems: ['the file is empty'] });
  else if (rows.length === 0 && problems.length === 0) {
    problems.push({ line: 2, problems: ['no billing rows after the header'] });
  }
  return { rows, problems };
}

function checkHeader(record: string[]): (Column | undefined)[] | string {
  const names = record.map((name) => name.toLowerCase());
  const unknown = names.filter(
    (name) => !(BILLING_CSV_COLUMNS as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    return `unknown column ${unknown.map((name) => `"${name}"`).join(', ')} (expected ${BILLING_CSV_COLUMNS.join(',')})`;
  }
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) return `column "${duplicate}" appears twice`;
  const missing = REQUIRED.filter((name) => !names.includes(name));
  if (missing.length > 0) return `missing column ${missing.join(', ')}`;
  return names as Column[];
}

function parseRow(
  header: (Column | undefined)[],
  record: string[],
  line: number,
): BillingCsvRow | BillingCsvProblem {
  if (record.length !== header.length) {
    return { line, problems: [`has ${record.length} fields, the header has ${header.length}`] };
  }
  const cell: Partial<Record<Column, string>> = {};
  header.forEach((name, index) => {
    // an empty cell means "not applicable", never an empty value
    if (name !== undefined && record[index] !== '') cell[name] = record[index];
  });
  const problems: string[] = [];
  const organizationId = cell.organization_id ?? '';
  if (!isUUID(organizationId)) problems.push('organization_id must be a UUID');
  const { value, problems: itemProblems } = validatePlain(BillingItemDto, {
    kind: cell.kind,
    last4: cell.last4,
    holderName: cell.holder_name,
    studentId: cell.student_id,
  });
  problems.push(...itemProblems.map(renameProperties));
  if (problems.length > 0 || value === undefined) return { line, problems };
  return { line, organizationId: organizationId.toLowerCase(), values: billingValues(value) };
}

function renameProperties(problem: string): string {
  return problem.replace(/\b(holderName|studentId)\b/g, (name) => COLUMN_FOR_PROPERTY[name]);
}
