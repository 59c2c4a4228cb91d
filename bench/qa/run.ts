/**
 * Policy Q&A benchmark: our engine vs plain BM25 over blank-line paragraphs (minisearch defaults),
 * per policy and pooled, on the project's question set (bench/qa/questions.json), plus a generated
 * corpus of 1,000 policy-like documents for build time, query latency and memory.
 *
 *   npm run bench:qa              full report (dev, held-out and all questions)
 *   npm run bench:qa -- --misses  also list dev-set misses (never held-out ones) for tuning
 *   npm run bench:qa -- --questions bench/qa/staff-dev.json   another question set of the same shape
 *     (staff-dev*.json: staff-voiced questions written blind in three batches, each run once
 *     before any tuning on it; `heldOut` defaults to false; staff-blind-4.json: a fifth batch covering
 *     every part of each policy, run once before the round-2 changes; staff-blind-5.json: a sixth,
 *     written after them and judged by its totals only, never by its misses; staff-blind-6.json: a
 *     seventh, written before the round-3 changes and likewise judged by its totals only;
 *     staff-blind-7.json: an eighth, whose totals were taken before the round-4 changes and whose misses
 *     then tuned them; staff-blind-8.json: a ninth, written at the same time and judged by totals only;
 *     staff-blind-9.json (judged by totals only) and staff-blind-10.json (fact-first questions, whose
 *     misses tuned round 5): a tenth and eleventh; staff-boundary.json: AI-adjacent questions in and out
 *     of scope, for the out-of-scope check (round 6); staff-generic.json and staff-generic-2.json:
 *     generic staff questions ("is it ok to get AI to mark my quizzes") asked of every policy, with the
 *     pairs a policy does not cover (`notCoveredByPolicy`, which it should refuse); the first tuned
 *     round 7 and the second round 8; the third (staff-generic-3.json) is held out and part of
 *     `npm run bench`; staff-oos-dev.json: out-of-scope questions and near-boundary ones, tuned round
 *     9, and staff-oos-dev-2.json (150 out-of-scope questions), round 11; staff-blind-11.json,
 *     staff-blind-13.json and staff-blind-16.json: blind sets asking about every part of each policy,
 *     held out and part of `npm run bench`; staff-blind-12, -14 and -15.json: their dev twins, tuned
 *     rounds 10 and 12; staff-blind-17.json, rounds 13 and 14; staff-blind-20.json and
 *     staff-blind-25.json: held out and part of `npm run bench`; staff-blind-18, -19, -21 and
 *     -22.json: dev twins tuned round 15; staff-blind-23, -24 and staff-oos-dev-3.json, round 16;
 *     staff-blind-26, -27 and staff-oos-dev-4.json, round 17; staff-blind-28, -29 and
 *     staff-oos-dev-5.json, round 18; staff-blind-30, -31, round 19; staff-blind-32 and
 *     staff-oos-dev-6.json, round 20; staff-blind-33 and staff-oos-dev-7.json, round 21;
 *     staff-blind-34 and -35, round 22; staff-blind-36.json and staff-blind-43.json: held out and part
 *     of `npm run bench`; staff-blind-37 to -42 and staff-oos-dev-8.json, round 23; staff-blind-44,
 *     -45, -46, -48, -49 and staff-oos-dev-9.json, round 24; staff-blind-47, -50, -52 and
 *     staff-oos-dev-10.json, round 25; staff-blind-51, -53 and -54, round 26;
 *     staff-blind-56 to -60 and staff-oos-dev-11.json, round 27; staff-blind-55, round 28;
 *     staff-blind-61.json: held out and part of `npm run bench`; staff-blind-62 to -66 and
 *     staff-oos-dev-12.json: measured once after round 28, then tuned round 29; staff-blind-67,
 *     -69 and -70.json: written after the last round, measured once)
 *   --dev-only (only the dev split), --no-corpus (skip the 1,000-document corpus)
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import MiniSearch from 'minisearch';
import { parsePolicyText } from '../../src/policies/reader';
import type { PolicyDocument } from '../../src/policies/types';
import { buildPolicyLibrary, type PolicyLibrary } from '../../src/qa/library';
import { conceptPrefix } from '../../src/qa/text-analysis';
import { ManualClock } from '../../src/shared/clock';
import { generateCorpus } from './corpus';

interface InScopeQuestion {
  id: string;
  policy: string;
  question: string;
  expected: string[];
  paraphrased: boolean;
  heldOut: boolean;
}
interface OutOfScopeQuestion {
  id: string;
  question: string;
  heldOut: boolean;
}

const repoRoot = path.resolve(__dirname, '..', '..');
const policiesFolder = process.env.POLICIES_DIR ?? path.resolve(repoRoot, '..', 'shared', 'policies');
const showMisses = process.argv.includes('--misses');
const skipCorpus = process.argv.includes('--no-corpus');
/** While tuning, only the dev split is shown: held-out figures are for the final report. */
const devOnly = process.argv.includes('--dev-only');
const clock = new ManualClock('2026-11-23T09:00:00Z');

