/**
 * Personal data guard. The trust's policies forbid putting personal data into AI tools, so the bot
 * practises it: before a question reaches Azure OpenAI we find personal data, replace it with a neutral
 * placeholder that keeps the policy question answerable, and tell the person why in one line.
 *
 * Pure and deterministic. What was found is reported only as kinds: callers must never log the
 * question or the removed text, only `found`.
 *
 * Design choices:
 * - Bias towards removing: a missed identifier is a data leak, a wrongly removed word only blurs a
 *   question. So identifier shapes (UPN, NI number) are matched without demanding a valid check letter
 *   or prefix — a mistyped UPN still identifies a pupil.
 * - Dates are removed only in date-of-birth context ("born", "DOB", "date of birth", "birthday"): a bare
 *   date such as a policy's approval date is not personal data and questions about deadlines need it.
 * - Names are found without a name list, so a name alone is left in place (asking "is Mrs Patel our
 *   DPO?" is fine). A name is removed when it sits in a person position (possessive, "for/about X",
 *   "X who has …", a title such as "Mr") AND the question carries sensitive context (SEN, EHCP,
 *   safeguarding, medical, behaviour, reports …) or other personal data. Lower-case names are not found.
 */

export type PersonalDataKind =
  'name' | 'email' | 'phone' | 'upn' | 'ni-number' | 'date-of-birth' | 'postcode';

export interface PersonalDataResult {
  /** The question with personal data replaced by placeholders such as `[a pupil's]`. */
  cleaned: string;
  /** Kinds found, each once, in the order first seen. Safe to log. */
  found: PersonalDataKind[];
  /** One line for the person who asked; present only when something was removed. */
  notice?: string;
}

interface Finding {
  kind: PersonalDataKind;
  start: number;
  end: number;
  replacement: string;
}

/** A list kept as readable data: entries separated by `|`, whitespace around them ignored. */
function phrases(text: string): string[] {
  return text
    .split('|')
    .map((entry) => entry.trim().replace(/\s+/g, ' '))
    .filter((entry) => entry.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Vocabulary (data, not logic). Lower-case; multi-word entries are matched as phrases.
// ---------------------------------------------------------------------------------------------

/** Words that mark a question as being about someone's sensitive information. */
const sensitiveContext = phrases(`
  ehcp | ehcps | ehc plan | sen | send | senco | iep | care plan | support plan | provision map |
  safeguarding | child protection | cp | cpoms | myconcern | concern | concerns | disclosure |
  disclosed | allegation | allegations | abuse | neglect | self-harm | self harm | suicidal | medical
  | medication | diagnosis | diagnosed | health | mental health | autism | autistic | adhd | dyslexia
  | dyslexic | disability | disabled | pregnant | pregnancy | counselling | therapy | bereavement |
  looked after | lac | in care | social worker | social services | exclusion | excluded | suspension |
  suspended | behaviour | attendance | absence | report | reports | school report | grades | marks |
  assessment | results | free school meals | fsm | pupil premium | religion | ethnicity | disciplinary
  | grievance | sickness | capability | appraisal | dob | d.o.b | born | date of birth | birthday |
  address | home address | phone number | email address | upn | national insurance | police | custody
  | incident | notes | records | file
`);

/** Context that says the person is a pupil, so the placeholder reads "[a pupil]". */
const pupilContext = phrases(`
  pupil | pupils | student | students | child | children | ehcp | ehc plan | sen | send | senco | iep
  | year | class | safeguarding | child protection | looked after | free school meals | pupil premium
  | school report | exclusion | excluded | son | daughter | parent | parents | upn
`);

/** Context that says the person is on the staff, so the placeholder reads "[a member of staff]". */
const staffContext = phrases(`
  disciplinary | grievance | sickness | capability | appraisal | colleague | teacher | teaching
  assistant | member of staff | staff member | employee | contract | payroll
`);

/** Words that introduce a person: "for Amira Khan", "about Tom Jones", "pupil Jamie". */
const personIntroducers = new Set(
  phrases(`
  for | about | regarding | re | concerning | involving | with | called | named | pupil | student |
  child | boy | girl | colleague | teacher | parent | mum | dad | son | daughter | of
`),
);

/** Words after a name that show it is a person: "Amira Khan who has SEN", "Tom is autistic". */
const personFollowers = new Set(
  phrases(`
    who | has | is | was | had | needs | born | aged | discloses | disclosed | told | said | says | reported
  `),
);

/** "Noah Williams in 5B", "Leo from Year 3": a class or year group after the name marks a pupil. */
const classAfterName =
  /^\s+(?:in|from|at)\s+(?:year|yr|class|form|reception|nursery|y\d{1,2}\b|\d{1,2}[A-Za-z]{0,2}\b)/i;

const honorifics = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'master']);

