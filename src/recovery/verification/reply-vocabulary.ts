/**
 * The words mail clients write around a quoted or forwarded earlier message, in the languages
 * quoted-text.ts recognises: English, Swedish, Norwegian, Danish, Finnish, German, French,
 * Spanish, Dutch and Russian, plus Italian, Portuguese and Polish where a client's form is known.
 * The forms come from what Gmail, Outlook (desktop, web, iOS), Apple Mail and iOS Mail, Android
 * mail apps, Thunderbird, Windows Mail, Yahoo, AOL, Yandex and mail.ru write; the corpus in
 * test/fixtures/replies shows each in place.
 *
 * Every pattern built here is anchored or a plain alternation of literal words, with no nested
 * quantifiers, so matching is linear in the line.
 */

/** Letters and digits of any script: the edges of a word (`\b` only knows ASCII). */
const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}])';

function alternation(words: readonly string[]): string {
  return [...words]
    .sort((a, b) => b.length - a.length)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[ \\t]+'))
    .join('|');
}

/** The verb of an attribution line: "On … Åsa wrote:", "Am … schrieb Åsa:", "… kirjoitti:". */
export const ATTRIBUTION_VERBS = [
  'wrote', // en
  'writes',
  'skrev', // sv, no, da
  'skriver',
  'skrev følgende', // no, da
  'schrieb', // de
  'schreibt',
  'a écrit', // fr
  'écrit',
  'escribió', // es
  'escribio',
  'schreef', // nl
  'kirjoitti', // fi
  'написал', // ru
  'написала',
  'написал(а)',
  'пишет',
  'ha scritto', // it
  'escreveu', // pt
  'napisał', // pl
  'napisała',
  'napisał(a)',
  'pisze',
];

/** The words an attribution line starts with ("On Mon …", "Den 1 dec …", "Am 01.12.…"). */
export const ATTRIBUTION_OPENINGS = [
  'on', // en
  'den', // sv, no, da
  'am', // de
  'le', // fr
  'el', // es
  'op', // nl
  'il', // it
  'em', // pt
  'w dniu', // pl
];

/** Labels of the first line of a quoted header block ("From:", "Von:", "От:", "De :"). */
export const FROM_LABELS = [
  'from',
  'från', // sv
  'fra', // no, da
  'afsender', // da
  'avsender', // no
  'lähettäjä', // fi
  'von', // de
  'de', // fr, es, pt
  'expéditeur',
  'remitente',
  'van', // nl
  'от', // ru
  'da', // it
  'od', // pl
];

/** Labels of the further lines of such a block ("Sent:", "Gesendet:", "Отправлено:", "À :"). */
export const FIELD_LABELS = [
  // en
  'sent',
  'date',
  'to',
  'cc',
  'bcc',
  'subject',
  'reply-to',
  // sv
  'skickat',
  'datum',
  'till',
  'kopia',
  'ämne',
  // no, da
  'sendt',
  'dato',
  'til',
  'kopi',
  'emne',
  'svar til',
  // fi
  'lähetetty',
  'päivämäärä',
  'vastaanottaja',
  'kopio',
  'aihe',
  // de
  'gesendet',
  'an',
  'betreff',
  'antwort an',
  // fr
  'envoyé',
  'à',
  'a',
  'objet',
  'répondre à',
  // es
  'enviado',
  'enviado el',
  'fecha',
  'para',
  'asunto',
  // nl
  'verzonden',
  'aan',
  'onderwerp',
  // ru
  'отправлено',
  'дата',
  'кому',
  'копия',
  'тема',
  // it, pt, pl
  'inviato',
  'data',
  'oggetto',
  'enviada',
  'assunto',
  'wysłano',
  'temat',
];

/** Lines that introduce a forwarded message ("Begin forwarded message:", Apple Mail). */
export const FORWARD_INTRODUCTIONS = [
  'begin forwarded message',
  'början av vidarebefordrat brev', // sv
  'början av vidarebefordrat meddelande',
  'vidarebefordrat meddelande',
  'videresendt melding', // no
  'begynnelse på videresendt melding',
  'videresendt besked', // da
  'start på videresendt besked',
  'välitetty viesti', // fi
  'välitetty viesti alkaa',
  'anfang der weitergeleiteten nachricht', // de
  'weitergeleitete nachricht',
  'début du message réexpédié', // fr
  'message transféré',
  'inicio del mensaje reenviado', // es
  'mensaje reenviado',
  'begin doorgestuurd bericht', // nl
  'doorgestuurd bericht',
  'начало переадресованного сообщения', // ru
  'пересылаемое сообщение',
];

/** A word of ATTRIBUTION_VERBS anywhere in the line. */
export const ATTRIBUTION_VERB = new RegExp(
  `${NOT_WORD_BEFORE}(?:${alternation(ATTRIBUTION_VERBS)})${NOT_WORD_AFTER}`,
  'iu',
);

/** The line ends with such a verb and a colon: "Åsa Öberg wrote:", "… a écrit :". */
export const ATTRIBUTION_VERB_ENDING = new RegExp(
  `${NOT_WORD_BEFORE}(?:${alternation(ATTRIBUTION_VERBS)})[ \\t]*[:：]$`,
  'iu',
);

export const ATTRIBUTION_OPENING = new RegExp(
  `^(?:${alternation(ATTRIBUTION_OPENINGS)})[ \\t]`,
  'iu',
);

/** One line of a header block: a label, optional bold/underline markers, spaces and ":". */
export const HEADER_LABEL_LINE = new RegExp(
  `^[ \\t]*[*_]*(${alternation([...FROM_LABELS, ...FIELD_LABELS])})[*_]*[ \\t]*[:：]`,
  'iu',
);

export const FORWARD_INTRODUCTION = new RegExp(
  `^[ \\t]*[-–—]*[ \\t]*(?:${alternation(FORWARD_INTRODUCTIONS)})[ \\t]*[-–—]*[ \\t]*[:：]?[ \\t]*$`,
  'iu',
);
