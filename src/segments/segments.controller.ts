import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, Authenticated } from '../common/auth.decorators';
import { ErrorBodyDto } from '../common/error-body.dto';
import { IdParam } from '../common/id-param.dto';
import { PageQuery } from '../common/pagination';
import { CreateSegmentDto, SegmentDto, SegmentPageDto } from './dto/segment.dto';
import { SegmentsService } from './segments.service';

@ApiTags('Segments')
@Controller('v1/segments')
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Post()
  @Authenticated({ roles: ['publisher'] })
  @ApiCreatedResponse({ type: SegmentDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'VALIDATION_FAILED, INVALID_RULE, UNKNOWN_TRAIT, SENSITIVE_TRAIT' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'AUDIENCE_NOT_FOUND' })
  create(@Auth() auth: AuthContext, @Body() body: CreateSegmentDto): Promise<SegmentDto> {
    return this.segments.create(auth, body);
  }

  @Get()
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: SegmentPageDto })
  list(@Auth() auth: AuthContext, @Query() q: PageQuery): Promise<SegmentPageDto> {
    return this.segments.list(auth, q);
  }

  @Get(':id')
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: SegmentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<SegmentDto> {
    return this.segments.get(auth, id);
  }

  @Post(':id/refresh')
  @HttpCode(200)
  @Authenticated({ roles: ['publisher'] })
  @ApiOkResponse({ type: SegmentDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  refresh(@Auth() auth: AuthContext, @Param() { id }: IdParam): Promise<SegmentDto> {
    return this.segments.refresh(auth, id);
  }
}
