import { ApiProperty } from '@nestjs/swagger';
import { SAFE_SEGMENT_PATTERN } from '../../common/safe-segment';
import { IsSafeSegment } from '../../common/validators/is-safe-segment.validator';

/** The same rule as the validator, for the OpenAPI document. */
const SEGMENT = SAFE_SEGMENT_PATTERN.source;

export class AccountParams {
  @ApiProperty({
    description: 'Account name from the configuration',
    example: 'local',
    pattern: SEGMENT,
  })
  @IsSafeSegment()
  account: string;
}

export class GroupParams extends AccountParams {
  @ApiProperty({ description: 'Job group (a space)', example: 'space-xy', pattern: SEGMENT })
  @IsSafeSegment()
  group: string;
}

export class JobParams extends GroupParams {
  @ApiProperty({
    description: 'Job id (a UUID assigned at creation)',
    example: '6bcfa79f-615e-470d-97c1-687f3357497d',
    pattern: SEGMENT,
  })
  @IsSafeSegment()
  id: string;
}
