/**
 * What a web page throws to leave the normal flow; WebExceptionFilter turns each into a redirect
 * or an HTML error page (never the API's JSON).
 */
export class WebRedirect extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
    this.name = 'WebRedirect';
  }
}

/** Signed in, but this page is not for the user's role: an HTML 403 page. */
export class WebForbidden extends Error {
  constructor() {
    super('forbidden');
    this.name = 'WebForbidden';
  }
}

/** A form POST without a valid CSRF token: an HTML 403 page, and nothing changed. */
export class WebCsrfRejected extends Error {
  constructor() {
    super('invalid CSRF token');
    this.name = 'WebCsrfRejected';
  }
}

export class WebNotFound extends Error {
  constructor() {
    super('not found');
    this.name = 'WebNotFound';
  }
}
