import { parsePolicyText } from '../../src/policies/reader';
import { buildPolicyLibrary, type PolicyLibrary } from '../../src/qa/library';
import { defaultIndexOptions } from '../../src/qa/lexical-index';
import { askingSentences } from '../../src/qa/retriever';
import { TextAnalyzer, loadThesaurus } from '../../src/qa/text-analysis';
import { ManualClock } from '../../src/shared/clock';

// Two invented policies, written for these tests: one answers staff questions, the other only
// shares its vocabulary so pooled ranking and citation order can be checked.
const riversidePolicy = `RIVERSIDE SCHOOLS TRUST

Artificial Intelligence Policy

Policy owner	Head of IT
Next review date	July 2027
Related policies	Social Media Policy; Staff Code of Conduct; Attendance Policy

Contents

1. Scope	2
2. Definitions	2
3. Using AI for schoolwork	3
4. Consequence of misuse	3
5. Training	4

1. Scope

1.1. This policy covers every employee, trainee and volunteer, on site and when working remotely.

2. Definitions

2.1. ChatGPT: a public chatbot run by OpenAI. ChatGPT Edu: the version of ChatGPT licensed to the trust. Large language model: software that predicts text.

3. Using AI for schoolwork

3.1. Staff may use ChatGPT Edu for drafting worksheets and other classroom resources once the text has no personal details.
3.2. Pupil information typed into ChatGPT may be kept by the provider and is no longer private.

4. Consequence of misuse

4.1. Breaking these rules may lead to disciplinary action under the Staff Code of Conduct.

5. Training

5.1. The trust runs CPD sessions each term so that staff knowledge of AI stays current.
`;

const hillsidePolicy = `HILLSIDE ACADEMY TRUST

AI Guidance

1. Meetings

1.1. Meeting minutes may be drafted with an approved AI notetaker once everyone present has agreed.

2. Marking

2.1. Teachers may use approved AI to mark multiple-choice quizzes and must check every mark before pupils see it.
`;

const clock = new ManualClock('2026-11-23T09:00:00Z');
const riverside = parsePolicyText({ source: 'riverside.txt', text: riversidePolicy, clock });
const hillside = parsePolicyText({ source: 'hillside.txt', text: hillsidePolicy, clock });

