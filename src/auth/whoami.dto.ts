import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ACCESS_LEVELS, Access } from './api-keys.config';

@ApiSchema({ name: 'KeyAccount', description: 'An account the key reaches' })
export class KeyAccountDto {
  @ApiProperty({ description: 'The account name', example: 'spinup' })
  name: string;

  @ApiProperty({
    description: 'The runners its jobs may use (`details.runner`), from the configuration',
    type: [String],
    example: ['instanceRunner', 'databaseRunner'],
  })
  runners: string[];
}

@ApiSchema({
  name: 'WhoAmI',
  description: 'The API key a request authenticated with, and what it may reach and do',
})
export class WhoAmIDto {
  @ApiProperty({
    description: 'The key name (`token` for the full-access token)',
    example: 'team-spinup',
  })
  name: string;

  @ApiProperty({
    description:
      '`read` (GET routes), `run` (read, run now, dry runs, pause and resume) or `write` (everything)',
    enum: ACCESS_LEVELS,
    example: 'write',
  })
  access: Access;

  @ApiProperty({
    description: 'The configured accounts the key reaches, by name',
    type: [KeyAccountDto],
  })
  accounts: KeyAccountDto[];

  @ApiPropertyOptional({
    description: 'The only groups the key reaches in those accounts; absent: every group',
    type: [String],
    example: ['nightly'],
  })
  groups?: string[];
}
