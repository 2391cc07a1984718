/**
 * Lengths the API's fields accept, shared by the validators and the OpenAPI document so that what
 * is documented is what is enforced.
 */
export const MAX_EMAIL_LENGTH = 254;
export const MIN_EMAIL_LENGTH = 3;
/** Longest password accepted anywhere (scrypt work stays bounded). */
export const MAX_PASSWORD_LENGTH = 1024;
export const MAX_NAME_LENGTH = 200;
export const MAX_STUDENT_ID_LENGTH = 64;
export const MAX_CHALLENGE_LENGTH = 200;
export const MAX_RECOVERY_CODE_LENGTH = 64;
/** An agent's approval note or denial reason. */
export const MAX_DECISION_TEXT_LENGTH = 2000;
export const MIN_CANCEL_TOKEN_LENGTH = 10;
export const MAX_CANCEL_TOKEN_LENGTH = 200;
/** Fields of a form body: body-parser's default parameterLimit, which the parser in app.ts keeps. */
export const FORM_FIELD_LIMIT = 1000;
