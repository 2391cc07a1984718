/** The part of email-reply-parser 1.x (CommonJS, no bundled types) that quoted-text.ts uses. */
declare module 'email-reply-parser' {
  interface Fragment {
    getContent(): string;
    isQuoted(): boolean;
    isSignature(): boolean;
    isHidden(): boolean;
  }
  interface Email {
    getFragments(): Fragment[];
    getVisibleText(): string;
  }
  class EmailReplyParser {
    read(text: string): Email;
  }
  export = EmailReplyParser;
}
