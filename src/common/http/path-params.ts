import { ApiProperty } from '@nestjs/swagger';
import { SAFE_SEGMENT_PATTERN, SAFE_SEGMENT_RULE } from '../safe-segment';
import { SegmentParams } from '../pipes/segment-params';
import { IsSafeSegment } from '../validators/is-safe-segment.validator';

/** The same rule as the validator, for the OpenAPI document (the 256-byte limit is in words). */
const SEGMENT = { pattern: SAFE_SEGMENT_PATTERN.source, minLength: 1, maxLength: 256 };

@SegmentParams('account')
export class AccountParams {
  @ApiProperty({
    description: `Account name from the configuration; ${SAFE_SEGMENT_RULE}`,
    example: 'local',
    ...SEGMENT,
  })
  @IsSafeSegment()
  account: string;
}

@SegmentParams('account', 'group')
export class GroupParams extends AccountParams {
  @ApiProperty({
    description: `Job group (a space); ${SAFE_SEGMENT_RULE}`,
    example: 'space-xy',
    ...SEGMENT,
  })
  @IsSafeSegment()
  group: string;
}

@SegmentParams('account', 'group', 'id')
export class JobParams extends GroupParams {
  @ApiProperty({
    description: `Job id (a UUID assigned at creation); ${SAFE_SEGMENT_RULE}`,
    example: '6bcfa79f-615e-470d-97c1-687f3357497d',
    ...SEGMENT,
  })
  @IsSafeSegment()
  id: string;
}
