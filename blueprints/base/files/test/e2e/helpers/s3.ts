// A small S3 reader for the e2e tests of the history component: ListObjectsV2 and GetObject with AWS Signature
// Version 4 (node:crypto, no SDK). The store's address comes from the environment like every other client's
// (S3_ENDPOINT, S3_BUCKET; the native stack writes them, compose publishes SeaweedFS on 127.0.0.1:8333), the key
// pair from .env.
import { createHash, createHmac } from 'node:crypto';

export const s3 = {
  endpoint: (process.env.S3_ENDPOINT ?? 'http://localhost:8333').replace(/\/$/, ''),
  bucket: process.env.S3_BUCKET ?? 'history',
  accessKey: process.env.S3_ACCESS_KEY ?? '',
  secretKey: process.env.S3_SECRET_KEY ?? '',
  region: process.env.S3_REGION ?? 'us-east-1',
};

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A signed GET of the bucket (key '') or of one object; resolves with the body, rejects on any other status than 200. */
async function get(key: string, query: Record<string, string> = {}): Promise<string> {
  const url = new URL(`${s3.endpoint}/${[s3.bucket, ...(key ? key.split('/') : [])].map(encode).join('/')}${key ? '' : '/'}`);
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((name) => `${encode(name)}=${encode(query[name]!)}`)
    .join('&');
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256('');
  const headers: Record<string, string> = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const signedHeaders = Object.keys(headers).sort().join(';');
  const canonicalRequest = [
    'GET',
    url.pathname,
    canonicalQuery,
    ...Object.keys(headers).sort().map((name) => `${name}:${headers[name]}`),
    '',
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${s3.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${s3.secretKey}`, day), s3.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  const response = await fetch(`${url.origin}${url.pathname}${canonicalQuery ? `?${canonicalQuery}` : ''}`, {
    headers: {
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`S3 GET ${url.pathname}: ${response.status} ${body.slice(0, 300)}`);
  return body;
}

const xmlText = (text: string) =>
  text.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, entity: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    if (named[entity.toLowerCase()]) return named[entity.toLowerCase()]!;
    return String.fromCodePoint(entity[1]?.toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
  });

/** Every object key under a prefix (ListObjectsV2, following continuation tokens), in the store's (byte) order. */
export async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const xml = await get('', { 'list-type': '2', prefix, ...(token ? { 'continuation-token': token } : {}) });
    for (const [, key] of xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g)) keys.push(xmlText(key!));
    token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? xmlText(/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '') : undefined;
    if (token === '') throw new Error(`S3 list of ${prefix}: truncated without a continuation token`);
  } while (token);
  return keys;
}

/** An object's content as text. */
export function getObject(key: string): Promise<string> {
  return get(key);
}
