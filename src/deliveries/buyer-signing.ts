import { createHmac } from 'node:crypto';

/**
 * The key Audex signs a buyer's webhook pushes and notices with: derived per buyer organization from the
 * server secret, so it needs no storage and is shown only to that buyer (in its webhook deliveries).
 */
export function buyerSigningSecret(serverSecret: string, buyerOrgId: string): string {
  return `whsec_${createHmac('sha256', serverSecret).update(`audex-buyer-signing:${buyerOrgId}`).digest('base64url')}`;
}

export function signFacts(secret: string, facts: Record<string, unknown>): string {
  return createHmac('sha256', secret).update(JSON.stringify(facts)).digest('hex');
}
