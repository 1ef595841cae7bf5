import { describe, expect, it } from 'vitest';
import { httpVariables } from './http-variables';

describe('httpVariables', () => {
  it('should name each header HTTP_<NAME> with dashes as underscores', () => {
    expect(
      httpVariables([
        ['User-Agent', 'curl'],
        ['x-forwarded-for', '1.2.3.4'],
      ]),
    ).toEqual({
      HTTP_USER_AGENT: 'curl',
      HTTP_X_FORWARDED_FOR: '1.2.3.4',
    });
  });

  it('should join repeated fields with ", " in order, and Cookie with "; "', () => {
    expect(
      httpVariables([
        ['X-Rep', 'first'],
        ['x-rep', 'second'],
        ['Cookie', 'a=1'],
        ['cookie', 'b=2'],
      ]),
    ).toEqual({
      HTTP_X_REP: 'first, second',
      HTTP_COOKIE: 'a=1; b=2',
    });
  });

  it('should leave Content-Type and Content-Length to CONTENT_TYPE and CONTENT_LENGTH', () => {
    expect(
      httpVariables([
        ['Content-Type', 'text/plain'],
        ['Content-Length', '3'],
      ]),
    ).toEqual({});
  });

  it('should leave out names with underscores, which would collide with their dashed twins', () => {
    expect(
      httpVariables([
        ['X-Auth_User', 'mallory'],
        ['X-Auth-User', 'alice'],
      ]),
    ).toEqual({ HTTP_X_AUTH_USER: 'alice' });
  });

  it('should map names it has seen before as the first time, past the names it keeps', () => {
    const many = Array.from({ length: 1_100 }, (_, i) => [`X-Name-${i}`, String(i)] as const);
    const first = httpVariables([...many, ['X-Auth_User', 'mallory'], ['Content-Type', 'text/plain']]);
    const again = httpVariables([...many, ['X-Auth_User', 'mallory'], ['Content-Type', 'text/plain']]);
    expect(again).toEqual(first);
    expect(Object.keys(again)).toHaveLength(1_100);
    expect(again['HTTP_X_NAME_1099']).toBe('1099');
  });
});
