import type { ValidationError } from 'class-validator';

/**
 * The one problem reported for a field. class-validator records a field's checks bottom-up, so
 * the last one is the decorator written first (the type check: `@IsString()` above
 * `@MaxLength()`); "is required" comes before any of them.
 */
function firstProblem(constraints: Record<string, string>): string | undefined {
  return constraints.isDefined ?? Object.values(constraints).at(-1);
}

/**
 * One message per failing field, nested fields by their path (`users.0.email must be …`), as the
 * ValidationPipe's 400 lists them: a number sent as the e-mail is "email must be a string", not
 * also every length rule a number cannot meet.
 */
export function validationMessages(errors: ValidationError[], parentPath = ''): string[] {
  return errors.flatMap((error) => {
    const path = parentPath === '' ? error.property : `${parentPath}.${error.property}`;
    const problem = firstProblem(error.constraints ?? {});
    const own =
      problem === undefined ? [] : [parentPath === '' ? problem : `${parentPath}.${problem}`];
    return [...own, ...validationMessages(error.children ?? [], path)];
  });
}
