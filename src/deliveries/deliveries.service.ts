import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { Readable } from 'node:stream';
import { Subject } from '../audiences/subject.schema';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { BackgroundTasks } from '../common/background-tasks';
import type { AuthContext } from '../common/auth.decorators';
import { rootLogger } from '../common/logger';
import { op } from '../common/trusted';
import { type AppConfig, InjectConfig } from '../config/config';
import { Erasure } from '../consent/erasure.schema';
import { isLicenseActive } from '../orders/order-state';
import type { Order } from '../orders/order.schema';
import { OrdersRepository } from '../orders/orders.repository';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { SegmentsService } from '../segments/segments.service';
import { buyerSigningSecret } from './buyer-signing';
import { exclusionReason } from './consent-check';
import { DeliveriesRepository, DeliveryItemsRepository, type ItemToInsert } from './deliveries.repository';
import { type Delivery, EXCLUSION_REASONS, type ExclusionReason } from './delivery.schema';
import { signDownloadToken, verifyDownloadToken } from './download-token';
import { type CreateDeliveryDto, type DeliveryDto, toDeliveryDto, type VerifyResultDto } from './dto/delivery.dto';
import { DigestBuilder, merkleProof } from './manifest-digest';
import { WebhookPusher } from './webhook-push';

const BATCH = 1000;
const PROOF_LIMIT = 100_000;

type SubjectRow = Pick<Subject, 'key' | 'ids' | 'traits' | 'consent'>;