describe('question analysis: staff wording reaches the policy vocabulary', () => {
  const analyzer = new TextAnalyzer(loadThesaurus());

  it.each([
    [
      'Can a TA differentiate worksheets for a SEND pupil?',
      ['~staff', '~sen', '~differentiation', '~resource'],
    ],
    ['Is Gemini OK for end of year reports?', ['~public-ai', '~school-report']],
    ['Will pupils be punished for cheating on coursework?', ['~sanction', '~misconduct', '~exam']],
    ['Can I mark books with Copilot?', ['~marking', '~copilot']],
    ['Who do I tell about a deepfake of a parent?', ['~report-concern', '~deepfake', '~parent']],
    ['Does UK GDPR change anything for a pupil with an EHCP?', ['~data-protection-law', '~sen']],
    ['What are the penalties for breaking the rules?', ['~sanction', '~misconduct']],
    ['Does this policy apply off site?', ['~scope']],
    ['Can I rely on an AI checker to prove a pupil cheated?', ['~ai-detection', '~misconduct']],
    ['Can I use AI to help code a spreadsheet macro?', ['~coding']],
    ['are visitors expected to follow the AI rules too', ['~scope']],
    ['Is it ok to use copilot to summarise a long document?', ['~summary', '~copilot']],
    ['Could AI give me out of date information?', ['~current']],
    ['Can AI decide which maths set a child goes into?', ['~placement', '~decision']],
    ['I think a pupil used ChatGPT for their essay', ['~suspect', '~student-work']],
    ['Can I paste pupil info and test scores into a chatbot?', ['~personal-data', '~input-data']],
    ['Are my Year 5s too young for Gemini?', ['~age', '~public-ai']],
    ['Can AI write a reply to a formal complaint?', ['~communication']],
    [
      'Who is ultimately accountable for AI across the trust?',
      ['~overall', '~trust-wide', '~responsibility'],
    ],
    ['I suspect a Year 10 had their homework written by a chatbot', ['~suspect', '~misconduct', '~homework']],
    ['Which programs turn meeting audio into notes?', ['~notetaker']],
    ["I'm unsure whether I'm using Copilot correctly", ['~advice', '~copilot']],
    ['Will the trust ask families what they think about AI?', ['~consultation', '~parent']],
    ['whose name is on the front of the policy?', ['~policy-owner']],
    ['what other policies should I read alongside this one?', ['~related-policies']],
    ['can I let the chatbot decide which kids go into the catch-up group?', ['~placement', '~decision']],
    ['what are the ground rules for using these tools?', ['~principles']],
    ["a company wants to sell us software that reads kids' faces in lessons", ['~emotion']],
    ['can I have an app that types up what everyone says in the meeting?', ['~notetaker']],
    ['do I have to put a note on my slides saying the bot made them?', ['~label']],
    ['is there anywhere to feed back on how AI is working?', ['~feedback']],
    [
      'Before we roll out a new app that handles pupil info, what has to happen?',
      ['~introduce', '~unapproved-tool'],
    ],
    ['Are we open with parents about where AI is used?', ['~transparency', '~parent']],
    ['Is the trust beefing up its IT defences now that hackers are using AI?', ['~cyber-security']],
    ['Do the companies that sell us these tools have to prove they are safe?', ['~supplier']],
    ['who handles the techy side of our AI setup?', ['~it-support']],
    ['who should I go to if I am having problems with an AI tool?', ['~tool-problem']],
    ['the reading list it gave me had books that do not exist', ['~hallucination']],
    ['a pupil made a fake picture of another girl with an app', ['~deepfake']],
    ['do I need to say I used it?', ['~label']],
    ['dumb down a reading for my low ability group?', ['~differentiation']],
    ['which boring jobs can the office hand over to AI?', ['~automate', '~routine']],
    ['what happens if pupil details have leaked through an AI app?', ['~breach']],
  ])('"%s" names the concepts %j', (question, concepts) => {
    const found = [...analyzer.analyse(question).concepts.keys()];
    for (const concept of concepts) expect(found).toContain(concept);
  });

  it('a question may put "our AI" inside "who signed off … policy"', () => {
    const found = [...analyzer.analyse('who signed off our AI policy and when?', true).concepts.keys()];
    expect(found).toContain('~policy-owner');
  });

  it.each([
    // "AI to make" asks for AI to do something; it does not name AI-made content ("AI-made", "made by AI").
    ['Can AI help me make easier versions of a worksheet?', '~ai-output'],
    ['Can I use AI at work for planning?', '~ai-output'],
    ['Will the new programme of CPD cover AI?', '~coding'],
    // "useful" is not "use": using AI for revision is not asking about its benefits.
    ['Can students use AI for revision?', '~benefit'],
    ['Can I get AI to help me plan a trip?', '~advice'],
    // A negation inside a phrase turns it around: not sure is not sure of a suspicion.
    ["I'm not sure whether Copilot is allowed", '~suspect'],
    // A leaking roof is not a data leak.
    ['Who do I talk to about a leaking classroom roof?', '~breach'],
    // Being open in general is not labelling a piece of work as made with AI.
    ['Suppliers must be transparent about how they use our data', '~label'],
    // "Am I meant to…" asks what is expected, not what a word means.
    ['What other policies am I meant to read alongside this one?', '~definition'],
  ])('"%s" does not name %s', (question, concept) => {
    expect([...analyzer.analyse(question, true).concepts.keys()]).not.toContain(concept);
  });

  it.each([
    ['Can I use a new AI app?', true],
    ['Who owns the policy?', true],
    ['How do I log a behaviour incident?', false],
    ['Who is the SENCo at our school?', false],
  ])('"%s" names an AI-policy topic: %s', (question, anchored) => {
    expect(analyzer.analyse(question).anchored).toBe(anchored);
  });

  it.each([["they've"], ["we'll"], ["i'd"], ['help']])(
    '"%s" is question phrasing, not a search word',
    (word) => {
      expect(analyzer.analyse(word).terms).toEqual([]);
    },
  );
});

