// Stack traces of the compiled build point into the sources (src/…/x.ts:line:col), as with
// `--enable-source-maps`, but a map is read only when a stack through its file is formatted.
// Node's own source-map support reads and indexes the map of every module it loads, at load time
// (enabling it later maps nothing already loaded): about a tenth of a CLI command's CPU for maps
// that are almost never needed.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Maps frames of files under `dir` (an absolute path ending in the separator) through the map
 * beside each file (`x.js.map`); every other frame, and any frame of a file without a readable
 * map, is printed exactly as V8 prints it. Keeps a stack trace's text otherwise as V8 makes it.
 */
export function installMappedStacks(dir) {
  const maps = new Map();
  const mapOf = (file) => {
    if (!maps.has(file)) {
      let map = null;
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        // No map (or an unreadable one): this file's frames stay as they are.
      }
      maps.set(file, map);
    }
    return maps.get(file);
  };
  const mapFrame = (site) => {
    const text = String(site);
    const name = site.getFileName();
    const line = site.getLineNumber();
    const col = site.getColumnNumber();
    if (!name || line == null || col == null) return text;
    const file = name.startsWith('file:') ? fileURLToPath(name) : name;
    if (!file.startsWith(dir)) return text;
    const map = mapOf(file);
    const at = map?.findEntry(line - 1, col - 1);
    if (!at?.originalSource) return text;
    const mapUrl = pathToFileURL(`${file}.map`);
    const source = fileURLToPath(new URL(at.originalSource, mapUrl));
    const where = `${name}:${line}:${col}`;
    const i = text.lastIndexOf(where);
    return i < 0 ? text : `${text.slice(0, i)}${source}:${at.originalLine + 1}:${at.originalColumn + 1}${text.slice(i + where.length)}`;
  };
  Error.prepareStackTrace = (err, sites) => {
    let head;
    try {
      head = Error.prototype.toString.call(err);
    } catch {
      head = '<error>';
    }
    return [head, ...sites.map((s) => `    at ${mapFrame(s)}`)].join('\n');
  };
}
