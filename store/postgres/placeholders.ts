/**
 * Rewrites the SQLite-flavoured SQL of store/sql into PostgreSQL's: `?` and `@name` placeholders
 * become `$n`, and the SQLite planner hint `INDEXED BY <index>` is dropped. Text inside string
 * literals, quoted identifiers, dollar-quoted bodies and comments is copied untouched, so a `?`
 * or `@` in data or prose is never mistaken for a parameter. Elsewhere every `?` is a parameter,
 * so PostgreSQL's jsonb `?`/`?|`/`?&` operators need PgDb.query() with native `$n` instead.
 */

/** How the arguments of a statement map onto `$1..$n`. */
export type ParamShape =
  | { kind: 'none' }
  | { kind: 'positional'; count: number }
  /** `names[i]` is the property of the single argument object that becomes `$(i+1)`. */
  | { kind: 'named'; names: string[] };

export interface TranslatedSql {
  text: string;
  shape: ParamShape;
}

/** Thrown at prepare time when one statement mixes `?` with `@name` (the adapter cannot bind both). */
export class PlaceholderError extends Error {
  override name = 'PlaceholderError';
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const INDEXED_BY = /^INDEXED\s+BY\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)/i;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

export function translatePlaceholders(sql: string): TranslatedSql {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  const index = new Map<string, number>();
  let i = 0;
  const n = sql.length;

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];

    // String literal; E'…' strings also honour backslash escapes.
    if (c === "'") {
      const escapes = i > 0 && /[Ee]/.test(sql[i - 1]!) && (i < 2 || !IDENT_PART.test(sql[i - 2]!));
      const end = scanQuoted(sql, i, "'", escapes);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '"') {
      const end = scanQuoted(sql, i, '"', false);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl === -1 ? n : nl;
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = scanBlockComment(sql, i);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '$') {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64));
      // `$1` is a native placeholder, `$tag$`/`$$` opens a dollar-quoted body.
      if (tag && (i === 0 || !IDENT_PART.test(sql[i - 1]!))) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? n : close + tag[0].length;
        out += sql.slice(i, end);
        i = end;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === '?') {
      positional++;
      out += `$${positional}`;
      i++;
      continue;
    }
    if (c === '@' && next !== undefined && IDENT_START.test(next)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(sql[j]!)) j++;
      const name = sql.slice(i + 1, j);
      let k = index.get(name);
      if (k === undefined) {
        names.push(name);
        k = names.length;
        index.set(name, k);
      }
      out += `$${k}`;
      i = j;
      continue;
    }
    if ((c === 'I' || c === 'i') && (i === 0 || !IDENT_PART.test(sql[i - 1]!))) {
      const m = INDEXED_BY.exec(sql.slice(i, i + 200));
      if (m) {
        i += m[0].length;
        continue;
      }
    }
    // Copy a whole identifier at once so `INDEXED` is only recognised at a word start.
    if (IDENT_PART.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(sql[j]!)) j++;
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    out += c;
    i++;
  }

  if (positional > 0 && names.length > 0) {
    throw new PlaceholderError(`SQL mixes ? and @name placeholders: ${sql.slice(0, 120)}`);
  }
  if (names.length > 0) return { text: out, shape: { kind: 'named', names } };
  if (positional > 0) return { text: out, shape: { kind: 'positional', count: positional } };
  return { text: out, shape: { kind: 'none' } };
}

/** Index just past the closing quote; a doubled quote is an escaped one. Unterminated runs to the end. */
function scanQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** PostgreSQL block comments nest. */
function scanBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/**
 * The `$1..$n` values for one call of a statement, in the form `pg` sends best: undefined → null,
 * bigint → its decimal text (pg cannot serialise bigint). Named statements take one object argument.
 */
export function bindParams(shape: ParamShape, args: readonly unknown[]): unknown[] {
  switch (shape.kind) {
    case 'none':
      return [];
    case 'positional':
      return args.map(toPgValue);
    case 'named': {
      const obj = args[0];
      if (obj === null || typeof obj !== 'object') {
        throw new TypeError(`Named parameters (@${shape.names[0]}) need one object argument`);
      }
      const rec = obj as Record<string, unknown>;
      return shape.names.map((name) => {
        if (!(name in rec)) throw new RangeError(`Missing named parameter @${name}`);
        return toPgValue(rec[name]);
      });
    }
  }
}

function toPgValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  return v;
}
