import type { CapabilityContext, CapabilityParts } from './capability';
import { createChecklistCapability } from './checklist-capability';
import { createIncidentCapability } from './incident-capability';

/**
 * Every capability of the bot, in routing order. Each entry builds its services from the shared
 * context and returns its routes; add a capability with one line here.
 */
export function createCapabilities(context: CapabilityContext): CapabilityParts[] {
  return [createChecklistCapability(context), createIncidentCapability(context)];
}
