import * as fs from 'fs';
import * as path from 'path';
import { porterStem } from './porter-stemmer';
import { isEnglishWord, type SpellingCorrector } from './spelling';

/** Words that carry no meaning for policy search, including the fillers of staff questions. */
const stopwordList =
  `a about above after again against all am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further had hadn't has hasn't have haven't having he her here hers herself him himself his how i i'm
if in into is isn't it it's its itself let's me more most my myself no nor not of off on once only or other ought
our ours ourselves out over own same she should shouldn't so some such than that that's the their theirs them
themselves then there there's these they this those through to too under until up very was wasn't we were weren't
what what's when where which while who who's whom why with won't would wouldn't you your yours yourself yourselves
will shall may might must also etc e g ie eg ok okay allowed allow fine alright please someone something anyone
anything thing things get gets got getting happen happens happened need needs want wants know let able go going
way ways really just still yes much many whether within using used use uses per via us them one two three
policy policies school schools trust trusts academy academies question questions thank thanks
say says said saying mention mentions mentioned refer refers regarding talk talks tell me explain help helps
helping helped
actually basically exactly literally just anyway anyhow though even supposed meant quick quickly bit lot lots
stuff kind sort sorts loads honestly currently guys hi hello hey thanks cheers wondering wonder quite
rather pretty probably maybe perhaps definitely totally actual bits piece pieces nutshell sentence
genuine genuinely today tomorrow tonight yesterday morning afternoon evening weekly somewhere anywhere side`
    .split(/\s+/)
    .filter((word) => word.length > 0);