/**
 * Capitalised words that are not people: question words, school roles and documents, months and days,
 * products staff ask about. Compared lower-case.
 */
const notNames = new Set(
  phrases(`
  i | a | an | the | can | could | is | are | am | do | does | did | should | would | will | shall |
  may | might | must | what | who | whom | whose | where | when | why | how | which | if | my | our |
  we | you | your | they | their | he | she | his | her | it | its | this | that | these | those |
  please | hi | hello | thanks | yes | no | also | and | but | or | so | any | all | some | there |
  here | has | have | was | were | be | been | not | ok | okay | for | about | with | to | in | on |
  at | of | by | from | after | before | under | per | ai | uk | gdpr | dpia | dpias | dpo | dsl |
  ddsl | sen | send | senco | ehcp | iep | lac | fsm | mis | it | ict | hr | slt | sbm | ceo | cfo |
  coo | ico | dfe | ofsted | kcsie | nhs | trust | school | schools | academy | academies | college |
  primary | secondary | nursery | sixth | form | year | years | key | stage | ks1 | ks2 | ks3 | ks4 |
  ks5 | eyfs | reception | head | headteacher | headteachers | principal | deputy | assistant |
  executive | chief | officer | officers | lead | leads | leader | leaders | designated | safeguarding
  | data | protection | privacy | information | security | governor | governors | governing | board |
  body | trustee | trustees | member | members | committee | local | authority | council | policy |
  policies | section | appendix | annex | part | paragraph | schedule | table | staff | teacher |
  teachers | teaching | pupil | pupils | student | students | parent | parents | carer | carers |
  child | children | team | department | office | business | manager | director | admin | support |
  learning | special | educational | needs | plan | impact | assessment | assessments | register |
  incident | breach | report | reports | meeting | meetings | minutes | notetaker | notetakers |
  consent | acceptable | use | agreement | code | conduct | handbook | guidance | act | law |
  regulation | article | artificial | intelligence | generative | tool | tools | app | apps | english
  | maths | science | history | geography | art | music | pe | re | pshe | rse | computing | french |
  spanish | german | gcse | gcses | a-level | sats | btec | inset | cpd | prevent | channel | chat |
  email | emails | internet | online | cloud | public | free | paid | pro | plus | enterprise |
  education | edition | version | account | accounts | licence | license | january | february | march
  | april | may | june | july | august | september | october | november | december | monday | tuesday
  | wednesday | thursday | friday | saturday | sunday | autumn | spring | summer | term | christmas |
  easter | half | chatgpt | openai | gpt | microsoft | copilot | teams | office | outlook | word |
  excel | powerpoint | onenote | onedrive | sharepoint | forms | bing | edge | windows | azure |
  google | gemini | bard | classroom | workspace | drive | docs | sheets | slides | meet | chrome |
  apple | siri | claude | anthropic | perplexity | meta | llama | mistral | grok | deepseek | otter |
  fireflies | zoom | webex | notion | canva | gamma | grammarly | quillbot | midjourney | dall-e |
  dalle | stable | diffusion | magic | brisk | teachmate | teachermatic | oak | aila | arbor | bromcom
  | sims | scholarpack | aloud | cpoms | myconcern | satchel | classdojo | seesaw | tapestry | sparx | kahoot
  | padlet | quizlet | snapchat | whatsapp | tiktok | instagram | facebook | youtube | twitter |
  linkedin | read | ai | speechify | immersive | reader | turnitin
`),
);

