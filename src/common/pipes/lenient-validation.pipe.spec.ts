import { BadRequestException } from '@nestjs/common';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { Type } from 'class-transformer';
import { LenientValidationPipe } from './lenient-validation.pipe';

class OptionalQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;

  @IsOptional()
  @IsString()
  name?: string;
}

class RequiredQuery {
  @IsString()
  name: string;
}

const query = (metatype: new () => object) => ({ type: 'query' as const, metatype });

describe('LenientValidationPipe', () => {
  it('answers an empty query string as the full validation does, a new instance each time', async () => {
    const pipe = new LenientValidationPipe();
    const first = (await pipe.transform({}, query(OptionalQuery))) as OptionalQuery;
    expect(first).toBeInstanceOf(OptionalQuery);
    // What class-transformer makes of `{}`: an instance with nothing set.
    expect(first).toEqual(new OptionalQuery());
    first.name = 'changed by a handler';
    const second = (await pipe.transform(
      Object.create(null),
      query(OptionalQuery),
    )) as OptionalQuery;
    expect(second).toBeInstanceOf(OptionalQuery);
    expect(second).not.toBe(first);
    expect(second.name).toBeUndefined();
  });

  it('still refuses an empty query string where a field is required, every time', async () => {
    const pipe = new LenientValidationPipe();
    for (let i = 0; i < 2; i++) {
      await expect(pipe.transform({}, query(RequiredQuery))).rejects.toThrow(BadRequestException);
    }
  });

  it('validates a query string that is not empty', async () => {
    const pipe = new LenientValidationPipe();
    await pipe.transform({}, query(OptionalQuery));
    expect(await pipe.transform({ LIMIT: '5' }, query(OptionalQuery))).toEqual(
      Object.assign(new OptionalQuery(), { limit: 5 }),
    );
    await expect(pipe.transform({ limit: 'x' }, query(OptionalQuery))).rejects.toThrow(
      'limit must be an integer number',
    );
  });
});
