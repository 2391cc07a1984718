import { dummyPasswordHash, hashPassword, verifyPassword } from './password-hasher';

describe('password hashing (scrypt)', () => {
  let stored: string;
  beforeAll(async () => {
    stored = await hashPassword('correct horse battery staple');
  });

  it('stores the scheme, its cost and a random salt, never the password', async () => {
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain('correct horse');
    const again = await hashPassword('correct horse battery staple');
    expect(again).not.toBe(stored);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapler', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('treats canonically equivalent Unicode the same (NFKC)', async () => {
    const composed = await hashPassword('lösenord-\u00e5sa');
    await expect(verifyPassword('lösenord-a\u030asa', composed)).resolves.toBe(true);
  });

  it('verifies against the cost stored in the hash, so the cost can be raised later', async () => {
    const [, , r, p, salt] = stored.split('$');
    const cheaper = ['scrypt', 1024, r, p, salt, 'AAAA'].join('$');
    await expect(verifyPassword('correct horse battery staple', cheaper)).resolves.toBe(false);
  });

  it.each(['', 'not-a-hash', 'bcrypt$10$abc', 'scrypt$32768$8$1$onlysalt'])(
    'a malformed stored hash %j verifies as false instead of throwing',
    async (malformed) => {
      await expect(verifyPassword('anything', malformed)).resolves.toBe(false);
    },
  );

  it('offers a dummy hash (for unknown e-mails) that nothing verifies against', async () => {
    const dummy = await dummyPasswordHash();
    expect(dummy).toMatch(/^scrypt\$/);
    expect(await dummyPasswordHash()).toBe(dummy);
    await expect(verifyPassword('', dummy)).resolves.toBe(false);
    await expect(verifyPassword('correct horse battery staple', dummy)).resolves.toBe(false);
  });
});
