/**
 * The rows of an `UPDATE … RETURNING`: TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, rowCount]` instead of the rows alone.
 */
export function returned<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0])) {
    return result[0] as T[];
  }
  return result as T[];
}
