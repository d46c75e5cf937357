import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { Organization, type OrganizationKind } from './organization.schema';
import { op } from '../common/trusted';

@Injectable()
export class OrganizationsRepository {
  constructor(@InjectModel(Organization.name) private readonly model: Model<Organization>) {}

  create(name: string, kind: OrganizationKind): Promise<Organization> {
    return this.model.create({ name, kind }).then((d) => d.toObject());
  }

  findById(id: string | Types.ObjectId): Promise<Organization | null> {
    return this.model.findById(id).lean<Organization>().exec();
  }

  findByIds(ids: (string | Types.ObjectId)[]): Promise<Organization[]> {
    return this.model.find({ _id: op({ $in: ids }) }).lean<Organization[]>().exec();
  }

  findByStripeAccountId(accountId: string): Promise<Organization | null> {
    return this.model.findOne({ stripeAccountId: accountId }).lean<Organization>().exec();
  }

  /** Sets the Connect account once; a concurrent second call keeps the first account. */
  async setStripeAccountIfMissing(id: Types.ObjectId | string, accountId: string): Promise<Organization | null> {
    return this.model
      .findOneAndUpdate({ _id: id, stripeAccountId: op({ $exists: false }) }, { $set: { stripeAccountId: accountId } }, { returnDocument: 'after' })
      .lean<Organization>()
      .exec();
  }

  updatePayoutState(accountId: string, chargesEnabled: boolean, payoutsEnabled: boolean): Promise<unknown> {
    return this.model.updateOne({ stripeAccountId: accountId }, { $set: { chargesEnabled, payoutsEnabled } }).exec();
  }

  setWebhookUrl(id: Types.ObjectId | string, url: string | null): Promise<unknown> {
    return this.model.updateOne({ _id: id }, url ? { $set: { webhookUrl: url } } : { $unset: { webhookUrl: 1 } }).exec();
  }

  findPlatform(): Promise<Organization | null> {
    return this.model.findOne({ kind: 'platform' }).lean<Organization>().exec();
  }
}
