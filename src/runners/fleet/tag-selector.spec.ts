import { InvalidFieldError } from '../../common/errors';
import { matchesSelector, parseTagSelector } from './tag-selector';

const parse = (text: string) => parseTagSelector({ tag_selector: text });

describe('parseTagSelector', () => {
  it('reads conditions separated by ";", a value list by ",", in one canonical form', () => {
    const s = parse(' Schedule = office-hours ; Env=staging,dev ');
    expect(s?.conditions).toEqual([
      { key: 'Env', values: ['dev', 'staging'] },
      { key: 'Schedule', values: ['office-hours'] },
    ]);
    expect(s?.text).toBe('Env=dev,staging;Schedule=office-hours');
  });

  it('splits at the first "=": a value may hold one', () => {
    expect(parse('expr=a=b')?.conditions).toEqual([{ key: 'expr', values: ['a=b'] }]);
  });

  it('is undefined without the detail', () => {
    expect(parseTagSelector({})).toBeUndefined();
  });

  it.each([
    ['', 'is empty'],
    ['  ;  ', 'is empty'],
    ['Schedule', 'is not key=value'],
    ['=x', 'is not key=value'],
    ['a=1;a=2', 'a key appears twice'],
    [Array.from({ length: 11 }, (_, i) => `k${i}=v`).join(';'), 'at most 10 conditions'],
    [`k=${Array.from({ length: 21 }, (_, i) => i).join(',')}`, 'at most 20 values'],
    [`${'k'.repeat(129)}=v`, 'longer than 128'],
  ])('refuses %j naming the detail (%s)', (text, why) => {
    let error: unknown;
    try {
      parse(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidFieldError);
    expect((error as Error).message).toMatch(/^job\.details\.tag_selector: /);
    expect((error as Error).message).toContain(why);
  });
});

describe('matchesSelector', () => {
  const s = parse('Schedule=office-hours;Env=dev,staging')!;
  it('needs every condition, any value of a list', () => {
    expect(matchesSelector({ Schedule: 'office-hours', Env: 'dev', X: '1' }, s)).toBe(true);
    expect(matchesSelector({ Schedule: 'office-hours', Env: 'staging' }, s)).toBe(true);
    expect(matchesSelector({ Schedule: 'office-hours', Env: 'prod' }, s)).toBe(false);
    expect(matchesSelector({ Schedule: 'office-hours' }, s)).toBe(false);
  });
});
