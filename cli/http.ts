import { CliError } from './registry';

/** Where the API is and which key to use: LEADFLOW_API_URL, LEADFLOW_API_KEY. */
export function apiSettings(env: NodeJS.ProcessEnv = process.env): { url: string; key: string } {
  const key = env.LEADFLOW_API_KEY?.trim();
  if (!key)
    throw new CliError(
      'LEADFLOW_API_KEY is not set: use an owner or compliance API key (npm run demo-key mints one locally)',
    );
  return { url: (env.LEADFLOW_API_URL?.trim() || 'http://localhost:3000').replace(/\/$/, ''), key };
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One API call with the environment's settings (LEADFLOW_API_URL, LEADFLOW_API_KEY). */
export function api<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
  return apiAt(apiSettings(), method, path, body);
}

/** One API call to a given API; an error answer or an unreachable API becomes a one-line CliError. */
export async function apiAt<T = unknown>(
  connection: { url: string; key: string | undefined },
  method: Method,
  path: string,
  body?: unknown,
): Promise<T> {
  const { url, key } = connection;
  if (!key)
    throw new CliError(
      'LEADFLOW_API_KEY is not set: use an owner or compliance API key (npm run demo-key mints one locally)',
    );
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).name;
    throw new CliError(`cannot reach the API at ${url} (${why}): is it running? (LEADFLOW_API_URL)`);
  }
  const text = await res.text();
  const parsed = (() => {
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  })();
  if (!res.ok) {
    const message = parsed?.error?.message ?? (text.slice(0, 200) || res.statusText);
    throw new CliError(`the API answered ${res.status}: ${message}`);
  }
  return parsed as T;
}
