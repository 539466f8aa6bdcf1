import { ForbiddenException, Injectable, UnsupportedMediaTypeException } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';

type Headers = Record<string, string | string[] | undefined>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Guards the devtools JSON endpoints against other sites. A browser sends a
 * cross-site form (`text/plain`, `application/x-www-form-urlencoded`,
 * `multipart/form-data`) or a no-cors fetch without asking, with the user's
 * cookies; so a state-changing request must carry a JSON body (which another
 * origin can send only after a CORS preflight that nothing here answers), and
 * any request from a browser must come from this origin: `Sec-Fetch-Site`, when
 * sent, is `same-origin` or `none`, and `Origin`, when sent, names this host.
 * Clients that are not browsers send neither header and pass.
 */
@Injectable()
export class DevtoolsSameOriginGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ method: string; headers: Headers }>();
    const headers = request.headers;
    const site = one(headers['sec-fetch-site']);
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new ForbiddenException(
        `Cross-site request refused: the developer pages answer their own origin only (Sec-Fetch-Site: ${site}).`,
      );
    }
    const origin = one(headers.origin);
    if (origin !== undefined && !isThisHost(origin, headers)) {
      throw new ForbiddenException(
        `Cross-site request refused: Origin ${origin} is not this server (${one(headers.host) ?? 'no Host header'}).`,
      );
    }
    if (!SAFE_METHODS.has(request.method.toUpperCase()) && !isJson(one(headers['content-type']))) {
      throw new UnsupportedMediaTypeException(
        `A ${request.method} to the developer pages needs a JSON body (Content-Type: application/json), ` +
          `got ${one(headers['content-type']) ?? 'none'}.`,
      );
    }
    return true;
  }
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return (
    type === 'application/json' ||
    (type?.startsWith('application/') === true && type.endsWith('+json'))
  );
}

/**
 * The Origin's host against Host, or against X-Forwarded-Host behind a proxy
 * that rewrites Host: a page of another site cannot set X-Forwarded-Host
 * without a CORS preflight, so trusting it opens nothing.
 */
function isThisHost(origin: string, headers: Headers): boolean {
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file: pages) or garbage
  }
  const forwarded = one(headers['x-forwarded-host'])?.split(',') ?? [];
  return [one(headers.host), ...forwarded].some(
    (candidate) => candidate !== undefined && candidate.trim().toLowerCase() === host,
  );
}
