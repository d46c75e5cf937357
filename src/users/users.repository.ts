import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import type { Role } from '../common/auth.decorators';
import { User } from './user.schema';
import { StateClaims } from '../common/state-claims';

@Injectable()
export class UsersRepository {
  constructor(
    @InjectModel(User.name) private readonly model: Model<User>,
    private readonly claims: StateClaims,
  ) {}

  async create(input: { orgId: Types.ObjectId; email: string; passwordHash: string; role: Role }): Promise<User> {
    const doc = await this.model.create(input);
    return doc.toObject();
  }

  findByEmail(email: string): Promise<User | null> {
    return this.model.findOne({ email: email.trim().toLowerCase() }).lean<User>().exec();
  }

  findById(id: string | Types.ObjectId): Promise<User | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.model.findById(id).lean<User>().exec();
  }

  /** Moves a user between states only from the expected one; null when it was not in that state. */
  transitionStatus(id: string, from: User['status'], to: User['status']): Promise<User | null> {
    return this.claims.transition(this.model, { _id: id, status: from }, { $set: { status: to } });
  }

  countActiveByOrgIds(): Promise<number> {
    return this.model.countDocuments({ status: 'active' }).exec();
  }
}