describe('in scope or not, and which section answers, on one policy', () => {
  let library: PolicyLibrary;
  beforeAll(() => {
    library = buildPolicyLibrary([riverside]);
  });

  it.each([
    // Little of the question occurs in the policy, but what does names the section's own heading.
    ['What training courses are on offer?', '5.1'],
    ['What are the penalties for breaking the rules?', '4.1'],
    ['Is there CPD to keep my knowledge up to date?', '5.1'],
    ['Does this policy apply off site?', '1.1'],
    ['Does it still apply when I work from home?', '1.1'],
    // An AI tool named: in scope even though most of the other words are not in the policy.
    ['Can I use ChatGPT for my Year 9 worksheets?', '3.1'],
    // The glossary names ChatGPT Edu more often, but only answers what something is.
    ['Is ChatGPT Edu allowed?', '3.1'],
    ["Is our data private once it's typed into ChatGPT?", '3.2'],
    ['What is a large language model?', '2.1'],
    // The title page answers questions about the document itself.
    ['Who is the policy owner?', 'Document information'],
    // … also when the question only asks for the review date through a cue.
    ['Is this policy still in date?', 'Document information'],
    // The title page lists the related policies.
    ['What other policies does this link to?', 'Document information'],
    // The sentence that asks is covered; the context after it is not held against it.
    [
      'Is there CPD to keep my knowledge up to date? Asking for my appraisal next week with the deputy head.',
      '5.1',
    ],
    // "in a way they shouldn't" is misuse though all its words are stopwords.
    ["Who do I tell if I catch someone using AI in a way they shouldn't?", '4.1'],
  ])('"%s" is answered from %s', (question, section) => {
    const [best] = library.retriever.search(question, 3);
    expect(best?.passage.section).toBe(section);
  });

  it('does not read a section number as a word: "Year 5" is not section 5', () => {
    const sections = library.retriever
      .search('What can Year 5 pupils do with ChatGPT?', 3)
      .map((item) => item.passage.section);
    expect(sections[0]).toBe('3.2');
    expect(sections).not.toContain('5.1');
  });

  it.each([
    // About this policy itself: half the question found is enough.
    ['Does this policy mention trainees who work from home?', ['1.1']],
    // About some other policy: the same words are not enough.
    ['Is there a policy for trainees who work from home?', []],
    ['What is the policy on trainees who work from home?', []],
  ])('"%s" → %j', (question, sections) => {
    expect(library.retriever.search(question, 3).map((item) => item.passage.section)).toEqual(sections);
  });

  it.each([
    // The title page lists a social media policy; that does not make this policy answer it.
    'What is the policy on staff using social media?',
    'Who do I tell if I am going to be off sick?',
    'Who is the SENCo at our school?',
    'How do I log a behaviour incident on Arbor?',
  ])('"%s" is out of scope', (question) => {
    expect(library.retriever.search(question, 3)).toEqual([]);
  });

  it.each([
    // Each names AI (most of them ChatGPT, which the policy covers) but asks something no AI policy
    // answers.
    ['How do I turn on ChatGPT Edu in Outlook?', 'operating a product'],
    ['ChatGPT Edu has disappeared from my laptop, how do I get it back?', 'operating a product'],
    ['How much does a ChatGPT Edu licence cost per teacher?', 'a price'],
    ['Which is better for worksheets, ChatGPT Edu or Gemini?', 'which product is better'],
    ['Which AI detector is the most accurate?', 'which product is better'],
    ['Any tips on writing effective prompts for ChatGPT?', 'how to word a prompt'],
    ['Was ChatGPT in the news this week?', 'AI news or predictions'],
    ['Write me a letter to parents about ChatGPT', 'a task for an AI tool to do'],
    ['Can you make me a ChatGPT quiz on the Tudors?', 'a task for an AI tool to do'],
    ['How are hospitals using AI to read scans?', 'how AI works or is used outside schools'],
    ['My husband wants to use ChatGPT for his business, is that wise?', 'personal use outside school'],
    ['How much is a ChatGPT Edu licence per user?', 'a price'],
    ['ChatGPT Edu or Gemini, which one writes better stories?', 'which product is better'],
    ["What's the character limit for pasting into ChatGPT Edu?", 'operating a product'],
    ['Is there new government funding for ChatGPT Edu in schools?', 'AI news or predictions'],
    [
      'We want to start a lunchtime ChatGPT club, what should we do each week?',
      'an after-school club or activity',
    ],
    ['Which AI image generator gives the most realistic pictures?', 'which product is better'],
    ['Is ChatGPT Edu actually conscious?', 'how AI works or is used outside schools'],
    ['Use ChatGPT Edu to write me a quiz on the Tudors', 'a task for an AI tool to do'],
    ['Summarise this email from a parent about ChatGPT Edu for me', 'a task for an AI tool to do'],
    ['ChatGPT, translate this letter home into Polish please', 'a task for an AI tool to do'],
    ['Do we need consent to put photos of pupils on the school website?', 'photos and publicity'],
    ['Which is quicker at long documents, ChatGPT Edu or Gemini?', 'which product is better'],
    ['When is the behaviour policy next reviewed?', 'another school policy'],
    ['How do I turn ChatGPT Edu on in Teams on my laptop?', 'operating a product'],
    ['How do I arrange a supply teacher?', 'staff employment or governance'],
    ['My ChatGPT Edu licence has expired, how do I get it working again?', 'a product fault'],
    ['ChatGPT Edu keeps timing out when I upload a big PDF', 'a product fault'],
    ["What's the deadline for sending the EHCP annual review paperwork?", 'a school admin deadline'],
    ["When is parents' evening?", 'a date in the school calendar'],
    ['Is ChatGPT Edu still £20 a month or has it gone up?', 'a price'],
    ['Give me a fun fact about ChatGPT to start my lesson', 'a task for an AI tool to do'],
    ['Good morning!', 'the assistant itself'],
    ['What kind of questions can I ask you?', 'the assistant itself'],
    ["What's the newest ChatGPT model called?", 'AI news or predictions'],
    ['What are the dates of February half term? I want to book a holiday.', 'a date in the school calendar'],
    [
      'The Wi-Fi in the library drops out when thirty pupils log on. Is the network team aware?',
      'a product fault',
    ],
    [
      'A parent wants a copy of everything the school holds on their child. How long do we have?',
      'a data protection procedure',
    ],
    ['This bot is useless, can I talk to an actual person?', 'the assistant itself'],
    ['Is Gemini better at maths than ChatGPT Edu?', 'which product is better'],
    ['Can you summarise this article on ChatGPT Edu for me?', 'a task for an AI tool to do'],
    // Refused however much of the wording the policy shares.
    ["What's your name?", 'the assistant itself'],
    ['Who is the data protection officer at our school?', 'who holds a role at your school'],
  ])('"%s" is about %s: out of scope', (question, kind) => {
    const { passages, diagnostics } = library.retriever.searchWithDiagnostics(question, 3);
    expect(diagnostics.offPolicy).toBe(kind);
    expect(passages).toEqual([]);
  });

  it.each([
    // Staff mean AI by "the software" or "a computer": the question is about AI use, so less of it
    // need be found than for a question about a person doing the same.
    ['Can the software write my classroom resources?', 'Can someone write my classroom resources?', '3.1'],
    ['Can a computer keep what I type private?', 'Can a colleague keep what I type private?', '3.2'],
  ])('"%s" is answered; "%s" is not (section %s)', (meansAi, aboutAPerson, section) => {
    expect(library.retriever.search(meansAi, 3)[0]?.passage.section).toBe(section);
    expect(library.retriever.search(aboutAPerson, 3)).toEqual([]);
  });

  it.each([
    // The same shapes asked about the policy or the school's own use are not off-policy.
    'Can you give me a summary of the AI policy?',
    'How do we stop pupils using ChatGPT to cheat?',
    // Who makes sure of something is a question about roles, not about who makes a product.
    'Who makes sure staff are trained to use ChatGPT Edu?',
    'Can I use the free version of ChatGPT on my own laptop?',
    // Pupils or parents who keep asking are not a product that keeps asking.
    'Parents keep asking if pupils can use ChatGPT Edu, what is our line?',
    'My year 8s keep asking if they can use ChatGPT for homework. What is the rule?',
    // School tools used for a private business are the policy's business.
    "Can I use the school's tools for my own business?",
    // An app built on AI is not a question about how AI works.
    'Could we use mindfulness apps powered by AI with pupils?',
    // Asking what AI may be used for is not asking what the assistant can do.
    'I teach reception, what sort of things can I use ChatGPT Edu for with the little ones?',
    // The same calendar words in a question about using AI are about the policy.
    'Could I get ChatGPT Edu to draft the letter home about term dates?',
    // Whether AI in general suits a task is what the policy answers; a named product's quality is not.
    'Is AI any good for drafting worksheets?',
    // An unlicensed copy is a question of the rules, not which product is better.
    "Is it ok to use a cracked AI app if it's better than ChatGPT Edu?",
  ])('"%s" is not an off-policy question', (question) => {
    expect(library.retriever.searchWithDiagnostics(question, 3).diagnostics.offPolicy).toBeUndefined();
  });

  it('the same tool asked about as policy is still answered', () => {
    const { passages, diagnostics } = library.retriever.searchWithDiagnostics(
      'Can I use ChatGPT Edu to make worksheets?',
      3,
    );
    expect(diagnostics.offPolicy).toBeUndefined();
    expect(passages[0]?.passage.section).toBe('3.1');
  });

  it.each([
    // Asked about the policy itself in the staff's words, none of which the scope section uses.
    ['Does this cover supply teachers and people visiting?', '1.1'],
    ["I'm a supply teacher here until Easter, does any of this apply to me?", '1.1'],
    ['A trainee asked me if these rules apply when she works from home', '1.1'],
    // "this" standing alone means the policy and what it governs.
    ['What happens to me if I get this wrong, is it a disciplinary thing?', '4.1'],
    // About the policy and meaning AI at once: the more lenient of the two bars applies.
    ['Does the policy let the software draft worksheets for our Year 9 trip to Wales?', '3.1'],
    ['Is the policy about drafting classroom worksheets faster?', '3.1'],
    // Asking where the policy stands, or whether staff follow it, is asking about the policy.
    ['Where do we stand on drafting classroom worksheets faster?', '3.1'],
    ["What's our stance on drafting classroom worksheets faster?", '3.1'],
    ['Do I follow it when working remotely as a trainee?', '1.1'],
    ['Is this being followed by trainees and volunteers working remotely over the holidays?', '1.1'],
    ['Does anyone check this gets followed by trainees working remotely at weekends?', '1.1'],
    ['Who checks this across the trust for volunteers working remotely?', '1.1'],
    ['Will staff get training on this and will anyone check the logs?', '5.1'],
    ['Is the trust basing this on anything for trainees and volunteers at weekends?', '1.1'],
  ])('"%s" asks about this policy, so less of it need be found: %s', (question, section) => {
    expect(library.retriever.search(question, 3)[0]?.passage.section).toBe(section);
  });

  it('the same words asked about some other policy are not enough', () => {
    expect(
      library.retriever.search('Is there a policy about drafting classroom worksheets faster?', 3),
    ).toEqual([]);
  });
});