const placeholderFor: Record<Exclude<PersonalDataKind, 'name'>, string> = {
  email: '[an email address]',
  phone: '[a phone number]',
  upn: '[a UPN]',
  'ni-number': '[an NI number]',
  'date-of-birth': '[a date of birth]',
  postcode: '[a postcode]',
};

const kindWords: Record<PersonalDataKind, [singular: string, plural: string]> = {
  name: ['a name', 'names'],
  email: ['an email address', 'email addresses'],
  phone: ['a phone number', 'phone numbers'],
  upn: ['a UPN', 'UPNs'],
  'ni-number': ['a National Insurance number', 'National Insurance numbers'],
  'date-of-birth': ['a date of birth', 'dates of birth'],
  postcode: ['a postcode', 'postcodes'],
};

// ---------------------------------------------------------------------------------------------
// Identifier patterns
// ---------------------------------------------------------------------------------------------

const emailPattern = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** UK numbers: +44 / 0044 / 0, an area or mobile prefix, then two groups; digit counts checked after. */
const phonePattern =
  /(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?\d{2,4}|\(0\d{2,4}\)|0\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?!\d)/g;

/** 13 characters: a letter then 12 digits (permanent) or 11 digits and a letter (temporary). */
const upnPattern = /\b[A-Za-z](?:\d{12}|\d{11}[A-Za-z])\b/g;

/** Two letters, six digits (often spaced in pairs), optional suffix A–D. */
const niPattern = /\b([A-Za-z]{2})\s?(\d{2})\s?(\d{2})\s?(\d{2})(?:\s?([A-Da-d]))?\b/g;

/** Outward code (area, district) and inward code (sector, unit); the inward letters never use CIKMOV. */
const postcodePattern =
  /\b([A-PR-UWYZa-pr-uwyz][A-HK-Ya-hk-y]?\d[A-Za-z\d]?)\s?(\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})\b/g;

const monthNames =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const dateBody =
  `(?:\\d{1,2}[/.-]\\d{1,2}(?:[/.-]\\d{2,4})?|\\d{4}-\\d{1,2}-\\d{1,2}` +
  `|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${monthNames})\\.?(?:,?\\s+\\d{4})?` +
  `|(?:${monthNames})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?)`;
/** A date within a few words after a date-of-birth cue, or "(born 2014)"-style years. */
const dobPattern = new RegExp(
  `\\b(?:date\\s+of\\s+birth|d\\.?o\\.?b\\.?|born(?:\\s+on)?|birthday(?:\\s+is)?|birth\\s+date)` +
    `[\\s:,-]*(?:is\\s+|was\\s+|on\\s+|in\\s+|the\\s+)*(${dateBody}|\\d{4})`,
  'gi',
);
/** A date followed by a birth cue: "3/4/2015 (DOB)". */
const dobAfterPattern = new RegExp(
  `(${dateBody})\\s*\\(?\\s*(?:d\\.?o\\.?b\\.?|date\\s+of\\s+birth)\\b`,
  'gi',
);

const upnCheckLetters = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * The DfE check letter for a permanent UPN: digits 2–13 weighted 2–13, summed, modulo 23, as a letter
 * from A–Z without I, O and S. Used to describe the shape; detection does not require it to match.
 */
export function upnCheckLetter(twelveDigits: string): string | undefined {
  if (!/^\d{12}$/.test(twelveDigits)) return undefined;
  let sum = 0;
  for (let index = 0; index < 12; index++) sum += Number(twelveDigits[index]) * (index + 2);
  return upnCheckLetters[sum % 23];
}

export function isValidUpn(candidate: string): boolean {
  const upn = candidate.toUpperCase();
  if (!/^[A-Z]\d{12}$/.test(upn)) return false;
  return upnCheckLetter(upn.slice(1)) === upn[0];
}

function isUkPhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (/^(?:00)?44/.test(digits) && /^(?:\+|00)/.test(candidate.trim())) {
    const national = digits.replace(/^(?:00)?44/, '').replace(/^0/, '');
    return national.length >= 9 && national.length <= 10;
  }
  return digits.startsWith('0') && (digits.length === 10 || digits.length === 11);
}

const invalidNiPrefixes = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

