import { describe, expect, it } from 'vitest';
import { encodeWireForm } from '../../events/wire-form.js';

describe('encodeWireForm', () => {
  it('escapes every slash', () => {
    expect(encodeWireForm('http://www.vomo.test/project/x')).toBe(
      '"http:\\/\\/www.vomo.test\\/project\\/x"',
    );
  });

  it('escapes a non-ASCII character as lowercase \\u', () => {
    expect(encodeWireForm('José')).toBe('"Jos\\u00e9"');
  });

  it('escapes an astral character as a surrogate pair', () => {
    expect(encodeWireForm('😀')).toBe('"\\ud83d\\ude00"');
  });

  it('escapes every character above ASCII up to the end of the BMP', () => {
    expect(encodeWireForm('\u0080\u20ac\uffff')).toBe(
      '"\\u0080\\u20ac\\uffff"',
    );
  });

  it('escapes control characters as JSON.stringify does', () => {
    const text = '\b\f\n\r\t\u0000\u001f';

    expect(encodeWireForm(text)).toBe('"\\b\\f\\n\\r\\t\\u0000\\u001f"');
    expect(encodeWireForm(text)).toBe(JSON.stringify(text));
  });

  it('escapes quotes and backslashes', () => {
    expect(encodeWireForm('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
  });

  it('leaves the rest of ASCII as it is, DEL and HTML characters included', () => {
    expect(encodeWireForm("<a href='x'>&</a> ~\u007f")).toBe(
      '"<a href=\'x\'>&<\\/a> ~\u007f"',
    );
  });

  it('writes a whole float without its fraction', () => {
    expect(encodeWireForm(10.0)).toBe('10');
  });

  it.each([
    [33.0059709, '33.0059709'],
    [-96.7064243, '-96.7064243'],
    [0.1, '0.1'],
    [0.0001, '0.0001'],
    [123456789.12345, '123456789.12345'],
    [0, '0'],
    [-0, '-0'],
    [9_007_199_254_740_991, '9007199254740991'],
  ])('writes %d in shortest round-trip form', (value, expected) => {
    expect(encodeWireForm(value)).toBe(expected);
  });

  it.each([
    [1e17, '1.0e+17'],
    [1e25, '1.0e+25'],
    [-1.5e20, '-1.5e+20'],
    [1e-5, '1.0e-5'],
    [1.25e-7, '1.25e-7'],
  ])('writes %d in exponent form where PHP does', (value, expected) => {
    expect(encodeWireForm(value)).toBe(expected);
  });

  it('writes empty arrays and objects', () => {
    expect(encodeWireForm({ campaigns: [], address: {} })).toBe(
      '{"campaigns":[],"address":{}}',
    );
  });

  it('writes nested values with no whitespace at all', () => {
    const value = {
      type: 'project.created',
      organization_id: 1,
      data: { owners: [{ id: 1, is_primary_owner: 1 }], draft: false },
      note: null,
      list: [true, 'a b', [1, 2]],
    };

    expect(encodeWireForm(value)).toBe(
      '{"type":"project.created","organization_id":1,' +
        '"data":{"owners":[{"id":1,"is_primary_owner":1}],"draft":false},' +
        '"note":null,"list":[true,"a b",[1,2]]}',
    );
  });

  it('escapes object keys like strings', () => {
    expect(encodeWireForm({ 'a/b': 'é' })).toBe('{"a\\/b":"\\u00e9"}');
  });

  it('agrees with JSON.stringify on ASCII without slashes', () => {
    const value = { a: [1, 2.5, -3], b: { c: 'text "quoted"' }, d: null };

    expect(encodeWireForm(value)).toBe(JSON.stringify(value));
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a bigint', 1n],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a Date', new Date(0)],
    ['a nested undefined', { a: undefined }],
  ])('refuses %s, which PHP could not have sent', (_, value) => {
    expect(() => encodeWireForm(value)).toThrow(TypeError);
  });
});