describe('a question naming a kind of AI is answered from the passage that speaks of it', () => {
  // The marking clause shares more of the question's words; only the emotion clause names its topic.
  const policy = `AI Policy

1. Marking

1.1. Teachers may use authorised marking software to score pupils' answers in lessons.

2. Emotion recognition

2.1. Software that recognises emotion will not be used with pupils.
`;
  const document = parsePolicyText({ source: 'topics.txt', text: policy, clock });
  const question = "Could we buy software that reads pupils' faces in lessons to score how engaged they are?";

  it('ranks the passage naming the topic first', () => {
    const library = buildPolicyLibrary([document]);
    expect(library.retriever.search(question, 2)[0]?.passage.section).toBe('2.1');
  });

  it('would rank the marking clause first on shared words alone', () => {
    const library = buildPolicyLibrary([document], { scope: { topicWeight: 1 } });
    expect(library.retriever.rank(question, 2)[0]?.passage.section).toBe('1.1');
  });
});

describe('a member of staff asking about their own use is answered from the staff section', () => {
  // Both sections share the question's words; only who is asking tells them apart.
  const policy = `AI Policy

1. Staff use of AI

1.1. Teachers may use AI tools to draft feedback on essays, and must check every comment before it is shared with the class.

2. How pupils might use AI

2.1. Pupils may ask AI for feedback on their essays and must say where they used it.
`;
  const library = buildPolicyLibrary([parsePolicyText({ source: 'audience.txt', text: policy, clock })]);

  it.each([
    ["Can I use AI to write feedback on my class's essays?", '1.1'],
    ['Can pupils use AI to get feedback on their essays?', '2.1'],
    ['Are students allowed AI feedback on essays?', '2.1'],
  ])('"%s" → %s', (question, section) => {
    expect(library.retriever.search(question, 2)[0]?.passage.section).toBe(section);
  });
});

