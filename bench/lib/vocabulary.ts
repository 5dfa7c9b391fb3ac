/**
 * The names the corpus generator and the rule generator share, so that the 50 rules match a
 * realistic share of the messages (lists, known senders, subjects) and the rest fall through
 * every rule, as most mail does.
 */

export const RECIPIENT = 'user@home.example';
export const RECIPIENT_HOST = 'mail.home.example';

export interface MailingList {
  /** The List-Id value, `Description <id>` (RFC 2919). */
  readonly description: string;
  readonly id: string;
  /** Subject tag such as `[dev]`, or "" when the list adds none. */
  readonly tag: string;
  readonly folder: string;
}

function list(description: string, id: string, tag: string, folder: string): MailingList {
  return { description, id, tag, folder };
}

export const LISTS: readonly MailingList[] = [
  list('Project developers', 'dev.project.example.org', '[dev]', 'Lists/dev'),
  list('Project users', 'users.project.example.org', '[users]', 'Lists/users'),
  list('Announcements', 'announce.project.example.org', '', 'Lists/announce'),
  list('Security advisories', 'security.distro.example', '[SECURITY]', 'Lists/security'),
  list('Kernel mailing list', 'linux-kernel.vger.example', '', 'Lists/lkml'),
  list('Postfix users', 'postfix-users.postfix.example', '', 'Lists/postfix'),
  list('Dovecot', 'dovecot.dovecot.example', '', 'Lists/dovecot'),
  list('Node.js discussion', 'nodejs.googlegroups.example', '[nodejs]', 'Lists/nodejs'),
  list('TypeScript', 'typescript.lists.example.net', '', 'Lists/typescript'),
  list('IETF extra', 'extra.ietf.example', '[Extra]', 'Lists/ietf-extra'),
  list('IETF general', 'ietf.ietf.example', '', 'Lists/ietf'),
  list('Hiking club', 'hiking.clubs.example.com', '[Hiking]', 'Lists/hiking'),
  list('Book club', 'books.clubs.example.com', '', 'Lists/books'),
  list('Neighbourhood', 'street.community.example', '', 'Lists/street'),
  list('Weekly newsletter', 'newsletter.shop.example', '', 'Newsletters'),
  list('Deals', 'deals.megastore.example', '', 'Newsletters'),
  list('Travel offers', 'offers.travel.example', '', 'Newsletters'),
  list('Product updates', 'updates.saas.example', '', 'Newsletters'),
  list('GitHub notifications', 'sievert.acme.github.example', '', 'GitHub'),
  list('CI status', 'ci.acme.example', '', 'CI'),
  // Lists no rule mentions: their messages fall through to the end.
  list('Photography', 'photo.clubs.example.com', '[Photo]', ''),
  list('Local sports', 'sports.community.example', '', ''),
  list('Rust users', 'users.rust-lang.example', '', ''),
  list('Gardening', 'garden.clubs.example.com', '[Garden]', ''),
];

export const FIRST_NAMES: readonly string[] = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Emma',
  'François',
  'Grace',
  'Hiro',
  'Isabel',
  'Jonas',
  'Karin',
  'Liam',
  'María',
  'Noah',
  'Olga',
  'Pieter',
  'Quinn',
  'Rania',
  'Søren',
  'Tomás',
  'Ulla',
  'Vera',
  'Wei',
  'Xenia',
  'Yusuf',
  'Zoë',
];

export const LAST_NAMES: readonly string[] = [
  'Andersen',
  'Bauer',
  'Castillo',
  'Dubois',
  'Eriksson',
  'Fischer',
  'García',
  'Hansen',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lambert',
  'Müller',
  'Nakamura',
  'Olsen',
  'Petrov',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Urban',
  'Virtanen',
  'Weber',
  'Yilmaz',
  'Zhang',
];

/** Sender domains, most frequent first. */
export const DOMAINS: readonly string[] = [
  'acme.example',
  'freemail.example',
  'mail.example.net',
  'partner.example.com',
  'university.example.edu',
  'bank.example',
  'megastore.example',
  'travel.example',
  'saas.example',
  'example.org',
  'city.example.gov',
  'insurance.example',
  'telecom.example',
  'hosting.example.net',
  'startup.example.io',
  'family.example',
  'school.example.edu',
  'clinic.example',
  'library.example.org',
  'airline.example',
  'post.example',
  'energy.example',
  'garage.example',
  'lawfirm.example',
  'press.example.com',
  'museum.example.org',
  'charity.example.org',
  'recruiter.example',
  'crypto-offers.example',
  'cheap-pills.example',
];

/** Automated senders that rules sort by address. */
export interface KnownSender {
  readonly address: string;
  readonly name: string;
  readonly folder: string;
  readonly subjects: readonly string[];
}

