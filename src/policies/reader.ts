import * as fs from 'fs/promises';
import * as path from 'path';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { docxWithNumbersAsText } from './docx-numbering';
import { htmlToPolicyText } from './html-to-text';
import { markdownToPolicyText, unwrapHardWrappedText } from './line-layout';
import { extractMetadata } from './metadata';
import { buildPassages } from './passages';
import { pdfToText } from './pdf-text';
import { parseStructure } from './structure';
import type { PolicyDocument, PolicySection } from './types';

export const supportedExtensions = ['.txt', '.md', '.docx', '.pdf'];

/** Files in a policy folder that are about the folder, not policies. */
const notPolicies = /^(readme|changelog|license|licence|contributing)(\.[a-z]+)?$/i;

/** The one warning for a document with no words in it: more warnings would only confuse. */
export const noTextWarning =
  'No text found: a scanned PDF (a picture of each page) has none. Save the policy from Word as .docx or PDF, or run it through OCR first.';

/** A document the library keeps (so the outline and the logs can name it) but cannot answer from. */
function documentWithoutText(source: string, clock: Clock, warning: string): PolicyDocument {
  return {
    meta: extractMetadata({ source, fullText: '', frontLines: [], sections: [], clock }),
    sections: [],
    passages: [],
    warnings: [warning],
  };
}

/** Why a file that should be a Word document or PDF could not be opened, in words for an IT lead. */
function unreadableWarning(filePath: string, error: unknown): string {
  const extension = path.extname(filePath).toLowerCase();
  const kind = extension === '.docx' ? 'a Word document' : extension === '.pdf' ? 'a PDF' : 'a text file';
  const detail = error instanceof Error ? ` (${error.message.split('\n')[0].slice(0, 120)})` : '';
  return `Could not read the file: it does not open as ${kind}${detail}. Open it and save it again, or save it as .docx or PDF.`;
}

/** Parses one policy given as text (already converted from Word/PDF when needed). */
export function parsePolicyText(input: { source: string; text: string; clock: Clock }): PolicyDocument {
  if (!/[A-Za-z]{2,}/.test(input.text)) return documentWithoutText(input.source, input.clock, noTextWarning);
  const structure = parseStructure(input.text);
  const body = structure.sections.filter((section) => !section.frontMatter);
  const meta = extractMetadata({
    source: input.source,
    fullText: input.text,
    frontLines: structure.frontLines,
    markdownTitle: structure.markdownTitle,
    sections: structure.sections,
    clock: input.clock,
  });
  const passages = buildPassages({
    source: input.source,
    document: meta.title,
    sections: structure.sections,
  });
  const warnings = [...structure.warnings];
  if (body.length === 0) warnings.push('No sections found: the whole text was read as one block.');
  if (!body.some((section) => /^\d/.test(section.id)))
    warnings.push('No numbered sections: citations use heading text.');
  const foundIds = new Set(body.map((section) => section.id));
  for (const id of structure.contentsIds) {
    if (!foundIds.has(id))
      warnings.push(`Contents page lists ${id} but no such section was found in the text.`);
  }
  if (!meta.nextReview) warnings.push('No next review date found on the title page.');
  if (meta.pastReview)
    warnings.push(`Past its review date (${meta.nextReview}); answers citing it will say so.`);
  if (!meta.trustName) warnings.push('Trust name not found.');
  if (!meta.approvedOn) warnings.push('Approval date not found.');
  const empty = body.filter(
    (section, position) =>
      section.units.length === 0 && !(body[position + 1] && body[position + 1].level > section.level),
  );
  if (empty.length > 0)
    warnings.push(`Headings with no text under them: ${empty.map((section) => section.id).join(', ')}.`);
  // Two unnumbered sections under the same heading text share a citation id, so staff cannot tell
  // from a citation which one is meant; the quote still shows it, but the IT lead should know. The
  // parts of an appendix are all cited as that appendix on purpose.
  const partOfAppendix = (section: PolicySection): boolean =>
    /^(?:Appendix|Annex|Annexe|Schedule) /.test(section.id) && section.heading !== section.id;
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const section of body.filter((section) => !partOfAppendix(section)))
    (seen.has(section.id) ? repeated : seen).add(section.id);
  if (repeated.size > 0)
    warnings.push(
      `Section ids used by more than one section (citations to them are ambiguous; rename a heading to tell them apart): ${[...repeated].join(', ')}.`,
    );
  return { meta, sections: structure.sections, passages, warnings };
}