describe('a kind of AI the policy never mentions is not covered by its general rules', () => {
  it('a policy silent on AI notetakers says so rather than quoting its scope section', () => {
    // Riverside's scope names volunteers and remote working, but nothing about notetakers.
    const answer = buildPolicyLibrary([riverside]).answerer.answerSync(
      'Can a volunteer use an AI notetaker when working remotely?',
    );
    expect(answer.kind).toBe('not-covered');
  });

  it('a policy that speaks of them answers from that section', () => {
    const answer = buildPolicyLibrary([hillside]).answerer.answerSync(
      'Is Otter OK for minuting a governors meeting?',
    );
    expect(answer.kind).toBe('answered');
    if (answer.kind === 'answered') expect(answer.citations[0].section).toBe('1.1');
  });

  it('AI in general is still answered from the general rules of a policy that never names the tool', () => {
    const answer = buildPolicyLibrary([hillside]).answerer.answerSync('Can I use Gemini to mark quizzes?');
    expect(answer.kind).toBe('answered');
  });
});

describe('a cue that asks about the policy document covers that part of the question', () => {
  it('"how often does it get looked at again" is covered by the review section and by nothing else', () => {
    const analyzer = new TextAnalyzer(loadThesaurus());
    const query = analyzer.analyse('How often does the AI policy get looked at again?', true);
    expect([...query.cued]).toContain('~review-date');
    expect(analyzer.isAboutThePolicy('~review-date')).toBe(true);
    expect(analyzer.isAboutThePolicy('~role-holder')).toBe(false);
  });

  it('answers the review question from the review section rather than refusing it', () => {
    const policy = parsePolicyText({
      source: 'review.txt',
      text: `AI Policy\n\n1. Using AI\n\n1.1. Staff may use approved AI tools for planning.\n\n2. Review\n\n2.1. This policy is reviewed every two years by the trust board.\n`,
      clock,
    });
    const library = buildPolicyLibrary([policy]);
    const answer = library.answerer.answerSync('How often does the AI policy get looked at again?');
    expect(answer.kind).toBe('answered');
    if (answer.kind === 'answered') expect(answer.citations[0].section).toBe('2.1');
  });
});

