import { isValidUpn, PersonalDataKind, stripPersonalData, upnCheckLetter } from '../../src/qa/personal-data';

describe('personal data guard: what is removed', () => {
  const cases: { question: string; cleaned: string; found: PersonalDataKind[] }[] = [
    {
      question: "Can I put Jamie Smith's EHCP into ChatGPT?",
      cleaned: "Can I put [a pupil's] EHCP into ChatGPT?",
      found: ['name'],
    },
    {
      question: 'Can I use Copilot to write a report for Amira Khan who has SEN?',
      cleaned: 'Can I use Copilot to write a report for [a pupil] who has SEN?',
      found: ['name'],
    },
    {
      question: 'I have a safeguarding concern about Tom Jones, can I summarise it with AI?',
      cleaned: 'I have a safeguarding concern about [a pupil], can I summarise it with AI?',
      found: ['name'],
    },
    {
      question: "Can Otter minute Mr O'Brien's disciplinary hearing?",
      cleaned: "Can Otter minute [a member of staff's] disciplinary hearing?",
      found: ['name'],
    },
    {
      question: "Is it OK to paste James' medical notes into Gemini?",
      cleaned: "Is it OK to paste [a person's] medical notes into Gemini?",
      found: ['name'],
    },
    {
      question: 'Jamie Smith has ADHD. Can ChatGPT help me plan for him?',
      cleaned: '[a person] has ADHD. Can ChatGPT help me plan for him?',
      found: ['name'],
    },
    {
      question: 'Can I email jamie.smith@example.sch.uk the minutes from Copilot?',
      cleaned: 'Can I email [an email address] the minutes from Copilot?',
      found: ['email'],
    },
    {
      question: 'Can the bot text parents on 07700 900123 about trips?',
      cleaned: 'Can the bot text parents on [a phone number] about trips?',
      found: ['phone'],
    },
    {
      question: 'Is +44 7700 900123 or (01632) 960001 safe to put in a prompt?',
      cleaned: 'Is [a phone number] or [a phone number] safe to put in a prompt?',
      found: ['phone'],
    },
    {
      question: 'Can I look up UPN A123456789012 in ChatGPT?',
      cleaned: 'Can I look up UPN [a UPN] in ChatGPT?',
      found: ['upn'],
    },
    {
      question: 'What about a temporary UPN like B12345678901C?',
      cleaned: 'What about a temporary UPN like [a UPN]?',
      found: ['upn'],
    },
    {
      question: 'Can payroll paste NI number QQ 12 34 56 C into Copilot?',
      cleaned: 'Can payroll paste NI number [an NI number] into Copilot?',
      found: ['ni-number'],
    },
    {
      question: 'My NI is AB123456D - can I share it?',
      cleaned: 'My NI is [an NI number] - can I share it?',
      found: ['ni-number'],
    },
    {
      question: 'Can I enter a child born on 14/03/2016 into the register?',
      cleaned: 'Can I enter a child born on [a date of birth] into the register?',
      found: ['date-of-birth'],
    },
    {
      question: 'Pupil DOB: 3rd March 2015, can AI mark their work?',
      cleaned: 'Pupil DOB: [a date of birth], can AI mark their work?',
      found: ['date-of-birth'],
    },
    {
      question: 'Is 2015-03-04 (DOB) personal data?',
      cleaned: 'Is [a date of birth] (DOB) personal data?',
      found: ['date-of-birth'],
    },
    {
      question: 'Can I put the address SW1A 1AA into Google Gemini?',
      cleaned: 'Can I put the address [a postcode] into Google Gemini?',
      found: ['postcode'],
    },
    {
      question: 'She lives at m1 1aa, can ChatGPT plan the route?',
      cleaned: 'She lives at [a postcode], can ChatGPT plan the route?',
      found: ['postcode'],
    },
    {
      question: 'Can I upload Jamie Smith (DOB 01/02/2014, UPN A123456789012) to Copilot?',
      cleaned: 'Can I upload [a pupil] (DOB [a date of birth], UPN [a UPN]) to Copilot?',
      found: ['name', 'date-of-birth', 'upn'],
    },
    {
      question: "Can I put Jamie Smith's EHCP and Amira Khan's IEP into ChatGPT?",
      cleaned: "Can I put [a pupil's] EHCP and [a pupil's] IEP into ChatGPT?",
      found: ['name'],
    },
    {
      question: 'What if Leo discloses abuse in a chat with the bot?',
      cleaned: 'What if [a person] discloses abuse in a chat with the bot?',
      found: ['name'],
    },
    {
      question: 'Can Copilot summarise the SEN review for Noah in 5B?',
      cleaned: 'Can Copilot summarise the SEN review for [a pupil] in 5B?',
      found: ['name'],
    },
    {
      question: 'Noah Williams in Year 5 has an EHCP - can Gemini draft targets?',
      cleaned: '[a pupil] in Year 5 has an EHCP - can Gemini draft targets?',
      found: ['name'],
    },
    {
      question: "Who do I tell if Copilot shows me Mrs Green's sickness records?",
      cleaned: "Who do I tell if Copilot shows me [a member of staff's] sickness records?",
      found: ['name'],
    },
  ];

  test.each(cases)('$question', ({ question, cleaned, found }) => {
    const result = stripPersonalData(question);
    expect(result.cleaned).toBe(cleaned);
    expect(result.found).toEqual(found);
    expect(result.notice).toMatch(
      /^I removed .+ before answering: the policy says not to put personal data into AI tools\.$/,
    );
  });
});

