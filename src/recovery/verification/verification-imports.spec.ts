import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Verification decides and writes nothing: requests, mail and audit belong to the rooms after it,
 * so nothing here may import them (src/recovery/approval/recovery-intake.service.ts acts on the
 * decision). A dependency pointing back makes this fail.
 */
const FORBIDDEN = [
  /from '\.\.\/approval\//,
  /from '\.\.\/inbound-email\//,
  /from '\.\.\/\.\.\/mail\//,
  /from '\.\.\/\.\.\/audit\//,
];

const sources = readdirSync(__dirname).filter(
  (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'),
);

describe('verification imports no later room', () => {
  it('reads some sources', () => {
    expect(sources).toContain('recovery-verification.service.ts');
  });

  it.each(sources)('%s', (name) => {
    const imports = readFileSync(join(__dirname, name), 'utf8')
      .split('\n')
      .filter((line) => FORBIDDEN.some((pattern) => pattern.test(line)));
    expect(imports).toEqual([]);
  });
});