describe('the sentences of a message that ask the question', () => {
  it.each([
    ['Which laws is it built on? Need them for a paper.', ['Which laws is it built on?']],
    [
      'Head of year here. What does the policy say about tracking data?',
      ['What does the policy say about tracking data?'],
    ],
    [
      "I'm covering a maternity leave till Easter — does this policy apply to me?",
      ['does this policy apply to me?'],
    ],
    ['Is it allowed? And who do I ask?', ['Is it allowed?', 'And who do I ask?']],
    // A label before a colon is context too.
    [
      'Clerk question: what legislation sits behind this policy? Want to list it in the minutes',
      ['what legislation sits behind this policy?'],
    ],
    // A question passed on from someone else.
    ['A governor asked if these rules apply to volunteers', ['if these rules apply to volunteers']],
    // One sentence, or no question: nothing to pick out.
    ['Can I use ChatGPT for reports?', []],
    ['I pasted a name into ChatGPT. Now what.', []],
  ])('"%s" → %j', (message, expected) => {
    expect(askingSentences(message)).toEqual(expected);
  });

  it('an asking sentence too short to stand alone is judged with its context', () => {
    const library = buildPolicyLibrary([riverside]);
    expect(
      library.retriever.search('The projector in my classroom is broken - is there training?', 3),
    ).toEqual([]);
  });

  it('the same words in one sentence must all be covered', () => {
    const library = buildPolicyLibrary([riverside]);
    expect(
      library.retriever.search(
        'Is there CPD to keep my knowledge up to date for my appraisal next week with the deputy head?',
        3,
      ),
    ).toEqual([]);
  });
});

