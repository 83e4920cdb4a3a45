import { mediaTypeMatches, parseMediaType, type MediaType } from './media-type.js';

// Responses carry a handful of distinct Content-Types; past this many, verdicts are not
// kept, so that a service inventing types cannot grow the map.
const VERDICTS_KEPT = 256;

/**
 * compress's includedContentTypes and excludedContentTypes: which response types may be
 * compressed. A Content-Type that does not parse may not. Verdicts are kept by the
 * header's text, so that a type is parsed once, not once per response.
 */
export class TypeFilter {
  readonly #includes: readonly MediaType[];
  readonly #excludes: readonly MediaType[];
  readonly #verdicts = new Map<string, boolean>();

  constructor(includes: readonly MediaType[], excludes: readonly MediaType[]) {
    this.#includes = includes;
    this.#excludes = excludes;
  }

  allows(contentType: string): boolean {
    const known = this.#verdicts.get(contentType);
    if (known !== undefined) return known;
    const verdict = this.#judge(contentType);
    if (this.#verdicts.size < VERDICTS_KEPT) this.#verdicts.set(contentType, verdict);
    return verdict;
  }

  #judge(contentType: string): boolean {
    const type = parseMediaType(contentType);
    if (type === undefined) return false;
    if (this.#includes.length > 0 && !this.#includes.some((pattern) => mediaTypeMatches(pattern, type))) {
      return false;
    }
    return !this.#excludes.some((pattern) => mediaTypeMatches(pattern, type));
  }
}
