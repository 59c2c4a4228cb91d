/**
 * Generates policy-like documents for the scale benchmark: title page, contents page, numbered
 * sections and clauses, bullets, a table, varied vocabulary. Deterministic for a given seed.
 */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const places = [
  'Oakfield',
  'Riverside',
  'Hollowbrook',
  'Kingsmere',
  'Ashdown',
  'Fernhill',
  'Marlow Vale',
  'Stonebridge',
  'Westcombe',
  'Larkspur',
];
const kinds = ['Education Trust', 'Learning Partnership', 'Academy Trust', 'Schools Trust'];
const topics = [
  'Purpose',
  'Scope',
  'Definitions',
  'Roles and Responsibilities',
  'Acceptable Use',
  'Prohibited Use',
  'Data Protection',
  'Safeguarding',
  'Assessment and Coursework',
  'Meetings and Notetakers',
  'Training',
  'Incident Reporting',
  'Approved Tools',
  'Monitoring and Review',
];
const subjects = [
  'Staff',
  'Pupils',
  'Governors',
  'Leaders',
  'Teachers',
  'Support staff',
  'Visitors',
  'Contractors',
  'Trustees',
];
const verbs = ['must', 'should', 'may', 'will', 'must not', 'are expected to'];
const actions = [
  'complete a data protection impact assessment before adopting a new tool',
  'report suspected breaches to the data protection officer without delay',
  'review all AI-generated content for accuracy before it is shared',
  'avoid entering personal data into public generative AI tools',
  'use only authorised tools such as the approved assistant on school accounts',
  'tell meeting participants before any transcription or notetaking app is used',
  'label work that has been produced with the help of AI',
  'follow exam board guidance on AI in coursework and non-examination assessment',
  'raise safeguarding concerns with the designated safeguarding lead',
  'take part in training on the safe and effective use of AI',
  'keep professional judgement at the centre of marking and feedback',
  'store outputs only on trust systems and devices',
  'respect copyright and intellectual property when uploading materials',
  'check age restrictions in the terms of service of each tool',
];
const qualifiers = [
  'in line with UK GDPR and the Data Protection Act 2018',
  'as set out in the acceptable use agreement',
  'unless the headteacher has given written approval',
  'so that pupils remain safe online',
  'to reduce workload without lowering standards',
  'and record the decision in the AI tool register',
  'where the tool processes information about individuals',
  'following the trust incident procedure',
];

export interface GeneratedDocument {
  source: string;
  text: string;
}

export function generateCorpus(count: number, seed: number): GeneratedDocument[] {
  const random = mulberry32(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const sentence = (): string => {
    const text = `${pick(subjects)} ${pick(verbs)} ${pick(actions)} ${pick(qualifiers)}.`;
    return text;
  };
  const documents: GeneratedDocument[] = [];
  for (let index = 0; index < count; index += 1) {
    const trust = `${pick(places)} ${pick(kinds)}`;
    const sectionCount = 8 + Math.floor(random() * 6);
    const chosen = [...topics].sort(() => random() - 0.5).slice(0, sectionCount);
    const lines: string[] = [
      trust.toUpperCase(),
      '',
      'Artificial Intelligence Policy',
      '',
      `Date approved\t${1 + Math.floor(random() * 27)} March 2026`,
      `Next review date\t${pick(['March', 'July', 'September'])} ${2025 + Math.floor(random() * 3)}`,
      `Policy owner\t${pick(['Director of Operations', 'COO', 'Data Protection Officer'])}`,
      '',
      'Contents',
      '',
      ...chosen.map((topic, position) => `${position + 1}. ${topic}\t${position + 2}`),
      '',
    ];
    chosen.forEach((topic, position) => {
      const number = position + 1;
      lines.push(`${number}. ${topic}`, '');
      const clauses = 2 + Math.floor(random() * 6);
      for (let clause = 1; clause <= clauses; clause += 1) {
        const parts = [sentence(), sentence()];
        if (random() < 0.5) parts.push(sentence());
        lines.push(`${number}.${clause}.\t${parts.join(' ')}`);
        if (random() < 0.3) {
          lines.push('The following applies:');
          for (let bullet = 0; bullet < 3; bullet += 1) lines.push(`· ${pick(actions)}`);
        }
      }
      if (random() < 0.2) {
        lines.push('', 'Tool\tApproved purpose\tUsers');
        for (let row = 0; row < 3; row += 1)
          lines.push(
            `${pick(['Copilot', 'Gemini', 'MIS assistant', 'Reading tutor'])}\t${pick(actions)}\t${pick(subjects)}`,
          );
      }
      lines.push('');
    });
    documents.push({ source: `generated-${String(index).padStart(4, '0')}.txt`, text: lines.join('\n') });
  }
  return documents;
}
