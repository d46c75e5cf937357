import { Global, Module } from '@nestjs/common';
import { StateClaims } from './state-claims';

@Global()
@Module({ providers: [StateClaims], exports: [StateClaims] })
export class CommonModule {}
