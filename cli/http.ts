import { CliError } from './errors';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One API call: resolves to the parsed JSON answer; an error answer or an unreachable API is a one-line CliError. */
export type ApiCall = <T = Record<string, unknown>>(method: Method, path: string, body?: unknown) => Promise<T>;

const NO_KEY = 'LEADFLOW_API_KEY is not set: use an owner or compliance API key (npm run demo-key mints one locally)';

/** Where the API is and which key to use: LEADFLOW_API_URL, LEADFLOW_API_KEY. */
export function apiSettings(env: Readonly<Record<string, string | undefined>>): { url: string; key?: string } {
  return {
    url: (env.LEADFLOW_API_URL?.trim() || 'http://localhost:3000').replace(/\/$/, ''),
    key: env.LEADFLOW_API_KEY?.trim() || undefined,
  };
}

/** The API as the environment names it; the key is checked at the first call, so usage errors come first. */
export function apiFrom(env: Readonly<Record<string, string | undefined>>): ApiCall {
  const connection = apiSettings(env);
  return (method, path, body) => apiAt(connection, method, path, body);
}

export async function apiAt<T>(
  connection: { url: string; key?: string },
  method: Method,
  path: string,
  body?: unknown,
): Promise<T> {
  const { url, key } = connection;
  if (!key) throw new CliError(NO_KEY);
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
