/**
 * Reads a password for the command line: from standard input with --password-stdin (first line,
 * for scripts), otherwise from the terminal without echo, asked twice. Never from an argument:
 * arguments show up in `ps` and in shell history.
 */
export async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return firstLine(await readAll(process.stdin));
  if (process.stdin.isTTY !== true) {
    throw new Error('no terminal to ask for the password on; pipe it in with --password-stdin');
  }
  const password = await promptHidden('Password: ');
  const again = await promptHidden('Repeat password: ');
  if (password !== again) throw new Error('the two passwords differ');
  return password;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0];
}

/** Raw-mode terminal input: characters are read one by one and never echoed. */
function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    // echo off before the prompt appears, so nothing typed after it is ever shown
    input.setRawMode(true);
    process.stderr.write(prompt);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
  });
}