const stopwords = new Set(stopwordList.flatMap((word) => [word, word.replace(/'/g, '')]));

const negations = new Set([
  'not',
  'no',
  'never',
  'nor',
  "don't",
  "doesn't",
  "didn't",
  "isn't",
  "aren't",
  "wasn't",
  "can't",
  'cannot',
  "won't",
  "shouldn't",
  "mustn't",
]);

export function isStopword(word: string): boolean {
  if (stopwords.has(word)) return true;
  // Contractions of stopwords ("they've", "we'll", "i'd") are stopwords too.
  const apostrophe = word.indexOf("'");
  return apostrophe > 0 && stopwords.has(word.slice(0, apostrophe));
}

/** Lower-case word tokens; apostrophes inside words are kept so "don't" meets its stopword. */
export function wordTokens(text: string): string[] {
  const lower = text.toLowerCase().replace(/[’‘`]/g, "'");
  const tokens: string[] = [];
  for (const match of lower.matchAll(/[a-z0-9]+(?:'[a-z]+)*/g)) {
    let token = match[0];
    if (token.endsWith("'s")) token = token.slice(0, -2);
    tokens.push(token);
  }
  return tokens;
}

/**
 * Irregular verb forms the Porter stemmer leaves apart from their base ("taught" / "teach",
 * "told" / "tell"): staff ask in the past tense and passive far more than policies are written in it.
 */
const irregularForms: Record<string, string> = {
  taught: 'teach',
  told: 'tell',
  wrote: 'write',
  written: 'write',
  made: 'make',
  bought: 'buy',
  brought: 'bring',
  thought: 'think',
  kept: 'keep',
  sent: 'send',
  given: 'give',
  gave: 'give',
  took: 'take',
  taken: 'take',
  saw: 'see',
  seen: 'see',
  broke: 'break',
  broken: 'break',
  chose: 'choose',
  chosen: 'choose',
  spoke: 'speak',
  spoken: 'speak',
  left: 'leave',
  caught: 'catch',
  held: 'hold',
  led: 'lead',
  lost: 'lose',
  met: 'meet',
  paid: 'pay',
  sold: 'sell',
  shown: 'show',
  understood: 'understand',
  drew: 'draw',
  drawn: 'draw',
  began: 'begin',
  begun: 'begin',
  became: 'become',
  came: 'come',
  knew: 'know',
  known: 'know',
  felt: 'feel',
  dealt: 'deal',
  sought: 'seek',
  fed: 'feed',
  hid: 'hide',
  hidden: 'hide',
  stole: 'steal',
  stolen: 'steal',
  shared: 'share',
  ran: 'run',
  put: 'put',
  sat: 'sit',
  stood: 'stand',
  wore: 'wear',
  worn: 'wear',
  forgot: 'forget',
  forgotten: 'forget',
  got: 'get',
  gotten: 'get',
  went: 'go',
  gone: 'go',
  did: 'do',
  done: 'do',
  said: 'say',
  leaked: 'leak',
  children: 'child',
  men: 'man',
  women: 'woman',
};

export function stem(token: string): string {
  const plain = token.replace(/'/g, '');
  return porterStem(irregularForms[plain] ?? plain);
}

export interface ThesaurusGroup {
  concept: string;
  terms: string[];
  /** A topic only an AI policy answers; naming it makes a question in scope more readily. */
  anchor?: boolean;
  /**
   * The group names AI itself (a chatbot, Copilot, a notetaker), not a neighbouring topic such as
   * personal data: a question naming it is about AI use even when the rest of its words are loose.
   */
  explicitAi?: boolean;
  /**
   * Question wordings that ask for this concept without naming it ("who" asks for a role holder,
   * "how often" for a review cycle). Matched in questions only, never in policy text, and never
   * enough to make a question anchored.
   */
  questionCues?: string[];
  /**
   * The group's phrases are idioms whose words mean nothing alone ("take into account", "make
   * sure"): a matched phrase stands for its concept and its words are not searched for themselves.
   */
  idiom?: boolean;
  /**
   * The group is a question about the policy document itself (its purpose, scope, owner, review):
   * a question cue for it is what the question asks, so a passage carrying the concept covers that
   * part of the question even though none of the question's own words appear ("how often does it
   * get looked at again" is answered by "reviewed every two years").
   */
  aboutThePolicy?: boolean;
  /**
   * With `explicitAi`: the group names AI in general (AI, chatbots, ChatGPT, Copilot) or a harm of it
   * (deepfakes), which a policy's general rules on AI, safeguarding and misuse answer even where the
   * policy never names it. Any other kind of AI (notetakers, emotion recognition, AI detectors) is
   * answered only by a policy that speaks of it.
   */
  generalAi?: boolean;
  /**
   * The group's phrases frame an object ("put … into", "paste … into"): in a question, up to this
   * many words may sit between their words ("put a child's name and SEN details into a chatbot").
   */
  objectGap?: number;
}

/**
 * A kind of question an AI policy never answers although it names AI: operating a product ("how do I
 * turn on Copilot in Outlook?"), its price, or which product is better. Kept as data beside the
 * synonyms, as a regular expression tested case-insensitively against the question.
 */
export interface OffPolicyQuestion {
  name: string;
  pattern: string;
  /** Who does answer such a question ("your IT support"), when someone in school does. */
  ask?: string;
  /**
   * Refused however much of it the policy seems to cover: small talk with the assistant, or a fact
   * no policy holds (who the DSL at my school is), whose words a policy may still use throughout.
   */
  always?: boolean;
  /** The whole not-covered reply, where the usual one ("ask … whether a tool may be used") fits badly. */
  reply?: string;
}

/** An off-policy kind as the analyzer reports it for a question. */
export interface OffPolicyKind {
  name: string;
  ask?: string;
  always: boolean;
  reply?: string;
}

export interface ThesaurusData {
  groups: ThesaurusGroup[];
  offPolicyQuestions?: OffPolicyQuestion[];
  /**
   * Words with which staff mean AI without saying so ("let the software decide", "get a machine to do
   * it"): a question using one is about AI use, though less surely than one naming AI.
   */
  impliedAiWords?: string[];
  /**
   * Concepts that say who or which AI a question is about (staff, pupils, AI, ChatGPT), not what it
   * asks: named first in a question ("Can staff…", "Is ChatGPT…") they are not what it asks for.
   */
  contextConcepts?: string[];
  /**
   * Word → the stem it must have where the Porter stemmer would merge it with a word of another
   * meaning ("regulator" with "regulations", "officer" with the school office). Kept as data beside
   * the synonyms so a collision found in a new policy is fixed without a code change.
   */
  stemExceptions?: Record<string, string>;
  /**
   * Text-speak → the words it stands for ("cn" → "can", "wen" → "when", "mtg" → "meeting"): staff
   * type between lessons on a phone, and a question read as written would count "hav" as a word the
   * policy lacks. Applied to questions only, before anything else reads them.
   */
  textSpeak?: Record<string, string>;
}

const maxPhraseGap = 2;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * "2" for "to" and "4" for "for" between two words ("ok 2 use", "ai 4 projects"), but not where the
 * digit counts or names something: "year 2", "section 4", "period 4", "2 weeks", "4 pupils".
 */
const textSpeakNumber = new RegExp(
  String.raw`(?<=\b(?!(?:years?|yrs?|y|ks|key|stages?|sections?|appendix|pages?|grades?|levels?|paragraphs?|clauses?|parts?|steps?|versions?|top|the|a|an|groups?|sets?|class|rooms?|tiers?|phases?|units?|chapters?|questions?|q|numbers?|no|periods?|blocks?|terms?|papers?|tables?|figures?|options?|sessions?|only|about|around|over|under|than|and|or|every|first|last|next|within|in|on|by|at|of|plus)\s)[a-z][a-z']*\s+)[24](?=\s+(?!(?:weeks?|days?|hours?|hrs?|minutes?|mins?|months?|years?|yrs?|times?|x|pupils?|kids?|children|students?|staff|people|classes|lessons|versions?|tools?|apps?|of|or|and|questions?|pages?|words?|sentences?|paragraphs?|marks?|points?|groups?|sets?|schools?|teachers?|members?|things?|more|less|out)\b)[a-z])`,
  'gi',
);
const aiWords = new Set(['ai', 'genai']);

/** Concept tokens start with a character no word token can contain, so they never collide. */
export const conceptPrefix = '~';

export interface AnalysedText {
  /** Stemmed content words in order, then concept tokens for thesaurus phrases found. */
  terms: string[];
  /** Concept tokens found, with the stemmed words that triggered each (used for coverage). */
  concepts: Map<string, string[]>;
  /** True when the text names an anchor topic (AI itself, notetakers, DPIAs, data breaches …). */
  anchored: boolean;
  /** True when the text names AI itself (a group marked `explicitAi`). */
  namesAi: boolean;
  /** Concepts a question asked for through a question cue only (see `ThesaurusGroup.questionCues`). */
  cued: Set<string>;
  /** For each cued concept, the stemmed words of the cues that asked for it. */
  cueWords: Map<string, string[]>;
  /** For each concept and cue, the word position where the text first names it. */
  firstPositions: Map<string, number>;
}

interface Phrase {
  words: string[];
  concept: string;
  /** Written as one token ("read.ai"): never split by a filler. */
  strict: boolean;
  /** A question cue: matched in questions only. */
  cue: boolean;
  idiom: boolean;
  /** Words that may sit between the phrase's words in a question. */
  gap: number;
}

/** Tokenising, stemming and thesaurus expansion, shared by indexing and querying so both agree. */
export class TextAnalyzer {
  private readonly phrases = new Map<string, Phrase[]>();
  private readonly stemCache = new Map<string, string>();
  private readonly anchors = new Set<string>();
  private readonly aiConcepts = new Set<string>();
  private readonly policyConcepts = new Set<string>();
  private readonly generalAiConcepts = new Set<string>();
  private readonly offPolicy: (OffPolicyKind & { pattern: RegExp })[];
  private readonly impliedAi: Set<string>;
  private readonly impliedAiPhrases: string[];
  private readonly contextConcepts: Set<string>;
  private readonly stemExceptions: Map<string, string>;
  private readonly textSpeak: Map<string, string>;
  private readonly textSpeakPattern: RegExp | undefined;

  constructor(thesaurus: ThesaurusData) {
    this.textSpeak = new Map(
      Object.entries(thesaurus.textSpeak ?? {}).map(([typed, meant]) => [typed.toLowerCase(), meant]),
    );
    this.textSpeakPattern =
      this.textSpeak.size === 0
        ? undefined
        : new RegExp(
            String.raw`(?<![\w'])(?:${[...this.textSpeak.keys()].map(escapeRegExp).join('|')})(?![\w'])`,
            'gi',
          );
    this.stemExceptions = new Map(
      Object.entries(thesaurus.stemExceptions ?? {}).map(([word, stemmed]) => [word.toLowerCase(), stemmed]),
    );
    const implied = (thesaurus.impliedAiWords ?? [])
      .map((word) => wordTokens(word).join(' '))
      .filter(Boolean);
    this.impliedAi = new Set(implied.filter((word) => !word.includes(' ')));
    this.impliedAiPhrases = implied.filter((word) => word.includes(' '));
    this.contextConcepts = new Set(
      (thesaurus.contextConcepts ?? []).map((name) => `${conceptPrefix}${name}`),
    );
    this.offPolicy = (thesaurus.offPolicyQuestions ?? []).map(({ name, pattern, ask, always, reply }) => ({
      name,
      pattern: new RegExp(pattern, 'i'),
      ask,
      always: always === true,
      reply,
    }));
    for (const group of thesaurus.groups) {
      const concept = `${conceptPrefix}${group.concept}`;
      if (group.anchor) this.anchors.add(concept);
      if (group.explicitAi) this.aiConcepts.add(concept);
      if (group.aboutThePolicy) this.policyConcepts.add(concept);
      if (group.generalAi) this.generalAiConcepts.add(concept);
      const terms = [
        ...group.terms.map((term) => ({ term, cue: false })),
        ...(group.questionCues ?? []).map((term) => ({ term, cue: true })),
      ];
      for (const { term, cue } of terms) {
        const words = wordTokens(term).map((token) => this.stemOf(token));
        if (words.length === 0) continue;
        const list = this.phrases.get(words[0]) ?? [];
        list.push({
          words,
          concept,
          strict: !/\s/.test(term.trim()),
          cue,
          idiom: group.idiom === true,
          gap: group.objectGap ?? maxPhraseGap,
        });
        this.phrases.set(words[0], list);
      }
    }
    for (const list of this.phrases.values())
      list.sort((left, right) => right.words.length - left.words.length);
  }

  private stemOf(token: string): string {
    let stemmed = this.stemCache.get(token);
    if (stemmed === undefined) {
      stemmed = this.stemUncached(token);
      if (this.stemCache.size < 200_000) this.stemCache.set(token, stemmed);
    }
    return stemmed;
  }

  /** For one-off words (a typo's hundreds of variants), which would only crowd the cache. */
  private stemUncached(token: string): string {
    return this.stemExceptions.get(token.replace(/'/g, '')) ?? stem(token);
  }

  /**
   * Where a phrase starting at `start` ends (exclusive), or -1. Staff put fillers inside set phrases
   * ("break the AI rules", "the policy gets updated", "who wrote the ATLP policy"), so up to
   * `maxPhraseGap` tokens may sit between its words: stopwords and "AI" anywhere, any word inside a
   * phrase of four words or more (shorter ones stay strict: "take minutes" is not "take 5 minutes").
   */
  private phraseEndAt(
    tokens: string[],
    stems: string[],
    start: number,
    words: string[],
    loose: boolean,
    coordinate: boolean,
    objectGap = maxPhraseGap,
  ): number {
    let position = start + 1;
    let skipped = 0;
    for (let offset = 1; offset < words.length; offset += 1) {
      const gapStart = position;
      while (position < stems.length && stems[position] !== words[offset]) {
        const token = tokens[position];
        // A negation inside a phrase turns it around: "I'm not sure" is not "I'm sure".
        if (negations.has(token)) return -1;
        if (loose && objectGap > maxPhraseGap && skipped < objectGap) {
          skipped += 1;
          position += 1;
          continue;
        }
        const skippable = loose && (isStopword(token) || aiWords.has(token) || words.length >= 4);
        if (skippable && skipped < maxPhraseGap) {
          skipped += 1;
          position += 1;
          continue;
        }
        // Policy text coordinates: "personal, sensitive or confidential data" is personal data too.
        const coordinated = coordinate ? this.coordinationEnd(tokens, stems, gapStart, words[offset]) : -1;
        if (coordinated < 0) return -1;
        position = coordinated;
        break;
      }
      if (position >= stems.length) return -1;
      position += 1;
    }
    return position;
  }

  /**
   * Where `next` follows a short coordinated run starting at `from` ("sensitive or confidential",
   * "staff and pupil"), or -1: at most three words, one of them "and" / "or".
   */
  private coordinationEnd(tokens: string[], stems: string[], from: number, next: string): number {
    let joined = false;
    for (let position = from; position < Math.min(stems.length, from + 4); position += 1) {
      if (stems[position] === next) return joined && position > from + 1 ? position : -1;
      if (tokens[position] === 'and' || tokens[position] === 'or') joined = true;
    }
    return -1;
  }

  /**
   * The kinds of AI a question names other than AI in general (notetakers, emotion recognition, AI
   * detectors: see `ThesaurusGroup.generalAi`).
   */
  aiTopics(concepts: Iterable<string>): string[] {
    return [...concepts].filter(
      (concept) => this.aiConcepts.has(concept) && !this.generalAiConcepts.has(concept),
    );
  }

  /** Whether a concept asks about the policy document itself (see `ThesaurusGroup.aboutThePolicy`). */
  isAboutThePolicy(concept: string): boolean {
    return this.policyConcepts.has(concept);
  }

  /**
   * The question with its text-speak written out ("do i hav 2 say wen i used ai" → "do i have to say
   * when i used ai"), so every later step reads the words the staff member meant.
   */
  readTextSpeak(question: string): string {
    const spelled = this.textSpeakPattern
      ? question.replace(this.textSpeakPattern, (typed) => this.textSpeak.get(typed.toLowerCase()) ?? typed)
      : question;
    return spelled.replace(textSpeakNumber, (digit: string) => (digit === '2' ? 'to' : 'for'));
  }

  /** The off-policy kind of question this is (its name, and who answers it), if it is one. */
  offPolicyQuestion(question: string): OffPolicyKind | undefined {
    const found = this.offPolicy.find(({ pattern }) => pattern.test(question));
    return found && { name: found.name, ask: found.ask, always: found.always, reply: found.reply };
  }

  /** The stems of every word of the thesaurus's phrases: words a question may use though no policy does. */
  thesaurusStems(): Set<string> {
    const stems = new Set<string>();
    for (const list of this.phrases.values())
      for (const phrase of list) for (const word of phrase.words) stems.add(word);
    return stems;
  }

  /** Whether a concept says who or which AI a question is about rather than what it asks. */
  isContext(concept: string): boolean {
    return this.contextConcepts.has(concept);
  }

  /** Whether the question means AI through a word such as "software" (see `impliedAiWords`). */
  impliesAi(question: string): boolean {
    const tokens = wordTokens(question);
    if (tokens.some((token) => this.impliedAi.has(token))) return true;
    // Phrases ("these tools") are matched on the question's words joined by single spaces.
    const joined = ` ${tokens.join(' ')} `;
    return this.impliedAiPhrases.some((phrase) => joined.includes(` ${phrase} `));
  }

  /**
   * With `loose`, fillers may sit inside a phrase: for questions, whose wording is free, not for the
   * policy text, whose phrases stand as written (a loose match there only invents concepts). With
   * `spelling`, a question word that is no English word and one slip from a known one is read as
   * that word ("homewrok" → homework).
   */
  analyse(text: string, loose = false, spelling?: SpellingCorrector): AnalysedText {
    const tokens = wordTokens(text);
    const stems = tokens.map((token) => this.stemOf(token));
    if (spelling)
      tokens.forEach((token, index) => {
        if (token.length < 5 || !/^[a-z]+$/.test(token) || isStopword(token)) return;
        if (spelling.isKnown(stems[index]) || isEnglishWord(token)) return;
        const corrected = spelling.correct(token, (word) => this.stemUncached(word));
        if (corrected !== undefined) stems[index] = corrected;
      });
    const terms: string[] = [];
    /** Positions in `terms` of word terms an idiom stands for, and the token each came from. */
    const wordPositions = new Map<number, number>();
    const idiomTokens = new Set<number>();
    const concepts = new Map<string, string[]>();
    const cued = new Set<string>();
    const cueWords = new Map<string, string[]>();
    const firstPositions = new Map<string, number>();
    // Words inside a matched phrase do not start another concept ("writing reports" is a school
    // report, not also a report of a concern), except an anchor: "a new AI app" is still about AI.
    let phraseEnd = 0;
    for (let index = 0; index < tokens.length; index += 1) {
      const token = tokens[index];
      if (!isStopword(token) && !(token.length === 1 && !/[0-9]/.test(token))) {
        wordPositions.set(terms.length, index);
        terms.push(stems[index]);
      }
      const all = this.phrases.get(stems[index]);
      const candidates =
        index >= phraseEnd ? all : all?.filter((candidate) => this.anchors.has(candidate.concept));
      if (!candidates) continue;
      // Every group may match once at a position (the longest phrase of each group wins), so
      // "pupil names" is both personal data and a pupil.
      const matchedHere = new Set<string>();
      for (const candidate of candidates) {
        if (matchedHere.has(candidate.concept) || (candidate.cue && !loose)) continue;
        const end = candidate.strict
          ? this.phraseEndAt(tokens, stems, index, candidate.words, false, false)
          : this.phraseEndAt(tokens, stems, index, candidate.words, loose, true, candidate.gap);
        if (end < 0) continue;
        const { words } = candidate;
        matchedHere.add(candidate.concept);
        if (!firstPositions.has(candidate.concept)) firstPositions.set(candidate.concept, index);
        if (candidate.cue) {
          // A cue adds the concept once and does not claim its words from other phrases.
          if (!cued.has(candidate.concept) && !concepts.has(candidate.concept)) terms.push(candidate.concept);
          cued.add(candidate.concept);
          cueWords.set(candidate.concept, [...(cueWords.get(candidate.concept) ?? []), ...candidate.words]);
          continue;
        }
        const triggers = concepts.get(candidate.concept) ?? [];
        triggers.push(...words);
        concepts.set(candidate.concept, triggers);
        terms.push(candidate.concept);
        if (candidate.idiom)
          for (let position = index; position < end; position += 1) idiomTokens.add(position);
        // A phrase framing an object ("put … into") does not claim the object's words: "a child's
        // name" inside it is still personal data.
        if (candidate.gap <= maxPhraseGap) phraseEnd = Math.max(phraseEnd, end);
      }
    }
    let anchored = false;
    let namesAi = false;
    for (const concept of concepts.keys()) {
      if (this.anchors.has(concept)) anchored = true;
      if (this.aiConcepts.has(concept)) namesAi = true;
    }
    const kept =
      idiomTokens.size === 0
        ? terms
        : terms.filter((_, position) => !idiomTokens.has(wordPositions.get(position) ?? -1));
    return { terms: kept, concepts, anchored, namesAi, cued, cueWords, firstPositions };
  }
}

/** Finds `data/thesaurus.json` from the source tree or from the compiled `dist/` tree. */
export function defaultThesaurusPath(): string {
  let directory = __dirname;
  for (let depth = 0; depth < 6; depth += 1) {
    const candidate = path.join(directory, 'data', 'thesaurus.json');
    if (fs.existsSync(candidate)) return candidate;
    directory = path.dirname(directory);
  }
  return path.resolve(__dirname, '..', '..', 'data', 'thesaurus.json');
}

export function loadThesaurus(filePath: string = defaultThesaurusPath()): ThesaurusData {
  const parsed = JSON.parse(fs.readFileSync(filePath, 'utf8')) as {
    groups?: unknown;
    stemExceptions?: unknown;
    offPolicyQuestions?: unknown;
    impliedAiWords?: unknown;
    contextConcepts?: unknown;
    textSpeak?: unknown;
  };
  if (!Array.isArray(parsed.groups)) throw new Error(`Thesaurus ${filePath} has no "groups" list`);
  const groups: ThesaurusGroup[] = [];
  for (const group of parsed.groups as { concept?: unknown; terms?: unknown }[]) {
    if (typeof group.concept !== 'string' || !Array.isArray(group.terms)) continue;
    groups.push({
      concept: group.concept,
      terms: group.terms.filter((term): term is string => typeof term === 'string'),
      anchor: (group as { anchor?: unknown }).anchor === true,
      explicitAi: (group as { explicitAi?: unknown }).explicitAi === true,
      idiom: (group as { idiom?: unknown }).idiom === true,
      aboutThePolicy: (group as { aboutThePolicy?: unknown }).aboutThePolicy === true,
      generalAi: (group as { generalAi?: unknown }).generalAi === true,
      objectGap:
        typeof (group as { objectGap?: unknown }).objectGap === 'number'
          ? (group as { objectGap: number }).objectGap
          : undefined,
      questionCues: Array.isArray((group as { questionCues?: unknown }).questionCues)
        ? ((group as { questionCues: unknown[] }).questionCues.filter(
            (term): term is string => typeof term === 'string',
          ) as string[])
        : undefined,
    });
  }
  const stemExceptions: Record<string, string> = {};
  if (parsed.stemExceptions && typeof parsed.stemExceptions === 'object')
    for (const [word, stemmed] of Object.entries(parsed.stemExceptions as Record<string, unknown>))
      if (typeof stemmed === 'string') stemExceptions[word] = stemmed;
  const offPolicyQuestions: OffPolicyQuestion[] = [];
  const offPolicyEntries = Array.isArray(parsed.offPolicyQuestions)
    ? (parsed.offPolicyQuestions as {
        name?: unknown;
        pattern?: unknown;
        ask?: unknown;
        always?: unknown;
        reply?: unknown;
      }[])
    : [];
  for (const { name, pattern, ask, always, reply } of offPolicyEntries) {
    if (typeof name !== 'string' || typeof pattern !== 'string') continue;
    try {
      new RegExp(pattern, 'i');
    } catch (error) {
      throw new Error(
        `Thesaurus ${filePath}: off-policy question "${name}" has an invalid pattern (${String(error)})`,
      );
    }
    offPolicyQuestions.push({
      name,
      pattern,
      ...(typeof ask === 'string' ? { ask } : {}),
      ...(always === true ? { always: true } : {}),
      ...(typeof reply === 'string' ? { reply } : {}),
    });
  }
  const impliedAiWords = Array.isArray(parsed.impliedAiWords)
    ? parsed.impliedAiWords.filter((word): word is string => typeof word === 'string')
    : [];
  const contextConcepts = Array.isArray(parsed.contextConcepts)
    ? parsed.contextConcepts.filter((name): name is string => typeof name === 'string')
    : [];
  const textSpeak: Record<string, string> = {};
  if (parsed.textSpeak && typeof parsed.textSpeak === 'object')
    for (const [typed, meant] of Object.entries(parsed.textSpeak as Record<string, unknown>))
      if (typeof meant === 'string') textSpeak[typed] = meant;
  return { groups, stemExceptions, offPolicyQuestions, impliedAiWords, contextConcepts, textSpeak };
}