/** `--questions FILE` runs another question set of the same shape (e.g. staff-dev.json). */
const questionsArgument = process.argv.indexOf('--questions');
const questionsFile =
  questionsArgument >= 0 && process.argv[questionsArgument + 1]
    ? path.resolve(process.argv[questionsArgument + 1])
    : path.join(__dirname, 'questions.json');
const loadedSet = JSON.parse(fs.readFileSync(questionsFile, 'utf8')) as {
  inScope: (Omit<InScopeQuestion, 'heldOut' | 'paraphrased'> & {
    heldOut?: boolean;
    paraphrased?: boolean;
  })[];
  outOfScope: (Omit<OutOfScopeQuestion, 'heldOut'> & { heldOut?: boolean })[];
  /** In-domain questions a given policy does not address: asked of that policy alone, it should say so. */
  notCoveredByPolicy?: { id: string; policy: string; question: string }[];
};
const questionSet: { inScope: InScopeQuestion[]; outOfScope: OutOfScopeQuestion[] } = {
  inScope: loadedSet.inScope.map((question) => ({
    ...question,
    heldOut: question.heldOut === true,
    paraphrased: question.paraphrased === true,
  })),
  outOfScope: loadedSet.outOfScope.map((question) => ({ ...question, heldOut: question.heldOut === true })),
};

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/\[bookmark:[^\]]*\]/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

interface Ranked {
  /** Ranked hits as (source, matches expected section?) */
  hits: { source: string; matches: (expected: string[]) => boolean }[];
  refused: boolean;
  ms: number;
}

interface Engine {
  name: string;
  ask(question: string): Ranked;
}

function ourEngine(library: PolicyLibrary): Engine {
  return {
    name: 'ours',
    ask(question) {
      const started = performance.now();
      // Scored on the citations of the answer the CLI would print, not on the retriever's list:
      // a passage retrieved but not quoted is not shown to anyone.
      const answer = library.answerer.answerSync(question);
      const ms = performance.now() - started;
      const citations = answer.kind === 'answered' ? answer.citations : [];
      return {
        refused: answer.kind !== 'answered',
        ms,
        hits: citations.slice(0, 3).map((citation) => ({
          source: citation.source,
          matches: (expected: string[]) => expected.includes(citation.section),
        })),
      };
    },
  };
}

