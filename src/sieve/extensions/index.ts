// Every extension sievert ships. Adding one touches its folder and this list.
import type { ExtensionDefinition } from '../registry.js';
import { base } from './base/index.js';
import { comparatorAsciiNumeric } from './comparator-ascii-numeric/index.js';
import { comparatorUnicodeCasemap } from './comparator-unicode-casemap/index.js';
import { encodedCharacter } from './encoded-character/index.js';
import { envelope } from './envelope/index.js';
import { fileinto } from './fileinto/index.js';
import { variables } from './variables/index.js';
import { date } from './date/index.js';
import { indexExtension } from './index/index.js';
import { regex } from './regex/index.js';
import { include } from './include/index.js';
import { copy } from './copy/index.js';
import { relational } from './relational/index.js';
import { subaddress } from './subaddress/index.js';
import { spamtest, virustest } from './spamtest/index.js';
import { mailbox } from './mailbox/index.js';
import { mboxmetadata, servermetadata } from './metadata/index.js';
import { specialUse } from './special-use/index.js';
import { fcc } from './fcc/index.js';
import { mailboxid } from './mailboxid/index.js';
import { extlists } from './extlists/index.js';
import { convert } from './convert/index.js';
import { environment } from './environment/index.js';
import { ihave } from './ihave/index.js';

import { vacation } from './vacation/index.js';
import { reject, ereject } from './reject/index.js';
import { enotify } from './enotify/index.js';
import { duplicate } from './duplicate/index.js';
import { imap4flags } from './imap4flags/index.js';
import { body } from './body/index.js';
import { editheader } from './editheader/index.js';
import { foreverypart, mime, extracttext, replace, enclose } from './mime/index.js';
// Deprecated and Dovecot-vendor extensions that scripts moved from Dovecot use: accepted in
// require, not advertised. After the standard ones, whose commands win when both are required.
import { imapflags } from './imapflags/index.js';
import { notify } from './notify/index.js';
import { vndDovecotDebug } from './vnd-dovecot-debug/index.js';
import { vndDovecotEnvironment } from './vnd-dovecot-environment/index.js';
import { vndDovecotDuplicate } from './vnd-dovecot-duplicate/index.js';
export const ALL_EXTENSIONS: readonly ExtensionDefinition[] = [
  base,
  comparatorAsciiNumeric,
  comparatorUnicodeCasemap,
  encodedCharacter,
  envelope,
  fileinto,
  variables,
  date,
  indexExtension,
  regex,
  include,
  copy,
  relational,
  subaddress,
  spamtest,
  virustest,
  mailbox,
  mboxmetadata,
  servermetadata,
  specialUse,
  fcc,
  mailboxid,
  extlists,
  convert,
  environment,
  ihave,
  vacation,
  reject,
  ereject,
  enotify,
  duplicate,
  imap4flags,
  body,
  editheader,
  foreverypart,
  mime,
  extracttext,
  replace,
  enclose,
  imapflags,
  notify,
  vndDovecotDebug,
  vndDovecotEnvironment,
  vndDovecotDuplicate,
];
