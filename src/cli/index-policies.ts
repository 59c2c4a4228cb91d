/**
 * `npm run index -- --policies PATH [--json]`: the parsed outline of each policy (ids, headings,
 * passage counts, metadata, warnings) so an IT lead can check a new policy before it goes live.
 */
import { systemClock } from '../shared/clock';
import { loadPolicyDocuments } from '../policies/reader';
import type { PolicyDocument } from '../policies/types';
import { parseCliArguments } from './args';
import { runCommand } from './run-command';

export function outlineOf(document: PolicyDocument): string {
  const { meta } = document;
  const lines = [
    `${meta.source}: ${meta.title}`,
    `  trust: ${meta.trustName ?? '(not found)'}`,
    `  approved: ${meta.approvedOn ?? '(not found)'}   next review: ${meta.nextReview ?? '(not found)'}${meta.pastReview ? '   ** PAST REVIEW DATE **' : ''}`,
    `  owner: ${meta.owner ?? '(not found)'}   not-covered answers point to: ${meta.askInstead ?? '(default)'}`,
    `  sections: ${document.sections.filter((section) => !section.frontMatter).length}   passages: ${document.passages.length}`,
  ];
  document.sections.forEach((section, position) => {
    const next = document.sections[position + 1];
    const hasChildren = next !== undefined && next.level > section.level;
    const passages = document.passages.filter(
      (passage) =>
        passage.section === section.id && passage.headingPath.join('/') === section.headingPath.join('/'),
    ).length;
    const indent = '  '.repeat(section.level);
    const label = section.id === section.heading ? section.id : `${section.id}  ${section.heading}`;
    const note =
      passages === 0 ? (hasChildren ? '' : '  (no text)') : passages > 1 ? `  [${passages} passages]` : '';
    lines.push(`  ${indent}${label}${note}`);
  });
  if (document.warnings.length > 0) {
    lines.push('  warnings:');
    for (const warning of document.warnings) lines.push(`    - ${warning}`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const options = parseCliArguments(process.argv.slice(2));
  if (options.policies.length === 0 || options.help) {
    process.stderr.write('Usage: npm run index -- --policies PATH [--json]\n');
    return options.help ? 0 : 2;
  }
  const documents = await loadPolicyDocuments({ paths: options.policies, clock: systemClock });
  if (options.json) {
    const outline = documents.map((document) => ({
      meta: document.meta,
      sections: document.sections.map((section) => ({
        id: section.id,
        heading: section.heading,
        level: section.level,
        headingPath: section.headingPath,
      })),
      passages: document.passages.length,
      warnings: document.warnings,
    }));
    process.stdout.write(`${JSON.stringify(outline, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${documents.map(outlineOf).join('\n\n')}\n`);
  return 0;
}

if (require.main === module) runCommand(main);
