/** The parts of mailauth 4.x (which ships no types) that this project uses. */
declare module 'mailauth' {
  export interface AuthenticateOptions {
    ip?: string;
    helo?: string;
    sender?: string;
    mta?: string;
    resolver?: (name: string, rrtype: string) => Promise<unknown>;
    minBitLength?: number;
    disableArc?: boolean;
    disableDmarc?: boolean;
    disableBimi?: boolean;
    trustReceived?: boolean;
  }
  export function authenticate(
    input: Buffer | string | NodeJS.ReadableStream,
    options: AuthenticateOptions,
  ): Promise<Record<string, unknown>>;
}

declare module 'mailauth/lib/dkim/sign' {
  export interface DkimSignatureData {
    signingDomain: string;
    selector: string;
    privateKey: string | Buffer;
    algorithm?: string;
    canonicalization?: string;
    /** the `l=` tag: how many body bytes the signature covers */
    maxBodyLength?: number;
  }
  export function dkimSign(
    input: Buffer | string,
    options: {
      canonicalization?: string;
      algorithm?: string;
      signTime?: Date;
      headerList?: string[];
      signatureData: DkimSignatureData[];
    },
  ): Promise<{ signatures: string; errors: unknown[] }>;
}