export const KNOWN_SENDERS: readonly KnownSender[] = [
  {
    address: 'statements@bank.example',
    name: 'Example Bank',
    folder: 'Finance/Bank',
    subjects: ['Your monthly statement is ready', 'Card payment of {n} EUR'],
  },
  {
    address: 'alerts@bank.example',
    name: 'Example Bank Alerts',
    folder: 'Finance/Bank',
    subjects: ['Security alert: new sign-in', 'Low balance warning'],
  },
  {
    address: 'billing@telecom.example',
    name: 'Telecom Billing',
    folder: 'Finance/Bills',
    subjects: ['Your invoice {n}', 'Payment received, thank you'],
  },
  {
    address: 'invoices@energy.example',
    name: 'Energy Co',
    folder: 'Finance/Bills',
    subjects: ['Invoice {n} for your electricity', 'Meter reading reminder'],
  },
  {
    address: 'noreply@insurance.example',
    name: 'Insurance',
    folder: 'Finance/Insurance',
    subjects: ['Policy document {n}', 'Claim {n} update'],
  },
  {
    address: 'orders@megastore.example',
    name: 'Megastore',
    folder: 'Shopping',
    subjects: ['Your order {n} has shipped', 'Order {n} confirmed'],
  },
  {
    address: 'delivery@post.example',
    name: 'Post',
    folder: 'Shopping',
    subjects: ['Parcel {n} out for delivery', 'Parcel {n} delivered'],
  },
  {
    address: 'bookings@airline.example',
    name: 'Airline',
    folder: 'Travel',
    subjects: ['Booking confirmation {n}', 'Check-in is open for flight {n}'],
  },
  {
    address: 'reservations@travel.example',
    name: 'Travel Agency',
    folder: 'Travel',
    subjects: ['Hotel reservation {n}', 'Your trip itinerary'],
  },
  {
    address: 'no-reply@hosting.example.net',
    name: 'Hosting',
    folder: 'Admin/Hosting',
    subjects: ['Domain renewal {n}', 'Disk usage warning on server {n}'],
  },
  {
    address: 'root@startup.example.io',
    name: 'Cron Daemon',
    folder: 'Admin/Cron',
    subjects: ['Cron <root@web{n}> backup.sh', 'Cron <root@db{n}> vacuum'],
  },
  {
    address: 'monitoring@startup.example.io',
    name: 'Monitoring',
    folder: 'Admin/Monitoring',
    subjects: ['[FIRING] disk usage on host{n}', '[RESOLVED] disk usage on host{n}'],
  },
  {
    address: 'teacher@school.example.edu',
    name: 'School',
    folder: 'Family/School',
    subjects: ['Class trip on {day}', 'Parents evening'],
  },
  {
    address: 'appointments@clinic.example',
    name: 'Clinic',
    folder: 'Family/Health',
    subjects: ['Appointment reminder {day}', 'Your results are available'],
  },
  {
    address: 'jobs@recruiter.example',
    name: 'Recruiter',
    folder: 'Jobs',
    subjects: ['New job matches for you', 'Senior engineer role at {n}'],
  },
];

/** Subjects of ordinary person-to-person mail ({n}, {day} and {topic} are filled in). */
export const SUBJECTS: readonly string[] = [
  'Re: meeting on {day}',
  'Lunch {day}?',
  'Re: Re: project plan',
  'Fwd: photos from the weekend',
  'Question about {topic}',
  'Minutes of the {topic} meeting',
  'Draft for review: {topic}',
  'Re: {topic}',
  'Quick question',
  'Re: your message',
  'Invoice {n}',
  'Urgent: {topic}',
  'Reminder: {topic} on {day}',
  'Out of office',
  'Happy birthday!',
  'Re: [PATCH v{n}] {topic}',
  'Holiday plans',
  'Agenda for {day}',
  'Thanks!',
  'Re: Fwd: contract {n}',
];

/** Encoded subjects (RFC 2047): text, charset, encoding. */
export const ENCODED_SUBJECTS: readonly (readonly [string, 'utf-8' | 'iso-8859-1', 'B' | 'Q'])[] = [
  ['Rechnung für März {n}', 'iso-8859-1', 'Q'],
  ['Zahlungserinnerung für Ihre Bestellung {n}', 'utf-8', 'Q'],
  ['Réunion de l’équipe {day}', 'utf-8', 'Q'],
  ['Привет, как дела?', 'utf-8', 'B'],
  ['会議の議事録 {n}', 'utf-8', 'B'],
  ['Ofertas de verano: ¡hasta 50 %!', 'utf-8', 'Q'],
  ['Välkommen till föreningen', 'iso-8859-1', 'Q'],
  ['Ihre Bestellbestätigung {n}', 'utf-8', 'B'],
];

export const TOPICS: readonly string[] = [
  'budget',
  'release 2.0',
  'quarterly report',
  'the new office',
  'migration',
  'database outage',
  'hiring',
  'security review',
  'onboarding',
  'conference talk',
  'renovation',
  'garden party',
  'school trip',
  'mortgage',
];

export const DAYS: readonly string[] = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];

export const WORDS: readonly string[] = (
  'the of and to in is that it for on was with as be at by this have from or one had not but what all were ' +
  'when we there can an your which their said if do will each about how up out them then she many some so ' +
  'these would other into has more her two like him see time could no make than first been its who now ' +
  'people my made over did down only way find use may water long little very after words called just where ' +
  'most know get through back much before go good new write our used me man too any day same right look ' +
  'think also around another came come work three word must because does part even place well such here ' +
  'take why things help put years different away again off went old number great tell men say small every ' +
  'found still between name should home big give air line set own under read last never us left end along ' +
  'while might next sound below saw something thought both few those always looked show large often together ' +
  'asked house world going want school important until form food keep children feet land side without boy ' +
  'once animals life enough took sometimes four head above kind began almost live page got earth need far ' +
  'hand high year mother light parts country father let night following picture being study second eyes soon ' +
  'release server mailbox filter folder meeting budget report invoice delivery project schedule review'
).split(' ');

export const ATTACHMENTS: readonly (readonly [string, string])[] = [
  ['report.pdf', 'application/pdf'],
  ['photo.jpg', 'image/jpeg'],
  ['scan.png', 'image/png'],
  ['invoice.pdf', 'application/pdf'],
  ['data.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['notes.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['archive.zip', 'application/zip'],
  ['calendar.ics', 'text/calendar'],
];

export const MAILERS: readonly string[] = [
  'Mozilla Thunderbird 115.5',
  'Microsoft Outlook 16.0',
  'Apple Mail (2.3774)',
  'Roundcube Webmail/1.6.5',
  'K-9 Mail for Android',
  'Evolution 3.46.4',
  'mutt/2.2.9',
  'Claws Mail 4.1.1',
];
