/**
 * URI matching policies for subscriptions and registrations (advanced profile:
 * pubsub_pattern_based_subscription, rpc_pattern_based_registration): `exact`, `prefix` and
 * `wildcard` (empty URI components match any one component).
 */

export type MatchPolicy = "exact" | "prefix" | "wildcard";

/** True when `uri` matches `pattern` under `policy`. */
export function uriMatches(policy: MatchPolicy, pattern: string, uri: string): boolean {
  switch (policy) {
    case "exact":
      return pattern === uri;
    case "prefix":
      return uri.startsWith(pattern);
    case "wildcard":
      return wildcardMatches(pattern, uri);
  }
}

function wildcardMatches(pattern: string, uri: string): boolean {
  let p = 0;
  let u = 0;
  // Walk both URIs component by component without splitting (no allocation).
  while (true) {
    const pEnd = indexOrEnd(pattern, p);
    const uEnd = indexOrEnd(uri, u);
    if (pEnd !== p) {
      if (pEnd - p !== uEnd - u) return false;
      for (let i = 0; i < pEnd - p; i++)
        if (pattern.charCodeAt(p + i) !== uri.charCodeAt(u + i)) return false;
    } else if (uEnd === u) {
      // an empty pattern component matches one non-empty component only
      return false;
    }
    const pDone = pEnd === pattern.length;
    const uDone = uEnd === uri.length;
    if (pDone || uDone) return pDone && uDone;
    p = pEnd + 1;
    u = uEnd + 1;
  }
}

function indexOrEnd(s: string, from: number): number {
  const i = s.indexOf(".", from);
  return i === -1 ? s.length : i;
}

/**
 * A set of patterns under the three policies, each with a value. Exact lookups are one Map access;
 * prefix and wildcard patterns are scanned (deployments have few of them).
 */
export class PatternTable<V> {
  private readonly exact = new Map<string, V>();
  private readonly prefix = new Map<string, V>();
  private readonly wildcard = new Map<string, V>();

  private tableOf(policy: MatchPolicy): Map<string, V> {
    return policy === "exact" ? this.exact : policy === "prefix" ? this.prefix : this.wildcard;
  }

  get(policy: MatchPolicy, pattern: string): V | undefined {
    return this.tableOf(policy).get(pattern);
  }

  set(policy: MatchPolicy, pattern: string, value: V): void {
    this.tableOf(policy).set(pattern, value);
  }

  delete(policy: MatchPolicy, pattern: string): void {
    this.tableOf(policy).delete(pattern);
  }

  /** Every value whose pattern matches `uri`: exact first, then prefix, then wildcard. */
  collect(uri: string, out: V[]): V[] {
    const hit = this.exact.get(uri);
    if (hit !== undefined) out.push(hit);
    if (this.prefix.size > 0) for (const [p, v] of this.prefix) if (uri.startsWith(p)) out.push(v);
    if (this.wildcard.size > 0) for (const [p, v] of this.wildcard) if (wildcardMatches(p, uri)) out.push(v);
    return out;
  }

  /**
   * The single best match for a call (rpc_pattern_based_registration: exact wins, then the longest
   * prefix, then the wildcard pattern with the longest portions before its wildcards).
   */
  best(uri: string): V | undefined {
    const hit = this.exact.get(uri);
    if (hit !== undefined) return hit;
    let best: V | undefined;
    let bestLen = -1;
    for (const [p, v] of this.prefix) {
      if (p.length > bestLen && uri.startsWith(p)) {
        best = v;
        bestLen = p.length;
      }
    }
    if (best !== undefined) return best;
    let bestPattern: string | undefined;
    for (const [p, v] of this.wildcard) {
      if (!wildcardMatches(p, uri)) continue;
      if (bestPattern === undefined || moreSpecific(p, bestPattern)) {
        best = v;
        bestPattern = p;
      }
    }
    return best;
  }

  values(): IterableIterator<V> {
    return [...this.exact.values(), ...this.prefix.values(), ...this.wildcard.values()][Symbol.iterator]();
  }
}

/**
 * True when wildcard pattern `a` beats `b` for a URI both match (so both have its number of
 * components): at the first component where one is literal and the other a wildcard, the literal
 * one wins. That is rpc_pattern_based_registration's "longest portion of URI components matched
 * before each wildcard", compared portion by portion (`a1.b2..d4.e5..g7` beats `a1.b2..d4..f6.g7`).
 */
function moreSpecific(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  while (i <= a.length && j <= b.length) {
    const aEnd = indexOrEnd(a, i);
    const bEnd = indexOrEnd(b, j);
    const aWild = aEnd === i;
    if (aWild !== (bEnd === j)) return !aWild;
    i = aEnd + 1;
    j = bEnd + 1;
  }
  return false;
}
