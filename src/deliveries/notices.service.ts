import { type BeforeApplicationShutdown, Injectable, type OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { BackgroundTasks } from '../common/background-tasks';
import type { AuthContext } from '../common/auth.decorators';
import { rootLogger } from '../common/logger';
import { DEFAULT_PAGE_LIMIT, type KeysetSort, type Page, toPage } from '../common/pagination';
import { type AppConfig, InjectConfig } from '../config/config';
import { SubjectEventsHook, type SubjectEventsListener } from '../consent/subject-events';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { buyerSigningSecret, signFacts } from './buyer-signing';
import { DeliveryItemsRepository } from './deliveries.repository';
import { type NoticeDto, type NoticeQuery, toNoticeDto } from './dto/delivery.dto';
import type { Notice, NoticeKind } from './notice.schema';
import { NoticesRepository } from './notices.repository';
import { WebhookPusher } from './webhook-push';

const NEWEST_FIRST: KeysetSort = { field: '_id', direction: -1 };

/**
 * Passes erasures and revocations on to every buyer that received the subject: one signed notice per buyer
 * and event, pushed to the buyer's webhook when it has one, listed until acknowledged.
 */
@Injectable()
export class NoticesService implements SubjectEventsListener, OnModuleInit, BeforeApplicationShutdown {
  private readonly background = new BackgroundTasks();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly notices: NoticesRepository,
    private readonly items: DeliveryItemsRepository,
    private readonly orgs: OrganizationsRepository,
    private readonly pusher: WebhookPusher,
    private readonly audit: AuditService,
    private readonly hook: SubjectEventsHook,
  ) {}

  onModuleInit(): void {
    this.hook.register(this);
  }

  onErased(orgId: string, subjectKey: string, at: Date): Promise<number> {
    return this.notify('erasure', orgId, subjectKey, at);
  }

  onRevoked(orgId: string, subjectKey: string, at: Date): Promise<number> {
    return this.notify('revocation', orgId, subjectKey, at);
  }

  async list(auth: AuthContext, q: NoticeQuery): Promise<Page<NoticeDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const docs = await this.notices.findPage(auth.orgId, q.status, NEWEST_FIRST, limit, q.cursor);
    return toPage(docs, limit, NEWEST_FIRST, toNoticeDto);
  }

  async acknowledge(auth: AuthContext, id: string): Promise<NoticeDto> {
    const notice = await this.notices.findForBuyer(id, auth.orgId);
    if (!notice) throw AppError.notFound('Notice');
    const done = await this.notices.acknowledge(notice._id, new Types.ObjectId(auth.userId), new Date());
    if (!done) throw AppError.conflict('NOTICE_ALREADY_ACKNOWLEDGED', 'This notice was already acknowledged');
    await this.audit.record(auth, { action: 'notice.acknowledge', targetType: 'notice', targetId: id, orgId: auth.orgId });
    return toNoticeDto(done);
  }

  private async notify(kind: NoticeKind, orgId: string, subjectKey: string, at: Date): Promise<number> {
    const sellerOrgId = new Types.ObjectId(orgId);
    const recipients = await this.items.findRecipients(sellerOrgId, subjectKey);
    if (kind === 'erasure') await this.items.stripErased(sellerOrgId, subjectKey, at);
    else await this.items.markRevoked(sellerOrgId, subjectKey, at);
    if (recipients.length === 0) return 0;

    const byBuyer = new Map<string, Types.ObjectId[]>();
    for (const r of recipients) {
      const list = byBuyer.get(String(r.buyerOrgId)) ?? [];
      list.push(r.deliveryId);
      byBuyer.set(String(r.buyerOrgId), list);
    }
    const eventId = `${kind}:${orgId}:${subjectKey}:${at.toISOString()}`;
    let notified = 0;
    for (const [buyerOrgId, deliveryIds] of byBuyer) {
      const id = new Types.ObjectId();
      const facts = { id: String(id), kind, subjectKey, sellerOrganizationId: orgId, deliveryIds: deliveryIds.map(String), createdAt: at.toISOString() };
      const secret = buyerSigningSecret(this.config.delivery.linkSecret, buyerOrgId);
      const notice = await this.notices.insertOnce({
        _id: id,
        buyerOrgId: new Types.ObjectId(buyerOrgId),
        sellerOrgId,
        kind,
        subjectKey,
        deliveryIds,
        eventId,
        createdAt: at,
        signature: signFacts(secret, facts),
      });
      if (!notice) continue;
      notified++;
      await this.audit.record(null, { action: `notice.${kind}`, targetType: 'notice', targetId: String(id), orgId: buyerOrgId, details: { subjectKey, sellerOrgId: orgId } });
      this.pushInBackground(notice, secret);
    }
    return notified;
  }

  private pushInBackground(notice: Notice, secret: string): void {
    const task = (async () => {
      const buyer = await this.orgs.findById(notice.buyerOrgId);
      if (!buyer?.webhookUrl) return;
      const body = Buffer.from(JSON.stringify({ type: `notice.${notice.kind}`, notice: toNoticeDto(notice) }));
      const o = await this.pusher.push({ url: buyer.webhookUrl, body, deliveryId: String(notice._id), secret });
      await this.notices.recordPush(notice._id, { ok: o.ok, attempts: o.attempts, status: o.status, at: new Date() });
    })().catch((e) => rootLogger().error({ err: { message: (e as Error).message }, noticeId: String(notice._id) }, 'notice push failed'));
    this.background.run(task);
  }

  /** Pushes under way end at once on shutdown (WebhookPusher.stop); their outcomes are recorded before the database closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.background.drain();
  }
}
