import { spawn } from 'node:child_process';
import path from 'node:path';
import { testEnv } from './test-app';

const ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `src/cli.ts` as a real process (ts-node, as spawn-app does for main.ts) against the run's
 * database unless env overrides it; `input` is written to its standard input.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/cli.ts'), ...args],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        // swc transpiles a few times faster than tsc (ts-node's swc mode needs target ≤ ES2022)
        TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.ts-node.json'),
        ...testEnv(),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