/** Plain BM25 over blank-line paragraphs: minisearch with its default tokenizer and options. */
function baselineEngine(documents: { source: string; raw: string; parsed: PolicyDocument }[]): Engine {
  const paragraphs: { id: number; text: string; source: string }[] = [];
  const sectionText = new Map<string, string>();
  for (const document of documents) {
    document.raw
      .split(/\n\s*\n/)
      .map((text) => text.trim())
      .filter((text) => text.length > 0)
      .forEach((text) => paragraphs.push({ id: paragraphs.length, text, source: document.source }));
    for (const passage of document.parsed.passages) {
      const key = `${document.source}#${passage.section}`;
      sectionText.set(key, `${sectionText.get(key) ?? ''} ${normalise(passage.text)}`);
    }
  }
  const search = new MiniSearch<{ id: number; text: string; source: string }>({
    fields: ['text'],
    storeFields: ['source'],
  });
  search.addAll(paragraphs);
  // A paragraph "is" a section when they share text: the paragraph lies inside the section, or (for
  // big paragraphs spanning clauses) the section's opening lies inside the paragraph.
  const paragraphMatches = (paragraph: { text: string; source: string }, expected: string[]): boolean =>
    expected.some((section) => {
      const target = sectionText.get(`${paragraph.source}#${section}`);
      if (!target) return false;
      const text = normalise(paragraph.text);
      const middle = text.slice(
        Math.max(0, Math.floor(text.length / 2) - 30),
        Math.floor(text.length / 2) + 30,
      );
      return (middle.length >= 20 && target.includes(middle)) || text.includes(target.trim().slice(0, 80));
    });
  return minisearchEngine('bm25-paragraphs', search, (id) => {
    const paragraph = paragraphs[id];
    return {
      source: paragraph.source,
      matches: (expected: string[]) => paragraphMatches(paragraph, expected),
    };
  });
}

/** A minisearch index as an engine: its top three results, timed, each turned into a hit by `hitOf`. */
function minisearchEngine<T>(
  name: string,
  search: MiniSearch<T>,
  hitOf: (id: number) => Ranked['hits'][number],
): Engine {
  return {
    name,
    ask(question) {
      const started = performance.now();
      const results = search.search(question).slice(0, 3);
      const ms = performance.now() - started;
      return {
        refused: results.length === 0,
        ms,
        hits: results.map((result) => hitOf(result.id as number)),
      };
    },
  };
}

/** The same analysis (stemming, thesaurus) and field boosts inside minisearch, to compare rankers. */
function minisearchTunedEngine(library: PolicyLibrary): Engine {
  const analyzer = library.retriever.analyzer;
  const search = new MiniSearch<{ id: number; heading: string; path: string; body: string; title: string }>({
    fields: ['heading', 'path', 'body', 'title'],
    tokenize: (text) => analyzer.analyse(text).terms,
    processTerm: (term) => term,
    searchOptions: { boost: { heading: 2.5, path: 1.2, body: 1, title: 0.4 } },
  });
  const passages = library.passages;
  search.addAll(
    passages.map((passage, id) => {
      const meta = library.documents.find((document) => document.meta.source === passage.source)?.meta;
      return {
        id,
        heading: passage.heading,
        path: passage.headingPath.slice(0, -1).join(' '),
        body: passage.text,
        title: `${meta?.title ?? ''} ${meta?.trustName ?? ''}`,
      };
    }),
  );
  return minisearchEngine('minisearch+our-analysis', search, (id) => {
    const passage = passages[id];
    return {
      source: passage.source,
      matches: (expected: string[]) => expected.includes(passage.section),
    };
  });
}

interface Metrics {
  questions: number;
  hit1: number;
  hit3: number;
  mrr: number;
  refusedOut: number;
  outCount: number;
  falseRefusals: number;
  p50: number;
  p95: number;
}

function evaluate(
  engine: Engine,
  inScope: InScopeQuestion[],
  outOfScope: OutOfScopeQuestion[],
  misses?: string[],
): Metrics {
  let hit1 = 0;
  let hit3 = 0;
  let reciprocal = 0;
  let falseRefusals = 0;
  const times: number[] = [];
  for (const question of inScope) {
    const ranked = engine.ask(question.question);
    times.push(ranked.ms);
    if (ranked.refused) falseRefusals += 1;
    const rank = ranked.hits.findIndex(
      (hit) => hit.source === question.policy && hit.matches(question.expected),
    );
    if (rank === 0) hit1 += 1;
    if (rank >= 0 && rank < 3) {
      hit3 += 1;
      reciprocal += 1 / (rank + 1);
    }
    if (rank !== 0 && misses && !question.heldOut) {
      misses.push(
        `${question.id} ${question.policy.slice(0, 3)} rank=${rank < 0 ? '-' : rank + 1} ${ranked.refused ? 'REFUSED ' : ''}"${question.question}" want ${question.expected.join('|')}`,
      );
    }
  }
  let refusedOut = 0;
  for (const question of outOfScope) {
    const ranked = engine.ask(question.question);
    times.push(ranked.ms);
    if (ranked.refused) refusedOut += 1;
    else if (misses && !question.heldOut)
      misses.push(`${question.id} OUT-OF-SCOPE answered: "${question.question}"`);
  }
  const count = Math.max(1, inScope.length);
  return {
    questions: inScope.length,
    hit1: hit1 / count,
    hit3: hit3 / count,
    mrr: reciprocal / count,
    refusedOut: outOfScope.length === 0 ? 0 : refusedOut / outOfScope.length,
    outCount: outOfScope.length,
    falseRefusals: falseRefusals / count,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
  };
}

