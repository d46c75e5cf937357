import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { Listing } from '../listings/listing.schema';

/** Read-only access to listings for ordering; the listings module owns every write. */
@Injectable()
export class ListingsReader {
  constructor(@InjectModel(Listing.name) private readonly model: Model<Listing>) {}

  findById(id: string): Promise<Listing | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.model.findById(id).lean<Listing>().exec();
  }
}
