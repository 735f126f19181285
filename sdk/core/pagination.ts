/**
 * Paging rules for the list endpoints (docs/api.md, decision 2 of the API contract).
 *
 * - A page with a `next` URL: follow it, but only on the base URL's origin (scheme, host and
 *   port), so the Authorization header never travels to a host the user did not configure.
 * - A page with `next: null`: the last page.
 * - A page with no `next` key at all (platforms that do not page, or page by number only):
 *   when it had results and fewer results than `count` were seen so far, ask `page=N+1`;
 *   otherwise it was the only page.
 * - An empty page, or a `next` already visited, always ends the walk, so a misbehaving
 *   server cannot make the client loop forever.
 */
import type { z } from "zod";
import { VpsResponseValidationError } from "../errors";
import type { CallContext } from "./call";
import type { Requester } from "./request";

/** The fields of a list page that drive paging. */
interface PageLinks {
  /** Total number of items across all pages. */
  count: number;
  /** Absolute URL of the next page; null on the last page; absent when the platform does not say. */
  next?: string | null;
  /** The page's items. */
  results: readonly unknown[];
}

/** Where the next page is: a URL to fetch, a page number to ask for, or nowhere. */
type NextPage =
  { kind: "url"; url: URL } | { kind: "pageNumber"; pageNumber: number } | { kind: "done" };

/** Raised by {@link nextPageOf} when `next` points away from the base URL's origin. */
class CrossOriginPageError extends Error {
  constructor(
    readonly nextUrl: string,
    readonly allowedOrigin: string,
  ) {
    super(`the next page is on another origin (${safeOrigin(nextUrl)}), not ${allowedOrigin}`);
    this.name = "CrossOriginPageError";
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "an unparseable URL";
  }
}

/** The state of one walk through a list. */
interface PageWalk {
  /** URL of the page just fetched (relative `next` links resolve against it). */
  currentUrl: URL;
  /** 1-based number of the page just fetched. */
  pageNumber: number;
  /** Items seen so far, including this page. */
  itemsSoFar: number;
  /** Every URL fetched so far, as strings. */
  visited: ReadonlySet<string>;
  /** The origin every page must stay on (the base URL's). */
  allowedOrigin: string;
}

/** Decides where the page after `page` is. Throws {@link CrossOriginPageError} for a foreign `next`. */
function nextPageOf(page: PageLinks, walk: PageWalk): NextPage {
  if (page.results.length === 0) return { kind: "done" };
  if (typeof page.next === "string" && page.next !== "") {
    const url = new URL(page.next, walk.currentUrl);
    if (url.origin !== walk.allowedOrigin)
      throw new CrossOriginPageError(page.next, walk.allowedOrigin);
    if (walk.visited.has(url.toString())) return { kind: "done" };
    return { kind: "url", url };
  }
  if (page.next === undefined && walk.itemsSoFar < page.count) {
    return { kind: "pageNumber", pageNumber: walk.pageNumber + 1 };
  }
  return { kind: "done" };
}

/**
 * Walks a list endpoint page by page (one request each, through the one request path),
 * yielding each page's parsed items; stops as {@link nextPageOf} says.
 */
export async function* iteratePages<Item>(
  requester: Requester,
  call: CallContext,
  path: string,
  query: Record<string, string | number | undefined>,
  pageSchema: z.ZodType<{ count: number; next?: string | null; results: Item[] }>,
  pageSize: number | undefined,
): AsyncGenerator<Item[]> {
  const firstQuery = { ...query, page_size: pageSize };
  let target: URL = requester.buildUrl(path, firstQuery);
  let pageNumber = 1;
  let itemsSoFar = 0;
  const visited = new Set<string>();
  for (;;) {
    visited.add(target.toString());
    const page = await requester.request(call, {
      method: "GET",
      target,
      idempotent: true,
      schema: pageSchema,
    });
    itemsSoFar += page.results.length;
    yield page.results;
    let next;
    try {
      next = nextPageOf(page, {
        currentUrl: target,
        pageNumber,
        itemsSoFar,
        visited,
        allowedOrigin: requester.baseOrigin,
      });
    } catch (error) {
      if (!(error instanceof CrossOriginPageError)) throw error;
      throw new VpsResponseValidationError(
        `Refused to follow the next page while ${call.operation}: ${error.message}. The API token is only ever sent to ${requester.baseOrigin}; if the platform moved, set baseUrl (VPS_API_URL) to its new address.`,
        {
          operation: call.operation,
          status: 200,
          method: "GET",
          path: requester.relativePath(target),
          issues: "next: points to another origin",
        },
      );
    }
    if (next.kind === "done") return;
    pageNumber += 1;
    target =
      next.kind === "url"
        ? next.url
        : requester.buildUrl(path, { ...firstQuery, page: next.pageNumber });
  }
}
