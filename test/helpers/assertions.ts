/** The CONTRACT §2 error shape: { statusCode, error, message } (plus an optional machine code). */
export function expectErrorShape(body: unknown, status: number): void {
  expect(body).toEqual(
    expect.objectContaining({
      statusCode: status,
      error: expect.any(String),
      message: expect.anything(),
    }),
  );
  const keys = Object.keys(body as object);
  expect(keys.filter((key) => !['statusCode', 'error', 'message', 'code'].includes(key))).toEqual(
    [],
  );
  const message = (body as { message: unknown }).message;
  expect(typeof message === 'string' || Array.isArray(message)).toBe(true);
}

/** The message(s) of an error body as one string, for toMatch(). */
export function messageText(body: unknown): string {
  const message = (body as { message: string | string[] }).message;
  return Array.isArray(message) ? message.join('\n') : message;
}

/**
 * Whether `digits` (a last-4, say) stands in `text` as a number of its own — not as a piece of a
 * UUID, a hash or a timestamp, where four random digits turn up by chance.
 */
export function hasStandaloneDigits(text: string, digits: string): boolean {
  return new RegExp(`(?<![0-9A-Za-z-])${digits}(?![0-9A-Za-z-])`).test(text);
}
