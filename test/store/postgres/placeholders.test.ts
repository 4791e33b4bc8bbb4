import { describe, expect, it } from 'vitest';
import { bindParams, PlaceholderError, translatePlaceholders } from '../../../store/postgres/placeholders.js';

describe('translatePlaceholders', () => {
  it('numbers ? placeholders in order', () => {
    expect(translatePlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?) LIMIT ?')).toEqual({
      text: 'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) LIMIT $4',
      shape: { kind: 'positional', count: 4 },
    });
  });

  it('maps @name to one $n per distinct name', () => {
    expect(translatePlaceholders('UPDATE t SET a = @a, b = @b_2 WHERE a <> @a')).toEqual({
      text: 'UPDATE t SET a = $1, b = $2 WHERE a <> $1',
      shape: { kind: 'named', names: ['a', 'b_2'] },
    });
  });

  it('leaves literals, quoted identifiers, comments and dollar bodies alone', () => {
    const sql = [
      "SELECT 'what? @x' AS q, 'it''s ?' AS r, E'\\' ?' AS e,",
      ' "odd?@col" , ? -- trailing ? @c',
      ' /* block ? /* nested @n */ still ? */ FROM t WHERE x = $$ ? @d $$ AND y = $q$?$q$ AND z = @z',
    ].join('\n');
    const out = translatePlaceholders(sql.replace('@z', '?'));
    expect(out.shape).toEqual({ kind: 'positional', count: 2 });
    expect(out.text).toBe(
      [
        "SELECT 'what? @x' AS q, 'it''s ?' AS r, E'\\' ?' AS e,",
        ' "odd?@col" , $1 -- trailing ? @c',
        ' /* block ? /* nested @n */ still ? */ FROM t WHERE x = $$ ? @d $$ AND y = $q$?$q$ AND z = $2',
      ].join('\n'),
    );
  });

  it('keeps casts, native $n and operators', () => {
    expect(translatePlaceholders('SELECT a::text, $1, x @> y FROM t').text).toBe('SELECT a::text, $1, x @> y FROM t');
    expect(translatePlaceholders('SELECT a::text FROM t').shape).toEqual({ kind: 'none' });
  });

  it('strips the SQLite hint INDEXED BY, and only as a whole word', () => {
    expect(translatePlaceholders('SELECT id FROM outbox INDEXED BY outbox_due WHERE a = ?').text).toBe(
      'SELECT id FROM outbox  WHERE a = $1',
    );
    expect(translatePlaceholders('SELECT reindexed FROM t indexed  by "Odd idx" ORDER BY 1').text).toBe('SELECT reindexed FROM t  ORDER BY 1');
    expect(translatePlaceholders("SELECT 'INDEXED BY x' AS s").text).toBe("SELECT 'INDEXED BY x' AS s");
  });

  it('refuses to mix ? and @name', () => {
    expect(() => translatePlaceholders('SELECT ? , @a')).toThrow(PlaceholderError);
  });
});

describe('bindParams', () => {
  it('turns undefined into null and bigint into text, keeps booleans', () => {
    expect(bindParams({ kind: 'positional', count: 4 }, [undefined, 12n, true, 'x'])).toEqual([null, '12', true, 'x']);
  });

  it('reads named values from the one object argument', () => {
    expect(bindParams({ kind: 'named', names: ['b', 'a'] }, [{ a: 1, b: undefined }])).toEqual([null, 1]);
    expect(() => bindParams({ kind: 'named', names: ['a'] }, [{}])).toThrow(/@a/);
    expect(() => bindParams({ kind: 'named', names: ['a'] }, [1])).toThrow(TypeError);
  });
});
