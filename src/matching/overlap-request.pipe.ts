import { Injectable, type PipeTransform } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '../config/config';
import { type OverlapRequest, parseOverlapRequest } from './dto/overlap.dto';

/** Parses the overlap body (the global ValidationPipe leaves it alone: the parameter is not a DTO class). */
@Injectable()
export class OverlapRequestPipe implements PipeTransform<unknown, OverlapRequest> {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  transform(body: unknown): OverlapRequest {
    return parseOverlapRequest(body, this.config.matching.overlapMaxIdentifiers);
  }
}