describe('the words of a question cue count as found where the section has what the cue asks for', () => {
  const policy = parsePolicyText({
    source: 'purpose.txt',
    text: `AI Policy\n\n1. Purpose\n\n1.1. The purpose of this policy is to set out how staff use AI safely.\n\n2. Using AI\n\n2.1. Staff may use approved AI tools for planning lessons.\n`,
    clock,
  });
  const library = buildPolicyLibrary([policy]);

  it.each([
    // "trying to achieve" asks for the purpose; its words are not also words the policy must use.
    'In a nutshell, what is this document trying to achieve?',
    "What's the actual point of having this policy, in one sentence?",
  ])('"%s" is answered from the purpose section', (question) => {
    const answer = library.answerer.answerSync(question);
    expect(answer.kind).toBe('answered');
    if (answer.kind === 'answered') expect(answer.citations[0].section).toBe('1.1');
  });
});

describe('a question opens with what it asks for', () => {
  const policy = parsePolicyText({
    source: 'opening.txt',
    text: `AI Policy

1. Personal data

1.1. Pupil data must never be entered into an AI tool that is not approved for it.

2. Reporting concerns

2.1. Tell the Data Protection Officer the same day if you think pupil data has been misused.
`,
    clock,
  });
  const scores = (leadingWeight: number, question: string): Map<string, number> =>
    new Map(
      buildPolicyLibrary([policy], { index: { ...defaultIndexOptions, leadingWeight } })
        .retriever.rank(question, 3)
        .map((result) => [result.passage.section, result.score]),
    );

  it('weighs the concepts named in its first words above those of the situation after them', () => {
    const question = 'Who do I tell if a colleague has put pupil data into an AI tool?';
    const plain = scores(1, question);
    const leading = scores(defaultIndexOptions.leadingWeight, question);
    // "Who do I tell" asks for the reporting section; the personal-data rule matches only the rest.
    expect(leading.get('2.1')).toBeGreaterThan(plain.get('2.1') ?? 0);
    expect(leading.get('1.1')).toBeCloseTo(plain.get('1.1') ?? 0, 10);
  });

  it('counts who or which AI the question is about as context, not as what it asks for', () => {
    const analyzer = new TextAnalyzer(loadThesaurus());
    for (const concept of ['~staff', '~pupil', '~public-ai', '~copilot'])
      expect(analyzer.isContext(concept)).toBe(true);
    for (const concept of ['~report-concern', '~personal-data', '~notetaker'])
      expect(analyzer.isContext(concept)).toBe(false);
  });

  it('records where the question first names each concept', () => {
    const analysed = new TextAnalyzer(loadThesaurus()).analyse('Who do I tell about a data breach?', true);
    expect(analysed.firstPositions.get('~report-concern')).toBe(0);
    expect(analysed.firstPositions.get('~breach')).toBe(6);
  });
});

describe('several policies in one index: sources and citations', () => {
  let library: PolicyLibrary;
  beforeAll(() => {
    library = buildPolicyLibrary([riverside, hillside]);
  });

  it('returns at most one passage per policy, so the citations name different policies', () => {
    const sources = library.retriever
      .search('Can I type pupil information into ChatGPT worksheets?', 3)
      .map((item) => item.passage.source);
    expect(sources[0]).toBe('riverside.txt');
    expect(new Set(sources).size).toBe(sources.length);
  });

  it.each([
    ['Can I use an AI notetaker to take meeting minutes?', 'hillside.txt'],
    ['Can ChatGPT help me make worksheets?', 'riverside.txt'],
  ])(
    'cites every retrieved passage best first, with markers that point into the list: "%s"',
    (question, best) => {
      const retrieved = library.retriever.search(question, 3);
      const answer = library.answerer.answerSync(question);
      if (answer.kind !== 'answered') throw new Error(`not answered: ${question}`);
      expect(answer.citations.map((citation) => `${citation.source}#${citation.section}`)).toEqual(
        retrieved.map((item) => `${item.passage.source}#${item.passage.section}`),
      );
      expect(answer.citations[0].source).toBe(best);
      const markers = [...answer.text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
      expect(markers[0]).toBe(1);
      for (const marker of markers) expect(marker).toBeLessThanOrEqual(answer.citations.length);
      for (const statement of answer.text.split(/(?<=\[\d+\])\s*/).filter((part) => part.length > 0))
        expect(statement).toMatch(/\[\d+\]$/);
    },
  );
});