function isNiPrefix(prefix: string, hasSuffix: boolean): boolean {
  const upper = prefix.toUpperCase();
  // With a suffix letter the shape alone is convincing (even the "QQ" example prefix is someone's
  // placeholder for a real number); without one, insist on the HMRC prefix rules to spare codes like "AB123456".
  if (hasSuffix) return true;
  if (/[DFIQUV]/.test(upper[0]) || /[DFIOQUV]/.test(upper[1])) return false;
  return !invalidNiPrefixes.has(upper);
}

function collect(
  pattern: RegExp,
  text: string,
  accept: (match: RegExpExecArray) => Finding | undefined,
): Finding[] {
  const findings: Finding[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const finding = accept(match);
    if (finding) findings.push(finding);
  }
  return findings;
}

function findIdentifiers(text: string): Finding[] {
  const findings: Finding[] = [];
  findings.push(
    ...collect(emailPattern, text, (match) => ({
      kind: 'email',
      start: match.index,
      end: match.index + match[0].length,
      replacement: placeholderFor.email,
    })),
  );
  findings.push(
    ...collect(upnPattern, text, (match) => ({
      kind: 'upn',
      start: match.index,
      end: match.index + match[0].length,
      replacement: placeholderFor.upn,
    })),
  );
  findings.push(
    ...collect(niPattern, text, (match) =>
      isNiPrefix(match[1], match[5] !== undefined)
        ? {
            kind: 'ni-number',
            start: match.index,
            end: match.index + match[0].length,
            replacement: placeholderFor['ni-number'],
          }
        : undefined,
    ),
  );
  for (const pattern of [dobPattern, dobAfterPattern]) {
    findings.push(
      ...collect(pattern, text, (match) => {
        const date = match[1];
        const start = match.index + match[0].indexOf(date);
        return {
          kind: 'date-of-birth',
          start,
          end: start + date.length,
          replacement: placeholderFor['date-of-birth'],
        };
      }),
    );
  }
  findings.push(
    ...collect(phonePattern, text, (match) =>
      isUkPhone(match[0])
        ? {
            kind: 'phone',
            start: match.index,
            end: match.index + match[0].length,
            replacement: placeholderFor.phone,
          }
        : undefined,
    ),
  );
  findings.push(
    ...collect(postcodePattern, text, (match) => {
      const [, outward, inward] = match;
      // "Y7 1st" is a year group, not a postcode: real postcodes are typed in one case throughout.
      const letters = (outward + inward).replace(/[^A-Za-z]/g, '');
      if (letters !== letters.toUpperCase() && letters !== letters.toLowerCase()) return undefined;
      return {
        kind: 'postcode',
        start: match.index,
        end: match.index + match[0].length,
        replacement: placeholderFor.postcode,
      };
    }),
  );
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Names in sensitive context
// ---------------------------------------------------------------------------------------------

interface Word {
  text: string;
  lower: string;
  start: number;
  end: number;
}

function words(text: string): Word[] {
  const result: Word[] = [];
  const pattern = /[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    result.push({
      text: match[0],
      lower: match[0].toLowerCase(),
      start: match.index,
      end: match.index + match[0].length,
    });
  }
  return result;
}

function containsPhrase(lowerText: string, phrases: string[]): boolean {
  return phrases.some((phrase) =>
    new RegExp(`(?<![a-z])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z])`).test(lowerText),
  );
}

const possessivePattern = /^(.*?)(?:['’]s|s['’])$/;
/** Name-shaped: "Jamie", "O'Brien", "Smith-Jones", "McKenzie". Not "ChatGPT", "DPIA" or "SEN". */
const nameShaped = /^(?:[A-Z]['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?$/;

function bareName(word: string): { name: string; possessive: boolean } {
  const possessive = possessivePattern.exec(word);
  if (possessive && possessive[1].length > 0) {
    // "James'" keeps its final s; "Jamie's" drops the 's.
    const name = word.endsWith('s’') || word.endsWith("s'") ? word.slice(0, -1) : possessive[1];
    return { name, possessive: true };
  }
  return { name: word.replace(/\.$/, ''), possessive: false };
}

function isNameWord(word: string): boolean {
  const { name } = bareName(word);
  return nameShaped.test(name) && !notNames.has(name.toLowerCase());
}

function findNames(text: string, otherFindings: Finding[]): Finding[] {
  const lowerText = text.toLowerCase();
  const sensitive = otherFindings.length > 0 || containsPhrase(lowerText, sensitiveContext);
  if (!sensitive) return [];
  const all = words(text);
  const findings: Finding[] = [];
  let index = 0;
  while (index < all.length) {
    const first = all[index];
    const hasTitle = honorifics.has(first.lower.replace(/\.$/, ''));
    let cursor = hasTitle ? index + 1 : index;
    const nameStart = cursor;
    while (cursor < all.length && cursor - nameStart < 3 && isNameWord(all[cursor].text)) {
      const gap = text.slice(all[cursor - 1]?.end ?? all[cursor].start, all[cursor].start);
      if (cursor > nameStart && gap !== ' ') break;
      cursor++;
      if (bareName(all[cursor - 1].text).possessive) break;
    }
    const nameWords = all.slice(nameStart, cursor);
    if (nameWords.length === 0) {
      index++;
      continue;
    }
    const last = nameWords[nameWords.length - 1];
    // "James' EHCP": the word pattern stops before a trailing apostrophe.
    const trailingApostrophe = /^['’](?![A-Za-z])/.test(text.slice(last.end)) && last.text.endsWith('s');
    const possessive = bareName(last.text).possessive || trailingApostrophe;
    const end = trailingApostrophe ? last.end + 1 : last.end;
    const before = all[index - 1]?.lower;
    const after = all[cursor]?.lower;
    const isFirstWord = index === 0;
    const inPersonPosition =
      hasTitle ||
      possessive ||
      (before !== undefined && personIntroducers.has(before)) ||
      (after !== undefined && personFollowers.has(after) && (nameWords.length > 1 || !isFirstWord)) ||
      classAfterName.test(text.slice(end)) ||
      // "Jamie Smith, Year 5, …" and "Jamie Smith (DOB …)": a full name set off by punctuation.
      (nameWords.length > 1 && /^\s*[,(]/.test(text.slice(end)));
    // A lone capitalised first word of the question could be any noun; accept it only when possessive.
    const plausible = hasTitle || nameWords.length > 1 || !isFirstWord || possessive;
    if (inPersonPosition && plausible) {
      const start = all[index].start;
      const role = roleFor(lowerText);
      findings.push({
        kind: 'name',
        start,
        end,
        replacement: possessive ? `[${role}'s]` : `[${role}]`,
      });
    }
    index = cursor;
  }
  return findings;
}

function roleFor(lowerText: string): string {
  if (containsPhrase(lowerText, staffContext)) return 'a member of staff';
  if (containsPhrase(lowerText, pupilContext)) return 'a pupil';
  return 'a person';
}

// ---------------------------------------------------------------------------------------------

function noticeFor(counts: Map<PersonalDataKind, number>): string {
  const parts = [...counts].map(([kind, count]) => {
    const [singular, plural] = kindWords[kind];
    return count === 1 ? singular : `${count} ${plural}`;
  });
  const list =
    parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `I removed ${list} before answering: the policy says not to put personal data into AI tools.`;
}

/** Finds personal data in a question and replaces it with placeholders. */
export function stripPersonalData(question: string): PersonalDataResult {
  const identifiers = findIdentifiers(question);
  const names = findNames(question, identifiers);
  // Earlier and longer findings win where two patterns claim the same characters.
  const ordered = [...identifiers, ...names].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Finding[] = [];
  for (const finding of ordered) {
    const previous = kept[kept.length - 1];
    if (previous && finding.start < previous.end) continue;
    kept.push(finding);
  }
  if (kept.length === 0) return { cleaned: question, found: [] };

  let cleaned = '';
  let position = 0;
  const counts = new Map<PersonalDataKind, number>();
  for (const finding of kept) {
    cleaned += question.slice(position, finding.start) + finding.replacement;
    position = finding.end;
    counts.set(finding.kind, (counts.get(finding.kind) ?? 0) + 1);
  }
  cleaned += question.slice(position);
  return { cleaned, found: [...counts.keys()], notice: noticeFor(counts) };
}
