import { parse as parseYaml, YAMLParseError } from 'yaml';

/**
 * YAML text a person wrote (the town config, the county list, a reviewed plan matrix), parsed with
 * one Chinese line when it is not YAML: `<what> <path> 第 N 行不是合法的 YAML：…`. `fail` makes the
 * caller's own error class, so each file type keeps its exit code.
 */
export function parseYamlText(text: string, what: string, fail: (message: string) => Error): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? `第 ${e.linePos[0].line} 行` : '';
    throw fail(`${what} ${where}不是合法的 YAML：${(e as Error).message.split('\n')[0]}`);
  }
}

/** A validation issue's path as a person reads it: `members[2].unit`, or (根) for the whole file. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(根)';
}
