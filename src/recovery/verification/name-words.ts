/** The word lists name-candidates.ts uses to tell names from ordinary words. */

/**
 * Common words of the languages senders write in (Swedish, English, the other Nordic languages,
 * German), greetings, closings, titles, days and months, folded (name-normalization.ts). They end
 * a name, so "Hej Åsa Öberg" yields "Åsa Öberg" and "Best Regards" is no name. This only keeps
 * ordinary letters from counting as lists; it is not a security boundary — a listed name is still
 * a name when a common word stands beside it.
 */
export const FUNCTION_WORDS = new Set(
  [
    // English
    'a an the and or but nor so yet if then than that this these those there here what which who',
    'whom whose when where why how i me my mine we us our ours you your yours he him his she her',
    'hers it its they them their theirs am is are was were be been being have has had do does did',
    'done will would shall should can could may might must not no yes ok okay of to in on at by',
    'for from with without about into onto over under after before since until up down out off',
    'again also just only very too all any some each every both either neither other such own same',
    'please thanks thank hi hello dear hey regards best kind kindly warm sincerely yours cheers',
    'greetings sent iphone android mobile phone card number account ends ending last digits',
    'mr mrs ms miss dr prof sir madam team support ceo',
    // what a subject line of a request to support says
    'help hjälp hjælp hilfe problem problemet issue question fråga urgent brådskande request',
    'login inloggning sign lost tappat tapt verloren telefon telefonen mobil code kod recovery',
    // Swedish, Norwegian, Danish
    'och eller men om att som det den de dem dom jag mig mej min mitt mina vi oss var vart vara',
    'du dig din ditt dina ni er ert era han honom hans hon henne hennes är ar var varit har hade',
    'ha kan kunde ska skall skulle vill ville måste inte ej ja nej i på pa till från fran med utan',
    'för for av ut upp ner över efter innan sedan under vid hos mot genom också ocksa bara',
    'hej hejsan hallå tjena tack tackar hälsningar halsningar mvh vänliga vanliga vanlig bästa',
    'basta med vänlig hälsning halsning kära kara herr fru fröken froken doktor kort kortet',
    'konto kontot nummer slutar sista siffror siffrorna skickat skickad från og eller jeg meg',
    'leg legitimerad vd',
    'deg hilsen mvh venlig venlige med',
    // German
    'und oder aber der die das ein eine einer ich mich mein meine wir uns sie ihr ist sind war',
    'hallo danke grüße grusse gruss freundlichen mit von zu im am',
    // days and months
    'monday tuesday wednesday thursday friday saturday sunday måndag mandag tisdag onsdag',
    'torsdag fredag lördag lordag söndag sondag january february march april may june july',
    'august september october november december januari februari mars maj juni juli augusti',
    'oktober',
  ]
    .join(' ')
    .split(' ')
    .map((word) => word.normalize('NFKD').replace(/\p{M}+/gu, '')),
);

/** Words that join the parts of a list; they end an item like a comma does. */
export const CONJUNCTIONS = new Set([
  'and',
  'or',
  'och',
  'eller',
  'samt',
  'og',
  'und',
  'oder',
  'et',
]);

/** Lower-case words that belong inside a capitalised name ("Ludwig van Beethoven"). */
export const PARTICLES = new Set([
  'af',
  'av',
  'von',
  'van',
  'der',
  'den',
  'de',
  'da',
  'di',
  'du',
  'la',
]);
