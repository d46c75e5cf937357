import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { DeliveriesService } from './deliveries.service';
import { CreateDeliveryDto, DeliveryDto, DownloadQuery, ManifestDto, VerifyDto, VerifyResultDto } from './dto/delivery.dto';

@ApiTags('Deliveries')
@Controller()
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Post('v1/orders/:id/deliveries')
  @Authenticated({ roles: ['advertiser'] })
  @ApiCreatedResponse({ type: DeliveryDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Not this buyer\'s order' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LICENSE_NOT_ACTIVE: unpaid, refunded, disputed or expired' })
  create(@Auth() auth: AuthContext, @Param() { id }: IdParam, @Body() body: CreateDeliveryDto): Promise<DeliveryDto> {
    return this.deliveries.create(auth, id, body);
  }

  @Get('v1/deliveries/:id')
  @Authenticated({ roles: ['advertiser'] })
  @ApiOkResponse({ type: DeliveryDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<DeliveryDto> {
    return this.deliveries.get(auth, id);
  }

  @Get('v1/deliveries/:id/manifest')
  @Authenticated({ roles: ['advertiser'] })
  @ApiOkResponse({ type: ManifestDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  manifest(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<ManifestDto> {
    return this.deliveries.manifest(auth, id);
  }

  @Get('v1/deliveries/:id/download')
  @Authenticated({ roles: ['advertiser'], signedLink: true })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: 'The delivery file, streamed (NDJSON or CSV). Bearer token of the buyer, or ?token= from a signed link.',
    content: {
      'application/x-ndjson': { schema: { type: 'string', format: 'binary' } },
      'text/csv': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'LICENSE_NOT_ACTIVE' })
  async download(
    @Auth() auth: AuthContext | undefined,
    @Param() { id }: IdParam,
    @Query() { token }: DownloadQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const file = await this.deliveries.openDownload(auth, id, token);
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    return new StreamableFile(file.stream, { type: file.contentType });
  }

  @Post('v1/deliveries/:id/verify')
  @HttpCode(200)
  @Authenticated({ roles: ['advertiser', 'admin'] })
  @ApiOkResponse({ type: VerifyResultDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  verify(@Auth() auth: AuthContext, @Param() { id }: IdParam, @Body() body: VerifyDto): Promise<VerifyResultDto> {
    return this.deliveries.verify(auth, id, body.subjectKey);
  }
}
