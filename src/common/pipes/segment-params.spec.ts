import { BadRequestException } from '@nestjs/common';
import * as classValidator from 'class-validator';
import { AccountParams, GroupParams, JobParams } from '../http/path-params';
import { LenientValidationPipe } from './lenient-validation.pipe';
import { segmentParamKeys, validSegmentParams } from './segment-params';

const pipe = new LenientValidationPipe();
const asParam = (metatype: unknown) => ({ type: 'param' as const, metatype: metatype as never });

describe('segment params fast path', () => {
  afterEach(() => jest.restoreAllMocks());

  it('builds valid path params without class-validator, as an instance of the class', async () => {
    const validate = jest.spyOn(classValidator, 'validate');
    const params = await pipe.transform(
      { account: 'a', group: 'g', id: 'job-1' },
      asParam(JobParams),
    );
    expect(params).toBeInstanceOf(JobParams);
    expect({ ...(params as object) }).toEqual({ account: 'a', group: 'g', id: 'job-1' });
    expect(validate).not.toHaveBeenCalled();
  });

  it('keeps only the listed keys', () => {
    expect({
      ...validSegmentParams(GroupParams, { account: 'a', group: 'g', extra: 'x' }),
    }).toEqual({
      account: 'a',
      group: 'g',
    });
  });

  it('leaves anything invalid to class-validator, for its message naming the parameter', async () => {
    expect(validSegmentParams(JobParams, { account: 'a', group: '..', id: 'x' })).toBeUndefined();
    expect(validSegmentParams(JobParams, { account: 'a', group: 'g' })).toBeUndefined();
    const validate = jest.spyOn(classValidator, 'validate');
    const refused = pipe.transform({ account: 'a', group: '..', id: 'x' }, asParam(JobParams));
    await expect(refused).rejects.toBeInstanceOf(BadRequestException);
    await expect(refused).rejects.toThrow(/group/);
    // The spy sees class-validator when it runs (so the first test's "not called" means something).
    expect(validate).toHaveBeenCalled();
  });

  it.each([AccountParams, GroupParams, JobParams])(
    '%p is marked with exactly the properties class-validator checks',
    (cls) => {
      const validated = classValidator
        .getMetadataStorage()
        .getTargetValidationMetadatas(cls, '', true, false)
        .map((m) => m.propertyName);
      expect([...(segmentParamKeys(cls) ?? [])].sort()).toEqual([...new Set(validated)].sort());
    },
  );

  it('does nothing for classes not marked', () => {
    class Other {}
    expect(validSegmentParams(Other, { account: 'a' })).toBeUndefined();
  });
});