function formatRow(label: string, engineName: string, metrics: Metrics): string {
  const number = (value: number): string => value.toFixed(2);
  return [
    label.padEnd(22),
    engineName.padEnd(24),
    String(metrics.questions).padStart(4),
    number(metrics.hit1).padStart(6),
    number(metrics.hit3).padStart(6),
    number(metrics.mrr).padStart(6),
    `${number(metrics.refusedOut)} (${metrics.outCount})`.padStart(10),
    number(metrics.falseRefusals).padStart(8),
    metrics.p50.toFixed(2).padStart(8),
    metrics.p95.toFixed(2).padStart(8),
  ].join(' ');
}

const header = [
  'set'.padEnd(22),
  'engine'.padEnd(24),
  '   n',
  ' hit@1',
  ' hit@3',
  '   MRR',
  'oos-refus.'.padStart(10),
  'false-r.'.padStart(8),
  'p50 ms'.padStart(8),
  'p95 ms'.padStart(8),
].join(' ');

function main(): void {
  if (!fs.existsSync(policiesFolder)) {
    console.log(`Skipping Q&A benchmark: ${policiesFolder} not found (set POLICIES_DIR).`);
    return;
  }
  const sources = [...new Set(questionSet.inScope.map((question) => question.policy))];
  const loaded = sources.map((source) => {
    const raw = fs.readFileSync(path.join(policiesFolder, source), 'utf8');
    return { source, raw, parsed: parsePolicyText({ source, text: raw, clock }) };
  });
  const splits: { name: string; pick: (heldOut: boolean) => boolean }[] = [
    { name: 'dev', pick: (heldOut) => !heldOut },
    { name: 'held-out', pick: (heldOut) => heldOut },
    { name: 'all', pick: () => true },
  ];
  const misses: string[] = [];
  const pooledLibrary = buildPolicyLibrary(loaded.map((item) => item.parsed));
  const perPolicy = loaded.map((item) => ({ item, library: buildPolicyLibrary([item.parsed]) }));

  // "Phrased in words that do not occur in the policy": a content word of the question, after
  // stemming, that the policy's own text never uses.
  const analyzer = pooledLibrary.retriever.analyzer;
  let unseenWording = 0;
  for (const question of questionSet.inScope) {
    const policy = loaded.find((item) => item.source === question.policy);
    const vocabulary = new Set(analyzer.analyse(policy?.raw ?? '').terms);
    const words = analyzer.analyse(question.question).terms.filter((term) => !term.startsWith(conceptPrefix));
    if (words.some((word) => !vocabulary.has(word))) unseenWording += 1;
  }

  console.log(
    `Policy Q&A benchmark — ${questionSet.inScope.length} in-scope questions over ${sources.length} policies, ${questionSet.outOfScope.length} out-of-scope`,
  );
  console.log(
    `In-scope questions using a word their policy never uses: ${unseenWording} (${((100 * unseenWording) / questionSet.inScope.length).toFixed(0)}%)`,
  );
  // A question set without a held-out split (the staff-dev sets) prints only its dev table.
  const hasHeldOut = questionSet.inScope.some((question) => question.heldOut);
  // A set that is all held out (holdout.json) has no dev split to print.
  const hasDev = questionSet.inScope.some((question) => !question.heldOut);
  const shownSplits = devOnly || !hasHeldOut ? splits.slice(0, 1) : hasDev ? splits : splits.slice(1, 2);
  for (const split of shownSplits) {
    console.log(`\n== ${split.name} questions ==`);
    console.log(header);
    const outOfScope = questionSet.outOfScope.filter((question) => split.pick(question.heldOut));
    for (const { item, library } of perPolicy) {
      const questions = questionSet.inScope.filter(
        (question) => question.policy === item.source && split.pick(question.heldOut),
      );
      const engines = [ourEngine(library), baselineEngine([item])];
      for (const engine of engines) {
        console.log(
          formatRow(
            item.source.slice(0, 20),
            engine.name,
            evaluate(
              engine,
              questions,
              outOfScope,
              split.name === 'dev' && engine.name === 'ours' ? misses : undefined,
            ),
          ),
        );
      }
    }
    const pooledQuestions = questionSet.inScope.filter((question) => split.pick(question.heldOut));
    const pooledEngines = [
      ourEngine(pooledLibrary),
      baselineEngine(loaded),
      minisearchTunedEngine(pooledLibrary),
    ];
    for (const engine of pooledEngines) {
      console.log(
        formatRow(
          'POOLED (5 policies)',
          engine.name,
          evaluate(
            engine,
            pooledQuestions,
            outOfScope,
            split.name === 'dev' && engine.name === 'ours' ? misses : undefined,
          ),
        ),
      );
    }
  }
  const notCovered = loadedSet.notCoveredByPolicy ?? [];
  if (notCovered.length > 0) {
    console.log('\n== questions a policy does not cover, asked of that policy alone (should be refused) ==');
    let refusedTotal = 0;
    for (const { item, library } of perPolicy) {
      const questions = notCovered.filter((question) => question.policy === item.source);
      if (questions.length === 0) continue;
      const refused = questions.filter(
        (question) => ourEngine(library).ask(question.question).refused,
      ).length;
      refusedTotal += refused;
      console.log(`${item.source.slice(0, 20).padEnd(22)} ours refused ${refused} of ${questions.length}`);
    }
    console.log(
      `${'ALL'.padEnd(22)} ours refused ${refusedTotal} of ${notCovered.length} (${(refusedTotal / notCovered.length).toFixed(2)})`,
    );
  }
  if (showMisses) {
    console.log('\nDev-set misses (hit@1 failures, refusals, answered out-of-scope):');
    for (const line of misses) console.log(`  ${line}`);
  }
  if (!skipCorpus) runCorpus();
}

