import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Types } from 'mongoose';
import { AppError } from './app-error';
import { op } from './trusted';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function PageOf<T>(item: new (...args: any[]) => T) {
  class PageDto {
    @ApiProperty({ type: item, isArray: true }) items: T[];
    @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
  }
  Object.defineProperty(PageDto, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  return PageDto;
}

/**
 * Keyset pagination over (sortField, _id). The cursor carries the last item's sort value and id, so
 * pages stay stable when documents are inserted while a client walks them.
 */
export interface KeysetSort {
  field: string;
  direction: 1 | -1;
}

interface CursorPayload {
  v: unknown;
  id: string;
  t?: 'date';
}

export function encodeCursor(sortValue: unknown, id: Types.ObjectId | string): string {
  const payload: CursorPayload =
    sortValue instanceof Date ? { v: sortValue.toISOString(), id: String(id), t: 'date' } : { v: sortValue, id: String(id) };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function decodeCursor(cursor: string): { v: unknown; id: Types.ObjectId } {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPayload;
    if (!p || typeof p.id !== 'string' || !Types.ObjectId.isValid(p.id)) throw new Error('bad id');
    if (p.v !== null && !['string', 'number', 'boolean'].includes(typeof p.v)) throw new Error('bad value');
    const v = p.t === 'date' ? new Date(String(p.v)) : p.v;
    return { v, id: new Types.ObjectId(p.id) };
  } catch {
    throw AppError.badRequest('INVALID_CURSOR', 'The cursor is not valid');
  }
}

/** The filter and sort for the page after `cursor`. */
export function keysetQuery(sort: KeysetSort, cursor?: string): { filter: Record<string, unknown>; sort: Record<string, 1 | -1> } {
  const mongoSort: Record<string, 1 | -1> =
    sort.field === '_id' ? { _id: sort.direction } : { [sort.field]: sort.direction, _id: sort.direction };
  if (!cursor) return { filter: {}, sort: mongoSort };
  const { v, id } = decodeCursor(cursor);
  const cmp = sort.direction === 1 ? '$gt' : '$lt';
  if (sort.field === '_id') return { filter: { _id: op({ [cmp]: id }) }, sort: mongoSort };
  return {
    filter: { $or: [{ [sort.field]: op({ [cmp]: v }) }, { [sort.field]: v, _id: op({ [cmp]: id }) }] },
    sort: mongoSort,
  };
}

/** Turns `limit + 1` fetched documents into a page; the extra one only says whether a next page exists. */
export function toPage<D extends { _id: Types.ObjectId }, T>(
  docs: D[],
  limit: number,
  sort: KeysetSort,
  map: (d: D) => T,
): Page<T> {
  const hasMore = docs.length > limit;
  const pageDocs = hasMore ? docs.slice(0, limit) : docs;
  const last = pageDocs[pageDocs.length - 1];
  const nextCursor = hasMore && last ? encodeCursor(getPath(last, sort.field), last._id) : null;
  return { items: pageDocs.map(map), nextCursor };
}

function getPath(doc: unknown, path: string): unknown {
  return path.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), doc);
}

export const DEFAULT_PAGE_LIMIT = 20;
