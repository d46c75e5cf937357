import { Injectable } from '@nestjs/common';

/** Something that acts when a publisher's subject is erased or withdraws consent; returns buyers notified. */
export interface SubjectEventsListener {
  onErased(orgId: string, subjectKey: string, at: Date): Promise<number>;
  onRevoked(orgId: string, subjectKey: string, at: Date): Promise<number>;
}

/**
 * Where the data plane announces erasures and revocations. The deliveries module registers its notice service
 * here (signed notices to every buyer that received the subject); the data plane does not depend on it.
 */
@Injectable()
export class SubjectEventsHook {
  private readonly listeners: SubjectEventsListener[] = [];

  register(listener: SubjectEventsListener): void {
    this.listeners.push(listener);
  }

  async onErased(orgId: string, subjectKey: string, at = new Date()): Promise<number> {
    let notified = 0;
    for (const l of this.listeners) notified += await l.onErased(orgId, subjectKey, at);
    return notified;
  }

  async onRevoked(orgId: string, subjectKey: string, at = new Date()): Promise<number> {
    let notified = 0;
    for (const l of this.listeners) notified += await l.onRevoked(orgId, subjectKey, at);
    return notified;
  }
}
