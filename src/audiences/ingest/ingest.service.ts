import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../../common/app-error';
import { type AuthContext } from '../../common/auth.decorators';
import { type AppConfig, InjectConfig } from '../../config/config';
import { AudiencesService } from '../audiences.service';
import { type CollectDto, type CollectResultDto, type IngestResultDto } from '../dto/ingest.dto';
import { csvItems, jsonArrayItems, limitBytes, ndjsonItems, payloadTooLarge, type ReadItem } from './readers';
import { csvRowToRecord, type LineError, type RecordRules, validateRecord, type ValidRecord } from './record';
import { type BatchContext, SubjectBatchWriter } from './subject-batch.writer';

export const UPLOAD_MEDIA_TYPES = ['application/x-ndjson', 'text/csv', 'application/json'] as const;
type UploadFormat = 'ndjson' | 'csv' | 'json';
const FORMATS: Record<string, UploadFormat> = {
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'text/csv': 'csv',
  'application/json': 'json',
};
/** Errors listed in a response; the rest are only counted in `rejected`. */
export const MAX_REPORTED_ERRORS = 100;

class Tally {
  received = 0;
  inserted = 0;
  updated = 0;
  unchanged = 0;
  rejected = 0;
  errors: LineError[] = [];

  reject(e: LineError): void {
    this.rejected++;
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(e);
  }
}

@Injectable()
export class IngestService {
  private readonly rules: RecordRules;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly audiences: AudiencesService,
    private readonly writer: SubjectBatchWriter,
  ) {
    this.rules = {
      defaultPhoneCountry: config.privacy.defaultPhoneCountry,
      deniedTraitTerms: config.privacy.deniedTraitTerms,
      vendorId: config.privacy.vendorId,
    };
  }

  /**
   * Streams an upload into the audience in batches of config.upload.batchSize. While one batch is written, the
   * next is read and validated; reading then waits for that write (the for-await loop is the backpressure), so
   * at most two batches are in memory, writes stay in file order, and every batch written before a dropped
   * connection stays stored (the write in flight is awaited before answering); a re-send finds those unchanged.
   */
  async upload(auth: AuthContext, audienceId: string, req: Request): Promise<IngestResultDto> {
    const audience = await this.audiences.requireOwned(auth, audienceId);
    const format = this.formatOf(req);
    const { maxBytes, batchSize } = this.config.upload;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) throw payloadTooLarge(maxBytes);

    const body = limitBytes(req as AsyncIterable<Buffer>, maxBytes);
    const items: AsyncIterable<ReadItem> =
      format === 'ndjson' ? ndjsonItems(body) : format === 'csv' ? csvItems(body) : jsonArrayItems(body);
    const ctx: BatchContext = { audience, mode: 'replace', source: 'ingest' };
    const tally = new Tally();
    let batch: ValidRecord[] = [];
    let writing: Promise<void> | undefined;
    try {
      for await (const item of items) {
        tally.received++;
        if (item.error) {
          tally.reject({ line: item.line, ...item.error });
          continue;
        }
        const raw = format === 'csv' ? csvRowToRecord(item.value as Record<string, string>) : item.value;
        const rec = validateRecord(raw, item.line, this.rules);
        if ('code' in rec) tally.reject(rec);
        else batch.push(rec);
        if (batch.length >= batchSize) {
          await writing;
          writing = this.flush(ctx, batch, tally);
          // Observed by the next await; this only keeps a failure from counting as unhandled meanwhile.
          writing.catch(() => undefined);
          batch = [];
        }
      }
      await writing;
    } catch (e) {
      await writing?.catch(() => undefined);
      throw this.uploadError(e, req);
    }
    await this.flush(ctx, batch, tally);
    const { received, inserted, updated, unchanged, rejected, errors } = tally;
    return { received, inserted, updated, unchanged, rejected, errors: errors.sort((a, b) => a.line - b.line) };
  }

  /** Touchpoints from a site or app: merged into the subject (traits added, channel and time recorded). */
  async collect(auth: AuthContext, input: CollectDto): Promise<CollectResultDto> {
    const audience = await this.audiences.requireOwned(auth, input.audienceId);
    const tally = new Tally();
    const valid: ValidRecord[] = [];
    input.events.forEach((ev, i) => {
      const rec = validateRecord(ev, i + 1, this.rules, true);
      if ('code' in rec) tally.reject(rec);
      else valid.push(rec);
    });
    const ctx: BatchContext = { audience, mode: 'merge', source: 'collect' };
    for (let i = 0; i < valid.length; i += this.config.upload.batchSize) {
      await this.flush(ctx, valid.slice(i, i + this.config.upload.batchSize), tally);
    }
    return { accepted: input.events.length - tally.rejected, rejected: tally.rejected, errors: tally.errors.sort((a, b) => a.line - b.line) };
  }

  private async flush(ctx: BatchContext, batch: ValidRecord[], tally: Tally): Promise<void> {
    if (!batch.length) return;
    const res = await this.writer.write(ctx, batch);
    tally.inserted += res.inserted;
    tally.updated += res.updated;
    tally.unchanged += res.unchanged;
    res.errors.forEach((e) => tally.reject(e));
  }

  private formatOf(req: Request): UploadFormat {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = FORMATS[type];
    if (!format) {
      throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be one of ${UPLOAD_MEDIA_TYPES.join(', ')}`);
    }
    const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding is not supported');
    return format;
  }

  private uploadError(e: unknown, req: Request): unknown {
    if (e instanceof AppError) return e;
    // csv-parse wraps errors thrown from the header check.
    const cause = (e as { cause?: unknown })?.cause;
    if (cause instanceof AppError) return cause;
    if (req.destroyed || (e as NodeJS.ErrnoException)?.code === 'ECONNRESET' || (e as Error)?.message === 'aborted') {
      return AppError.badRequest('UPLOAD_ABORTED', 'The upload was interrupted; batches already written are kept');
    }
    return e;
  }
}