@Injectable()
export class DeliveriesService implements BeforeApplicationShutdown {
  private readonly background = new BackgroundTasks();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly orders: OrdersRepository,
    private readonly segments: SegmentsService,
    private readonly deliveries: DeliveriesRepository,
    private readonly items: DeliveryItemsRepository,
    private readonly pusher: WebhookPusher,
    private readonly audit: AuditService,
    private readonly orgs: OrganizationsRepository,
    @InjectModel(Subject.name) private readonly subjects: Model<Subject>,
    @InjectModel(Erasure.name) private readonly erasures: Model<Erasure>,
  ) {}

  /**
   * Builds a delivery for the buyer of a paid order with an active licence: streams the segment's members,
   * re-evaluates each one's consent now, stores the delivered keys with the consent they were delivered
   * under, and seals the manifest (counts, exclusions by reason, digest and Merkle root).
   */
  async create(auth: AuthContext, orderId: string, input: CreateDeliveryDto): Promise<DeliveryDto> {
    const order = await this.orders.findVisible(orderId, { buyerOrgId: auth.orgId });
    if (!order) throw AppError.notFound('Order');
    if (!isLicenseActive(order)) {
      throw AppError.conflict('LICENSE_NOT_ACTIVE', `Order is ${order.status}${order.license?.endedAt ? ' and its licence has ended' : ''}; no delivery is possible`);
    }
    const destination = input.destination ?? { type: 'download' as const };
    let webhookUrl: string | undefined;
    if (destination.type === 'webhook') {
      if (!destination.url) throw AppError.badRequest('VALIDATION_FAILED', 'destination.url is required for a webhook destination');
      webhookUrl = this.pusher.validateUrl(destination.url).toString();
    }
    const selection = await this.segments.memberSelection(order.snapshot.segmentId);
    if (!selection) throw AppError.conflict('SEGMENT_UNAVAILABLE', 'The segment behind this listing no longer exists');

    const delivery = await this.deliveries.create({
      orderId: order._id,
      buyerOrgId: order.buyerOrgId,
      sellerOrgId: order.sellerOrgId,
      listingId: order.listingId,
      format: input.format,
      destinationType: destination.type,
      webhookUrl,
    });
    let ready: Delivery | null;
    try {
      ready = await this.build(delivery, order, selection.filter);
    } catch (e) {
      await this.deliveries.markFailed(delivery._id);
      throw e;
    }
    if (!ready) throw AppError.conflict('DELIVERY_STATE_CONFLICT', 'The delivery changed while it was being built');
    await this.audit.record(auth, {
      action: 'delivery.create',
      targetType: 'delivery',
      targetId: String(ready._id),
      orgId: auth.orgId,
      details: { orderId: String(order._id), recordCount: ready.recordCount, excluded: ready.manifest?.excluded },
    });
    if (webhookUrl) {
      // The buyer's latest webhook also receives its erasure and revocation notices.
      await this.orgs.setWebhookUrl(auth.orgId, webhookUrl);
      this.pushInBackground(ready, webhookUrl, auth.orgId);
    }
    return this.toDto(ready);
  }

  async get(auth: AuthContext, id: string): Promise<DeliveryDto> {
    return this.toDto(await this.findForBuyer(auth, id));
  }

  async manifest(auth: AuthContext, id: string) {
    const d = await this.findForBuyer(auth, id);
    if (!d.manifest) throw AppError.conflict('DELIVERY_NOT_READY', 'The delivery is not ready');
    return toDeliveryDto(d).manifest!;
  }

  /**
   * The delivery's file, streamed. Callers are the buyer with a bearer token, or anyone holding the signed,
   * expiring link. The licence is checked again: a refund or lost dispute stops downloads.
   */
  async openDownload(auth: AuthContext | undefined, id: string, token: string | undefined): Promise<{ stream: Readable; contentType: string; filename: string }> {
    let delivery: Delivery | null;
    if (token) {
      const payload = verifyDownloadToken(token, this.config.delivery.linkSecret);
      if (payload.deliveryId !== id) throw AppError.unauthorized('DOWNLOAD_TOKEN_INVALID', 'The download link is not valid');
      delivery = await this.deliveries.findForBuyer(id, payload.buyerOrgId);
    } else {
      if (!auth || auth.role !== 'advertiser') throw AppError.unauthorized();
      delivery = await this.deliveries.findForBuyer(id, auth.orgId);
    }
    if (!delivery) throw AppError.notFound('Delivery');
    if (delivery.status !== 'ready') throw AppError.conflict('DELIVERY_NOT_READY', 'The delivery is not ready');
    const order = await this.orders.findById(delivery.orderId);
    if (!order || !isLicenseActive(order)) throw AppError.conflict('LICENSE_NOT_ACTIVE', 'The licence for this delivery is no longer active');
    const stream = delivery.format === 'csv' ? await this.csvStream(delivery) : this.ndjsonStream(delivery);
    return {
      stream,
      contentType: delivery.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      filename: `audex-delivery-${String(delivery._id)}.${delivery.format === 'csv' ? 'csv' : 'ndjson'}`,
    };
  }

  /** Whether a subject was in the delivery, and the consent it was delivered under (buyer or admin). */
  async verify(auth: AuthContext, id: string, subjectKey: string): Promise<VerifyResultDto> {
    const delivery = auth.role === 'admin' ? await this.deliveries.findById(id) : await this.deliveries.findForBuyer(id, auth.orgId);
    if (!delivery) throw AppError.notFound('Delivery');
    if (!delivery.manifest) throw AppError.conflict('DELIVERY_NOT_READY', 'The delivery is not ready');
    const item = await this.items.findOne(delivery._id, subjectKey);
    const result: VerifyResultDto = {
      included: !!item,
      consentAtDelivery: item
        ? {
            status: item.consent.status,
            purposes: item.consent.purposes,
            vendorConsent: item.consent.vendorConsent,
            at: new Date(item.consent.at).toISOString(),
            tcStringHash: item.consent.tcStringHash,
            source: item.consent.source,
          }
        : null,
      merkleRoot: delivery.manifest.merkleRoot,
    };
    if (item && delivery.recordCount <= PROOF_LIMIT) {
      const keys: string[] = [];
      for await (const row of this.items.keysAscending(delivery._id)) keys.push(row.key);
      result.merkleProof = merkleProof(keys, subjectKey) ?? undefined;
    }
    return result;
  }

  private async findForBuyer(auth: AuthContext, id: string): Promise<Delivery> {
    const d = await this.deliveries.findForBuyer(id, auth.orgId);
    if (!d) throw AppError.notFound('Delivery');
    return d;
  }

  private async build(delivery: Delivery, order: Order, filter: Record<string, unknown>): Promise<Delivery | null> {
    const required = order.snapshot.requiredPurposes?.length ? order.snapshot.requiredPurposes : [1, 3, 4];
    const cap = order.snapshot.pricing.model === 'cpm' && order.quantity ? order.quantity : Number.POSITIVE_INFINITY;
    const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
    const snapshotAt = new Date();
    let delivered = 0;
    let batch: SubjectRow[] = [];

    const flush = async () => {
      const rows = batch;
      batch = [];
      if (rows.length === 0) return;
      const erasedAt = await this.erasedAtByKey(order.sellerOrgId, rows.map((r) => r.key));
      const toInsert: ItemToInsert[] = [];
      for (const s of rows) {
        const reason = exclusionReason(s.consent, required, erasedAt.get(s.key));
        if (reason) {
          excluded[reason]++;
          continue;
        }
        if (delivered + toInsert.length >= cap) {
          excluded.over_quantity++;
          continue;
        }
        toInsert.push({
          deliveryId: delivery._id,
          buyerOrgId: delivery.buyerOrgId,
          sellerOrgId: delivery.sellerOrgId,
          key: s.key,
          consent: s.consent!,
          ids: s.ids,
          traits: s.traits,
        });
      }
      delivered += await this.items.insertBatch(toInsert);
    };

    const cursor = this.subjects.find(filter).select({ key: 1, ids: 1, traits: 1, consent: 1, _id: 0 }).lean<SubjectRow[]>().cursor({ batchSize: BATCH });
    for await (const s of cursor) {
      batch.push(s);
      if (batch.length >= BATCH) await flush();
    }
    await flush();

    const digest = new DigestBuilder();
    for await (const row of this.items.keysAscending(delivery._id)) digest.add(row.key);
    const sealed = digest.finish();
    const excludedNoConsent = EXCLUSION_REASONS.filter((r) => r !== 'over_quantity').reduce((n, r) => n + excluded[r], 0);
    return this.deliveries.markReady(delivery._id, sealed.count, excludedNoConsent, {
      recordCount: sealed.count,
      excluded,
      purposesRequired: [...required],
      vendorId: this.config.privacy.vendorId,
      consentSnapshotAt: snapshotAt,
      digest: sealed.sha256,
      merkleRoot: sealed.merkleRoot,
    });
  }

  /** Erasure tombstones of the seller for a bounded batch of keys. */
  private async erasedAtByKey(sellerOrgId: Types.ObjectId, keys: string[]): Promise<Map<string, Date>> {
    const rows = await this.erasures
      .find({ orgId: sellerOrgId, subjectKey: op({ $in: keys }) })
      .select({ subjectKey: 1, erasedAt: 1 })
      .lean<Pick<Erasure, 'subjectKey' | 'erasedAt'>[]>()
      .exec();
    return new Map(rows.map((r) => [r.subjectKey, r.erasedAt]));
  }

  private ndjsonStream(delivery: Delivery): Readable {
    const cursor = this.items.downloadable(delivery._id);
    return Readable.from(
      (async function* () {
        for await (const item of cursor) yield `${JSON.stringify({ key: item.key, ...(item.ids ?? {}), traits: item.traits ?? {} })}\n`;
      })(),
    );
  }

  /** CSV needs its columns up front: a first pass collects the trait names (bounded), the second writes rows. */
  private async csvStream(delivery: Delivery): Promise<Readable> {
    const traitNames = new Set<string>();
    for await (const item of this.items.downloadable(delivery._id)) {
      for (const k of Object.keys(item.traits ?? {})) if (traitNames.size < 500) traitNames.add(k);
    }
    const traits = [...traitNames].sort();
    const cursor = this.items.downloadable(delivery._id);
    const cell = (v: unknown) => {
      if (v === undefined || v === null) return '';
      const s = Array.isArray(v) ? v.join(';') : String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return Readable.from(
      (async function* () {
        yield `${['key', 'email_sha256', 'phone_sha256', 'maid', ...traits.map((t) => `trait.${t}`)].join(',')}\n`;
        for await (const item of cursor) {
          const ids = item.ids ?? {};
          yield `${[item.key, ids.emailSha256, ids.phoneSha256, ids.maid, ...traits.map((t) => item.traits?.[t])].map(cell).join(',')}\n`;
        }
      })(),
    );
  }

  private downloadLink(d: Delivery) {
    const expiresAt = new Date(Date.now() + this.config.delivery.linkTtlSeconds * 1000);
    const token = signDownloadToken({ deliveryId: String(d._id), buyerOrgId: String(d.buyerOrgId), expiresAt }, this.config.delivery.linkSecret);
    return { url: `${this.config.publicBaseUrl}/v1/deliveries/${String(d._id)}/download?token=${token}`, expiresAt: expiresAt.toISOString() };
  }

  private toDto(d: Delivery): DeliveryDto {
    return toDeliveryDto(d, {
      download: d.status === 'ready' ? this.downloadLink(d) : undefined,
      signingSecret: d.destinationType === 'webhook' ? buyerSigningSecret(this.config.delivery.linkSecret, String(d.buyerOrgId)) : undefined,
    });
  }

  /**
   * Webhook destinations get a signed notification with the manifest and a signed download link (the file
   * itself can be a million lines; the link lets the receiver stream it). Retries run after the response.
   */
  private pushInBackground(d: Delivery, url: string, buyerOrgId: string): void {
    const body = Buffer.from(JSON.stringify({ type: 'delivery.ready', delivery: { ...this.toDto(d), signingSecret: undefined } }));
    this.background.run(
      this.pusher
        .push({ url, body, deliveryId: String(d._id), secret: buyerSigningSecret(this.config.delivery.linkSecret, buyerOrgId) })
        .then((o) => this.deliveries.recordPush(d._id, { url, ok: o.ok, attempts: o.attempts, status: o.status, error: o.error, at: new Date() }))
        .catch((e) => rootLogger().error({ err: { message: (e as Error).message }, deliveryId: String(d._id) }, 'delivery push failed')),
    );
  }

  /** Pushes under way end at once on shutdown (WebhookPusher.stop); their outcomes are recorded before the database closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.background.drain();
  }
}