describe('personal data guard: ordinary policy questions pass through untouched', () => {
  const questions = [
    'Can I use ChatGPT to write reports?',
    'Is Otter OK for minuting a governors meeting?',
    'Who do I tell about a data breach?',
    'Do I need a DPIA before using Microsoft Copilot?',
    'What does GDPR say about AI tools?',
    'Who is the Designated Safeguarding Lead for safeguarding concerns?',
    'What does section 3.5 say about pupils using AI?',
    'Was the policy updated in 2024 or September 2025?',
    'Can staff use Google Gemini with SEN pupils in Year 7?',
    'Is Fireflies allowed in Teams meetings with the Data Protection Officer?',
    'Can I use Copilot in KS2 3rd year groups?',
    'What is Appendix 1 of the AI policy about?',
    'Can the Headteacher approve a new AI tool before 01/09/2025?',
    'Who reviews the policy by 31 July 2026?',
    'Can Year 7 1st term pupils use AI for homework?',
    'Is Mrs Patel the DPO?',
    'Can I use Canva Magic Write to draft EHCP targets without pupil names?',
    'How many marks does AI detection software need to flag plagiarism?',
    'Call the DPO on extension 2045 about a breach?',
    'Can I use Read Aloud in Microsoft Edge for dyslexic pupils?',
    'Can Sarah in the office use ChatGPT for parent emails?',
    'Is Brisk Teaching approved for marking SEN assessments?',
    'Does Appendix B cover Snapchat My AI misuse reported via CPOMS?',
    'Can we use Copilot in Teams for the Local Governing Body minutes about exclusions?',
    'What does Keeping Children Safe in Education say about filtering?',
  ];

  test.each(questions)('%s', (question) => {
    expect(stripPersonalData(question)).toEqual({ cleaned: question, found: [] });
  });
});

describe('personal data guard: the notice', () => {
  test.each([
    ["Can I put Jamie Smith's EHCP into ChatGPT?", 'I removed a name before answering'],
    [
      'Tom Jones, born 3 May 2014, has a safeguarding plan - can Copilot summarise it?',
      'I removed a name and a date of birth before answering',
    ],
    [
      'Email a@b.com and c@d.org or ring 020 7946 0958',
      'I removed 2 email addresses and a phone number before answering',
    ],
  ])('%s', (question, start) => {
    expect(stripPersonalData(question).notice).toBe(
      `${start}: the policy says not to put personal data into AI tools.`,
    );
  });
});

describe('UPN check letter', () => {
  test('the check letter is computed from the twelve digits and never uses I, O or S', () => {
    const letters = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const digits = String(100000000000 + seed * 7919).slice(0, 12);
      const letter = upnCheckLetter(digits);
      expect(letter).toMatch(/^[A-HJ-NP-RT-Z]$/);
      letters.add(letter ?? '');
      expect(isValidUpn(`${letter}${digits}`)).toBe(true);
    }
    expect(letters.size).toBeGreaterThan(15);
  });

  test.each([
    ['000000000000', 'A'],
    ['000000000001', 'P'],
    ['100000000000', 'C'],
  ])('check letter of %s is %s', (digits, letter) => {
    expect(upnCheckLetter(digits)).toBe(letter);
  });

  test('a wrong check letter is not valid but is still removed from a question', () => {
    const digits = '123456789012';
    const right = upnCheckLetter(digits) ?? '';
    const wrong = right === 'A' ? 'B' : 'A';
    expect(isValidUpn(wrong + digits)).toBe(false);
    expect(stripPersonalData(`UPN ${wrong}${digits}`).found).toEqual(['upn']);
  });
});
