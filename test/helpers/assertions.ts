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