function runCorpus(): void {
  const documents = generateCorpus(1000, 20260423);
  const started = performance.now();
  const parsed = documents.map((document) =>
    parsePolicyText({ source: document.source, text: document.text, clock }),
  );
  const library = buildPolicyLibrary(parsed);
  const buildMs = performance.now() - started;
  const queries = [
    'Can I use ChatGPT to write reports?',
    'Who do I tell about a data breach?',
    'Is Otter OK for minuting a governors meeting?',
    'Do we need a DPIA before using a new AI tool?',
    'Can pupils use AI for homework?',
    'What training is available for staff?',
    'How many days of annual leave do I get?',
    'Can AI mark coursework?',
  ];
  const times: number[] = [];
  for (let round = 0; round < 25; round += 1) {
    for (const query of queries) {
      const begun = performance.now();
      library.answerer.answerSync(query);
      times.push(performance.now() - begun);
    }
  }
  const peakRss = process.resourceUsage().maxRSS / 1024;
  console.log(`\n== generated corpus ==`);
  console.log(
    `documents: ${documents.length}, passages: ${library.passages.length}, characters: ${documents.reduce((sum, document) => sum + document.text.length, 0)}`,
  );
  console.log(`build (parse + index): ${(buildMs / 1000).toFixed(2)} s`);
  console.log(
    `query p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms (${times.length} queries)`,
  );
  console.log(`peak RSS: ${peakRss.toFixed(0)} MB`);
}

main();
