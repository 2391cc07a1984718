import { Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { BillingCsvProblem, parseBillingCsv } from './billing-csv';
import { BillingRepository, BillingValues } from './billing.repository';
import { ProvisioningService } from './provisioning.service';

export type BillingImportResult =
  | { ok: true; records: number; organizations: number }
  | { ok: false; problems: BillingCsvProblem[] };

/**
 * `billing:import`: every row is checked first (format, then that its organization exists); only
 * a file without a single problem is imported, in one transaction. For each organization named in
 * the file, its billing records are replaced by the file's rows, so importing the same export twice
 * leaves the same records (the back office's file is the truth for those organizations).
 */
@Injectable()
export class BillingImportService {
  constructor(
    private readonly billing: BillingRepository,
    private readonly provisioning: ProvisioningService,
  ) {}

  importFile(path: string): Promise<BillingImportResult> {
    return this.importCsv(createReadStream(path));
  }

  async importCsv(input: Readable | string): Promise<BillingImportResult> {
    const { rows, problems } = await parseBillingCsv(input);
    const existing = await this.billing.existingOrganizationIds([
      ...new Set(rows.map((row) => row.organizationId)),
    ]);
    for (const row of rows) {
      if (!existing.has(row.organizationId)) {
        problems.push({ line: row.line, problems: ['organization_id names no organization'] });
      }
    }
    if (problems.length > 0) {
      return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
    }
    const byOrganization = new Map<string, BillingValues[]>();
    for (const row of rows) {
      const list = byOrganization.get(row.organizationId) ?? [];
      list.push(row.values);
      byOrganization.set(row.organizationId, list);
    }
    await this.provisioning.replaceBillingOfOrganizations(byOrganization, {
      type: 'system',
      via: 'cli billing:import',
    });
    return { ok: true, records: rows.length, organizations: byOrganization.size };
  }
}