/**
 * Reads a policy file into one-paragraph-per-line text: `.txt` unwrapped when wrapped at a fixed width,
 * `.md` with its paragraphs and pipe tables, `.docx` through mammoth, `.pdf` through unpdf.
 */
export async function readPolicyText(filePath: string): Promise<string> {
  return (await readPolicyFile(filePath)).text;
}

/** The file's text, and notes for the outline on what reading it left out. */
async function readPolicyFile(filePath: string): Promise<{ text: string; notes: string[] }> {
  const extension = path.extname(filePath).toLowerCase();
  if (extension === '.pdf') {
    const { text, runningLines } = await pdfToText(new Uint8Array(await fs.readFile(filePath)));
    const notes =
      runningLines.length > 0
        ? [`Left out as page headers, footers or numbers: ${runningLines.join(', ')}.`]
        : [];
    return { text, notes };
  }
  return { text: await readConvertedText(filePath, extension), notes: [] };
}

async function readConvertedText(filePath: string, extension: string): Promise<string> {
  if (extension === '.txt') return unwrapHardWrappedText(await fs.readFile(filePath, 'utf8'));
  if (extension === '.md') return markdownToPolicyText(await fs.readFile(filePath, 'utf8'));
  const buffer = await fs.readFile(filePath);
  if (extension === '.docx') {
    // Required lazily: most runs read .txt/.md and should not pay mammoth's load time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mammoth = require('mammoth') as typeof import('mammoth');
    // Word's Title style is the document's title, which mammoth's default style map leaves a paragraph.
    const result = await mammoth.convertToHtml(
      { buffer: await docxWithNumbersAsText(buffer) },
      { styleMap: ["p[style-name='Title'] => h1:fresh"] },
    );
    return htmlToPolicyText(result.value);
  }
  throw new AppError(
    'bad-input',
    `Unsupported policy file type: ${filePath}`,
    `Policies must be ${supportedExtensions.join(', ')} files.`,
  );
}

/** Expands files and folders (recursively) into policy files, sorted by name for stable ids. */
export async function listPolicyFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of paths) {
    const stats = await fs.stat(entry).catch(() => undefined);
    if (!stats)
      throw new AppError('not-found', `Policy path not found: ${entry}`, `I couldn't find ${entry}.`);
    if (stats.isDirectory()) {
      const names = (await fs.readdir(entry)).sort();
      const nested = await listPolicyFiles(
        names
          .filter((name) => !name.startsWith('.') && !notPolicies.test(name))
          .map((name) => path.join(entry, name)),
      ).catch(() => []);
      files.push(...nested);
    } else if (supportedExtensions.includes(path.extname(entry).toLowerCase())) {
      files.push(entry);
    } else if (paths.length === 1) {
      throw new AppError(
        'bad-input',
        `Unsupported policy file type: ${entry}`,
        `Policies must be ${supportedExtensions.join(', ')} files.`,
      );
    }
  }
  return files;
}

export async function loadPolicyDocuments(input: {
  paths: string[];
  clock: Clock;
}): Promise<PolicyDocument[]> {
  const files = await listPolicyFiles(input.paths);
  const documents: PolicyDocument[] = [];
  for (const file of files) {
    const source = path.basename(file);
    // One damaged file must not keep the trust's other policies from being read.
    const read = await readPolicyFile(file).catch((error: unknown) => unreadableWarning(file, error));
    if (typeof read === 'string') {
      documents.push(documentWithoutText(source, input.clock, read));
      continue;
    }
    const { text, notes } = read;
    const document = parsePolicyText({ source, text, clock: input.clock });
    documents.push(notes.length > 0 ? { ...document, warnings: [...document.warnings, ...notes] } : document);
  }
  return documents;
}
