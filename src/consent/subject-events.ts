import { Injectable } from '@nestjs/common';

/**
 * What happens to buyers when a subject is erased or withdraws consent. The deliveries module provides the
 * real implementation (signed notices to every buyer that received the subject) by overriding this provider;
 * until then nobody is notified. Both methods return the number of buyers notified.
 */
@Injectable()
export class SubjectEventsHook {
  async onErased(_orgId: string, _subjectKey: string): Promise<number> {
    return 0;
  }

  async onRevoked(_orgId: string, _subjectKey: string): Promise<number> {
    return 0;
  }
}
