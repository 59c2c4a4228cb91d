import { adaptiveCard, commandButton, heading, paragraph, type AdaptiveCard } from './common';

export interface WelcomeDetails {
  trustName: string;
  mode: 'offline' | 'tenant';
}

/** Commands people can type, shared by the welcome card, `help` and the manifest's command list. */
export const commands = {
  ask: 'ask about the policy',
  notetaker: 'notetaker consent',
  dpia: 'start a dpia',
  incident: 'report an incident',
  incidentStatus: 'incident status',
  consentRecords: 'my consent records',
  exportIncidents: 'export incidents',
  help: 'help',
} as const;

export function welcomeCard(details: WelcomeDetails): AdaptiveCard {
  return adaptiveCard(
    [
      heading('AI Policy Assistant'),
      paragraph(
        `I answer questions from ${details.trustName}'s AI policy, quoting the section each answer comes from. ` +
          'I can also walk you through the checks the policy asks for.',
      ),
      paragraph('Ask me a question in your own words, for example "Can I use ChatGPT to write reports?"', {
        isSubtle: true,
      }),
      ...(details.mode === 'offline'
        ? [
            paragraph('Running offline: answers come from the bundled policy only.', {
              isSubtle: true,
              size: 'Small',
            }),
          ]
        : []),
    ],
    [
      commandButton('Ask about the policy', commands.ask),
      commandButton('Notetaker consent', commands.notetaker),
      commandButton('Start a DPIA', commands.dpia),
      commandButton('Report an incident', commands.incident),
    ],
  );
}

export function helpText(): string {
  return [
    'Here is what I can do:',
    `- Ask a question about the AI policy in your own words; I answer from the policy and cite its sections.`,
    `- "${commands.notetaker}": the checklist before an AI notetaker is used in a meeting.`,
    `- "${commands.dpia}": a Data Protection Impact Assessment for a new AI tool, sent to the DPO; "resume my dpia" picks up a draft.`,
    '- "Can I use <tool> for <purpose>?": what the trust\'s AI tool register says, with the policy sections.',
    `- "${commands.incident}": report AI misuse, a data breach or unsafe AI output to the DPO; "${commands.incidentStatus} INC-…" shows how a report is going.`,
    `- "${commands.consentRecords}": the notetaker consent records you have made (the DPO can "export consent records as csv" or json).`,
    `- For the DPO team: "${commands.exportIncidents}" (csv or json) in the DPO channel, and "use this channel for incident reports".`,
    'Safeguarding concerns go to the Designated Safeguarding Lead: I will tell you how to reach them.',
  ].join('\n');
}
