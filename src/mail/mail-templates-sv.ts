import { formatDateTime } from './mail-format';
import type { TemplateCatalog } from './mail-templates';

/**
 * Svenska meddelanden, med samma ord som hjälpcenterartikeln (tvåfaktorsautentisering,
 * autentiseringsapp, ”Återställ 2fa-token”). Aldrig en hemlighet, en kod eller betalningsuppgifter;
 * ett avslag säger aldrig vilken kontroll som misslyckades.
 */
const SIGNATURE = 'Vänliga hälsningar\nSupporten';
const NEVER_ASK =
  'Vi ber dig aldrig om ditt lösenord, en 2FA-kod eller ett fullständigt kortnummer, varken via e-post eller på något annat sätt.';

const when = (iso: string) => formatDateTime(iso, 'sv');

/** Länken ”Det var inte jag” i varje meddelande om en ändring av innehavarens egen inloggning. */
const notMe = (reportUrl: string) => [
  'Var det inte du? Säg till via länken nedan: en öppen begäran om återställning avbryts, alla sessioner på ditt konto avslutas, återställning via e-post pausas och dina administratörer får veta det direkt.',
  { link: reportUrl, label: 'Det var inte jag' },
];

export const svTemplates: TemplateCatalog = {
  two_factor_enabled: ({ name, reportUrl }, { supportAddress }) => ({
    subject: 'Tvåfaktorsautentisering är nu aktiverad',
    blocks: [
      `Hej ${name}!`,
      'Tvåfaktorsautentisering (2FA) är nu aktiverad för ditt konto. Från och med nu loggar du in med ditt lösenord och en kod från din autentiseringsapp.',
      'Spara dina återställningskoder på ett säkert ställe. Om du tappar bort telefonen kan du logga in med en återställningskod, och en administratör för ditt konto kan återställa din 2FA.',
      `Var det inte du som aktiverade 2FA? Kontakta en administratör för ditt konto eller skriv till oss på ${supportAddress} så snart som möjligt.`,
      ...notMe(reportUrl),
      SIGNATURE,
    ],
  }),

  two_factor_reset_by_admin: (
    { name, adminName, resetAt, signInUrl, reportUrl },
    { supportAddress },
  ) => ({
    subject: 'Din tvåfaktorsautentisering har återställts',
    blocks: [
      `Hej ${name}!`,
      `${adminName}, som är administratör för ditt konto, återställde din tvåfaktorsautentisering (2FA) den ${when(resetAt)}.`,
      'Nästa gång du loggar in uppmanas du att skanna en ny QR-kod med din autentiseringsapp (t.ex. Google Authenticator eller Microsoft Authenticator) och ange koden som appen visar. Dina gamla koder och återställningskoder fungerar inte längre.',
      { link: signInUrl, label: 'Logga in' },
      `Kände du inte till det här? Kontakta ${adminName} eller skriv till oss på ${supportAddress}.`,
      ...notMe(reportUrl),
      SIGNATURE,
    ],
  }),

  recovery_received: ({ name, cancelUrl, expiresAt, reportUrl }) => ({
    subject: 'Vi har tagit emot din begäran om att återställa tvåfaktorsautentisering',
    blocks: [
      `Hej ${name}!`,
      'Vi har tagit emot ditt e-postmeddelande om att återställa tvåfaktorsautentiseringen (2FA) för ditt konto. En medarbetare på supporten kommer att granska begäran, och du får ett nytt meddelande när den är behandlad.',
      `Om ingen har hanterat begäran senast ${when(expiresAt)} upphör den att gälla, och då är du välkommen att skriva till oss igen.`,
      'Har du inte skickat den här begäran? Avbryt den via länken nedan. Ingenting ändras på ditt konto förrän en medarbetare på supporten har godkänt begäran.',
      { link: cancelUrl, label: 'Avbryt begäran' },
      ...notMe(reportUrl),
      NEVER_ASK,
      SIGNATURE,
    ],
  }),

  recovery_more_info: ({ name }, { supportAddress }) => ({
    subject: 'Vi behöver mer information för att kunna återställa din tvåfaktorsautentisering',
    blocks: [
      name === undefined ? 'Hej!' : `Hej ${name}!`,
      'Vi har tagit emot ditt e-postmeddelande om att återställa tvåfaktorsautentisering (2FA), men vi kunde inte bekräfta begäran med de uppgifter som fanns i det. Ingenting har ändrats på ditt konto.',
      'Det går ofta snabbast att be en administratör för ditt konto att återställa 2FA åt dig: Användare → ditt namn → ”Återställ 2fa-token”.',
      `Om det inte går kan du skicka ett nytt e-postmeddelande till ${supportAddress} från samma e-postadress som du loggar in med. Ta med något av följande:`,
      {
        list: [
          'de sista 4 siffrorna i kreditkortet eller bankkontot som används för att betala prenumerationen',
          'namnet på den person (eller det företag) som har kreditkortet eller bankkontot',
          'eller, om du har ett kostnadsfritt akademiskt abonnemang, ditt student-ID',
        ],
      },
      'Skicka aldrig hela kortnumret, ditt lösenord eller en 2FA-kod. Om du redan har en begäran som väntar på granskning behöver du inte skicka en ny. Har du redan försökt flera gånger ber vi dig vänta ett dygn innan du skriver igen.',
      SIGNATURE,
    ],
  }),

  recovery_no_second_factor: ({ name, signInUrl }, { supportAddress }) => ({
    subject: 'Tvåfaktorsautentisering: du kan logga in med ditt lösenord',
    blocks: [
      `Hej ${name}!`,
      'Vi har tagit emot ditt e-postmeddelande om att återställa tvåfaktorsautentisering (2FA). När du loggar in på ditt konto efterfrågas just nu ingen kod från en autentiseringsapp, så det finns inget för oss att återställa, och du behöver inte skicka några kort- eller kontouppgifter till oss.',
      'Logga in med din e-postadress och ditt lösenord. Om du uppmanas att aktivera tvåfaktorsautentisering följer du stegen på skärmen.',
      { link: signInUrl, label: 'Logga in' },
      `Har du inte skrivit till oss? Då kan du bortse från det här meddelandet: ingenting har ändrats på ditt konto. Har du frågor är du välkommen att skriva till oss på ${supportAddress}.`,
      NEVER_ASK,
      SIGNATURE,
    ],
  }),

  recovery_approved: ({ name, signInUrl, reportUrl }, { supportAddress }) => ({
    subject: 'Din tvåfaktorsautentisering har återställts',
    blocks: [
      `Hej ${name}!`,
      'Din begäran har godkänts och tvåfaktorsautentiseringen (2FA) för ditt konto har återställts. Dina gamla koder och återställningskoder fungerar inte längre.',
      'Nästa gång du loggar in uppmanas du att aktivera 2FA igen: skanna den nya QR-koden med din autentiseringsapp och ange koden som appen visar.',
      { link: signInUrl, label: 'Logga in' },
      `Var det inte du som bad om det här? Skriv till oss på ${supportAddress} omedelbart.`,
      ...notMe(reportUrl),
      SIGNATURE,
    ],
  }),

  recovery_denied: ({ name, reason }, { supportAddress }) => ({
    subject: 'Din begäran om att återställa tvåfaktorsautentisering har avslagits',
    blocks: [
      `Hej ${name}!`,
      'Vi kunde tyvärr inte godkänna din begäran om att återställa tvåfaktorsautentiseringen (2FA). Ingenting har ändrats på ditt konto.',
      `Motivering från vår support:\n${reason}`,
      `En administratör för ditt konto kan återställa 2FA åt dig direkt i appen. Om du tror att det här är ett misstag är du välkommen att skriva till oss på ${supportAddress}.`,
      SIGNATURE,
    ],
  }),

  recovery_org_notice: ({ recipientName, memberName, memberEmail, requestedAt, requestsUrl }) => ({
    subject: `Begäran om att återställa tvåfaktorsautentisering för ${memberName}`,
    blocks: [
      `Hej ${recipientName}!`,
      `Du får det här meddelandet eftersom du är ägare eller administratör för er organisations konto. Den ${when(requestedAt)} bad ${memberName} (${memberEmail}) vår support via e-post om att få sin tvåfaktorsautentisering (2FA) återställd.`,
      'En medarbetare på supporten granskar varje begäran innan något ändras. Om du känner till begäran behöver du inte göra något.',
      'Om du inte tror att begäran är äkta kan du avbryta den på sidan Användare, under ”Återställningsärenden”: den kan avbrytas tills återställningen har genomförts.',
      { link: requestsUrl, label: 'Återställningsärenden' },
      `Du kan också hjälpa ${memberName} direkt: Användare → ${memberName} → ”Återställ 2fa-token”.`,
      SIGNATURE,
    ],
  }),

  security_reported_notice: ({
    recipientName,
    memberName,
    memberEmail,
    reportedAt,
    frozenUntil,
    requestsUrl,
  }) => ({
    subject: `${memberName} har anmält en ändring av tvåfaktorsautentisering som de inte gjort`,
    blocks: [
      `Hej ${recipientName}!`,
      `Du får det här meddelandet eftersom du är ägare eller administratör för er organisations konto. Den ${when(reportedAt)} meddelade ${memberName} (${memberEmail}) att en ändring av deras inloggning nyligen inte gjordes av dem.`,
      `Vi har avbrutit deras öppna begäran om återställning, om det fanns någon, och avslutat alla sessioner på deras konto. Återställning via e-post nekas för deras konto till och med ${when(frozenUntil)}: någon annan kan ha tillgång till e-postlådan.`,
      'Kontakta dem på annat sätt (telefon, personligen) för att ta reda på vad som hänt. Deras begäranden om återställning finns på sidan Användare.',
      { link: requestsUrl, label: 'Återställningsärenden' },
      SIGNATURE,
    ],
  }),

  recovery_frozen_notice: ({
    recipientName,
    memberName,
    memberEmail,
    attemptedAt,
    frozenUntil,
    requestsUrl,
  }) => ({
    subject: `Återställning av tvåfaktorsautentisering nekad för ${memberName}`,
    blocks: [
      `Hej ${recipientName}!`,
      `Den ${when(attemptedAt)} bad ett e-postmeddelande vår support att återställa tvåfaktorsautentiseringen (2FA) för ${memberName} (${memberEmail}). ${memberName} meddelade nyligen att en ändring av deras inloggning inte gjordes av dem, så återställning via e-post nekas för deras konto till och med ${when(frozenUntil)}.`,
      'Vi besvarade inte meddelandet och ingenting ändrades. Den som skrev kan ha tillgång till deras e-postlåda: kontakta dem på annat sätt.',
      { link: requestsUrl, label: 'Återställningsärenden' },
      SIGNATURE,
    ],
  }),
};
