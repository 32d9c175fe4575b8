// Test-only end-to-end harness for postmint: a real OpenID provider (oidc-provider) doing
// private_key_jwt client authentication, an RFC 7523 section 2.1 JWT-grant endpoint with
// Maskinporten's rules, a protected resource and a stats endpoint, all on one 127.0.0.1 port.
//
//   node testdata/e2e/server.mjs CONFIG.json
//
// prints one JSON line with the URLs on stdout and serves until SIGTERM/SIGINT, or until its
// standard input (when that is a pipe or socket) is closed. Set POSTMINT_E2E_DEBUG=1 for logs on
// stderr. Nothing secret (keys, whole tokens or assertions) is ever logged.

import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import querystring from 'node:querystring';

const DEBUG = process.env.POSTMINT_E2E_DEBUG === '1';

// oidc-provider prints development notices through console.info/console.warn; keep the harness
// quiet unless asked. The one line of URLs is written with process.stdout.write.
if (!DEBUG) {
  console.log = () => {};
  console.info = () => {};
  console.warn = () => {};
  console.debug = () => {};
}

function debug(...parts) {
  if (DEBUG) {
    process.stderr.write(`[e2e] ${parts.join(' ')}\n`);
  }
}

function fail(message) {
  process.stderr.write(`server.mjs: ${String(message).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(2);
}

// Dependencies are imported dynamically so that a missing `npm ci` is reported as one clear line.
let Provider;
let jose;
try {
  ({ default: Provider } = await import('oidc-provider'));
  jose = await import('jose');
} catch (err) {
  fail(`cannot load oidc-provider/jose (${err.code || err.message}); run npm ci --prefix testdata/e2e`);
}

// ---------------------------------------------------------------------------------------------
// Configuration

const ALGS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA',
];
const GRANTS = ['client_credentials', 'jwt_bearer', 'authorization_code'];
const AUDIENCES = ['token_endpoint', 'issuer', 'issuer_slash'];
const CLIENT_FIELDS = new Set([
  'client_id', 'grant', 'jwks', 'certificates', 'alg', 'audience', 'typ', 'require_client_id',
  'scope', 'access_token_ttl', 'redirect_uris',
]);
const JWT_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const JWT_GRANT_MAX_LIFETIME = 120;
const JWT_GRANT_MAX_IAT_SKEW = 10;

async function loadConfig(file) {
  if (!file) {
    fail('usage: node server.mjs CONFIG.json');
  }
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read config ${file}: ${err.code || err.message}`);
  }
  let config;
  try {
    config = JSON.parse(text);
  } catch (err) {
    fail(`config ${file} is not valid JSON: ${err.message}`);
  }
  if (!config || typeof config !== 'object' || !Array.isArray(config.clients)) {
    fail('config: "clients" must be an array');
  }
  const extra = Object.keys(config).filter((k) => k !== 'clients');
  if (extra.length) {
    fail(`config: unknown field(s) ${extra.join(', ')}`);
  }
  if (!config.clients.length) {
    fail('config: "clients" is empty');
  }

  const clients = new Map();
  for (const [i, raw] of config.clients.entries()) {
    const where = `config: clients[${i}]`;
    if (!raw || typeof raw !== 'object') {
      fail(`${where} is not an object`);
    }
    const unknown = Object.keys(raw).filter((k) => !CLIENT_FIELDS.has(k));
    if (unknown.length) {
      fail(`${where}: unknown field(s) ${unknown.join(', ')}`);
    }
    const c = {
      clientId: raw.client_id,
      grant: raw.grant || 'client_credentials',
      alg: raw.alg || 'RS256',
      audience: raw.audience || 'token_endpoint',
      typ: raw.typ || '',
      requireClientId: raw.require_client_id === true,
      scopes: [],
      ttl: raw.access_token_ttl ?? 300,
      redirectUris: raw.redirect_uris || [],
      jwks: raw.jwks,
      certificates: [],
    };
    if (typeof c.clientId !== 'string' || !c.clientId) {
      fail(`${where}: client_id must be a non-empty string`);
    }
    const w = `${where} (${c.clientId})`;
    if (clients.has(c.clientId)) {
      fail(`${w}: duplicate client_id`);
    }
    if (!GRANTS.includes(c.grant)) {
      fail(`${w}: grant must be one of ${GRANTS.join(', ')}, got ${JSON.stringify(c.grant)}`);
    }
    if (!ALGS.includes(c.alg)) {
      fail(`${w}: alg must be one of ${ALGS.join(', ')}, got ${JSON.stringify(c.alg)}`);
    }
    if (!AUDIENCES.includes(c.audience)) {
      fail(`${w}: audience must be one of ${AUDIENCES.join(', ')}, got ${JSON.stringify(c.audience)}`);
    }
    if (typeof c.typ !== 'string') {
      fail(`${w}: typ must be a string`);
    }
    if (raw.require_client_id !== undefined && typeof raw.require_client_id !== 'boolean') {
      fail(`${w}: require_client_id must be a boolean`);
    }
    if (raw.scope !== undefined && typeof raw.scope !== 'string') {
      fail(`${w}: scope must be a space-separated string`);
    }
    c.scopes = (raw.scope || '').split(' ').filter(Boolean);
    if (!Number.isInteger(c.ttl) || c.ttl <= 0) {
      fail(`${w}: access_token_ttl must be a positive integer (seconds)`);
    }
    if (!Array.isArray(c.redirectUris) || c.redirectUris.some((u) => typeof u !== 'string' || !URL.canParse(u))) {
      fail(`${w}: redirect_uris must be an array of absolute URLs`);
    }
    if (c.grant === 'authorization_code' && !c.redirectUris.length) {
      fail(`${w}: redirect_uris is required for grant authorization_code`);
    }
    const certOnly = c.grant === 'jwt_bearer' && Array.isArray(raw.certificates) && raw.certificates.length > 0;
    if (c.jwks == null && certOnly) {
      c.jwks = { keys: [] };
    }
    if (!c.jwks || typeof c.jwks !== 'object' || !Array.isArray(c.jwks.keys) || (!c.jwks.keys.length && !certOnly)) {
      fail(`${w}: jwks must be {"keys":[...]} with at least one public key`);
    }
    let usable = 0;
    for (const [k, jwk] of c.jwks.keys.entries()) {
      if (!jwk || typeof jwk !== 'object' || typeof jwk.kty !== 'string') {
        fail(`${w}: jwks.keys[${k}] is not a JWK`);
      }
      if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((p) => p in jwk)) {
        fail(`${w}: jwks.keys[${k}] holds private or symmetric key material; give public keys only`);
      }
      if (jwk.alg && jwk.alg !== c.alg) {
        continue;
      }
      try {
        await jose.importJWK(jwk, c.alg);
        usable += 1;
      } catch {
        // not a key for this alg; other keys may be
      }
    }
    if (!usable && !certOnly) {
      fail(`${w}: no key in jwks is usable with alg ${c.alg}`);
    }
    if (raw.certificates !== undefined) {
      if (!Array.isArray(raw.certificates)) {
        fail(`${w}: certificates must be an array of PEM strings`);
      }
      for (const [k, pem] of raw.certificates.entries()) {
        let x509;
        try {
          x509 = new crypto.X509Certificate(pem);
        } catch (err) {
          fail(`${w}: certificates[${k}] is not a PEM certificate: ${err.message}`);
        }
        try {
          await jose.importX509(x509.toString(), c.alg);
        } catch (err) {
          fail(`${w}: certificates[${k}] key is not usable with alg ${c.alg}: ${err.message}`);
        }
        c.certificates.push({ der: x509.raw, pem: x509.toString() });
      }
    }
    clients.set(c.clientId, c);
  }
  return clients;
}

const clients = await loadConfig(process.argv[2]);

// ---------------------------------------------------------------------------------------------
// Stats (what tests count: tokens fetched, assertions seen, errors returned)

const MAX_LOG = 200;
const stats = {
  tokens_issued: {},
  assertions_seen: 0,
  token_requests: 0,
  token_errors: [],
  assertions: [],
  api_calls: {},
  api_rejected: 0,
};

function resetStats() {
  stats.tokens_issued = {};
  stats.assertions_seen = 0;
  stats.token_requests = 0;
  stats.token_errors = [];
  stats.assertions = [];
  stats.api_calls = {};
  stats.api_rejected = 0;
}

function pushBounded(list, item) {
  list.push(item);
  if (list.length > MAX_LOG) {
    list.shift();
  }
}

function countToken(clientId) {
  stats.tokens_issued[clientId] = (stats.tokens_issued[clientId] || 0) + 1;
}

// Records an assertion's decoded header and claims (never the signature or the compact JWS).
function seeAssertion(endpoint, assertion) {
  stats.assertions_seen += 1;
  let header = null;
  let claims = null;
  try {
    header = jose.decodeProtectedHeader(assertion);
    claims = jose.decodeJwt(assertion);
  } catch {
    // recorded as undecodable
  }
  pushBounded(stats.assertions, { endpoint, header, claims });
  return { header, claims };
}

function recordError(endpoint, clientId, error, description) {
  pushBounded(stats.token_errors, {
    endpoint, client_id: clientId || null, error, error_description: description,
  });
  debug(`${endpoint}: ${clientId || '?'} -> ${error}: ${description}`);
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

function sendJSON(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const BODY_LIMIT = 256 * 1024;

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      throw Object.assign(new Error('request body too large'), { status: 413 });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isForm(req) {
  return (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase()
    === 'application/x-www-form-urlencoded';
}

function single(value) {
  return Array.isArray(value) ? value[0] : value;
}

function audMatches(aud, expected) {
  if (typeof aud === 'string') {
    return aud === expected;
  }
  return Array.isArray(aud) && aud.length === 1 && aud[0] === expected;
}

function typMatches(actual, expected) {
  if (typeof actual !== 'string') {
    return false;
  }
  const norm = (t) => t.toLowerCase().replace(/^application\//, '');
  return norm(actual) === norm(expected);
}

function now() {
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------------------------------------
// Server and provider

const server = http.createServer();
server.keepAliveTimeout = 1000;
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
const jwtGrantIssuer = `${issuer}/jwtgrant/`;
const jwtGrantTokenPath = '/jwtgrant/token';

const scopeUnion = [...new Set([...clients.values()].flatMap((c) => c.scopes))];

const oidcClients = [...clients.values()].filter((c) => c.grant !== 'jwt_bearer').map((c) => {
  const meta = {
    client_id: c.clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: c.alg,
    jwks: c.jwks,
  };
  if (c.grant === 'client_credentials') {
    if (c.scopes.length) {
      meta.scope = c.scopes.join(' ');
    }
    meta.grant_types = ['client_credentials'];
    meta.response_types = [];
    meta.redirect_uris = [];
  } else {
    meta.scope = ['openid', 'offline_access', ...c.scopes].join(' ');
    meta.grant_types = ['authorization_code', 'refresh_token'];
    meta.response_types = ['code'];
    meta.redirect_uris = c.redirectUris;
  }
  return meta;
});

const signingKey = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = {
  ...(await jose.exportJWK(signingKey.privateKey)), alg: 'RS256', use: 'sig', kid: 'e2e-rs256',
};

function ttlFor(client) {
  return clients.get(client?.clientId)?.ttl ?? 300;
}

const provider = new Provider(issuer, {
  clients: oidcClients,
  clientAuthMethods: ['private_key_jwt'],
  enabledJWA: { clientAuthSigningAlgValues: [...ALGS] },
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: { enabled: false },
  },
  scopes: ['openid', 'offline_access', ...scopeUnion],
  claims: { openid: ['sub'] },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
  interactions: {
    url(ctx, interaction) {
      return `/interaction/${interaction.uid}`;
    },
  },
  ttl: {
    AccessToken: (ctx, token, client) => ttlFor(client),
    ClientCredentials: (ctx, token, client) => ttlFor(client),
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 86400,
    Interaction: 600,
    Session: 3600,
    Grant: 86400,
  },
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  pkce: { required: () => false },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  jwks: { keys: [signingJwk] },
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

// The issuer + "/" audience rule: oidc-provider 9 accepts the issuer, the token endpoint URL and
// the endpoint's own URL. The strict per-client rule is enforced in front of it (checkTokenRequest).
const baseExpectedAudience = provider.OIDCContext.prototype.clientJwtAuthExpectedAudience;
provider.OIDCContext.prototype.clientJwtAuthExpectedAudience = function expectedAudience() {
  const accepted = baseExpectedAudience.call(this);
  accepted.add(`${this.issuer}/`);
  return accepted;
};

provider.on('grant.success', (ctx) => {
  countToken(ctx.oidc.client?.clientId ?? '?');
  debug(`token: issued for ${ctx.oidc.client?.clientId} (${ctx.oidc.params?.grant_type})`);
});
provider.on('grant.error', (ctx, err) => {
  recordError('token', ctx.oidc?.client?.clientId ?? single(ctx.oidc?.params?.client_id),
    err.error || err.message, err.error_detail || err.error_description || err.message);
});
provider.on('server_error', (ctx, err) => {
  process.stderr.write(`[e2e] oidc-provider server_error: ${err.stack || err}\n`);
});

// Fail fast on client metadata oidc-provider rejects (it validates lazily otherwise).
for (const meta of oidcClients) {
  try {
    const found = await provider.Client.find(meta.client_id);
    if (!found) {
      fail(`config: client ${meta.client_id} was not accepted by oidc-provider`);
    }
  } catch (err) {
    fail(`config: client ${meta.client_id} rejected by oidc-provider: ${err.error_description || err.message}`);
  }
}

const tokenPath = new URL(provider.urlFor('token')).pathname;
const providerHandler = provider.callback();

function expectedAudienceFor(c) {
  switch (c.audience) {
    case 'issuer': return issuer;
    case 'issuer_slash': return `${issuer}/`;
    default: return provider.urlFor('token');
  }
}

// The per-client rules in front of oidc-provider's token endpoint. Returns a rejection
// {status, body} or undefined to let oidc-provider handle the request.
function checkTokenRequest(params) {
  const assertion = single(params.client_assertion);
  const formClientId = single(params.client_id);
  if (typeof assertion !== 'string') {
    return undefined;
  }
  const { header, claims } = seeAssertion('token', assertion);
  if (!header || !claims) {
    return undefined; // oidc-provider rejects it
  }
  const clientId = typeof claims.iss === 'string' ? claims.iss : formClientId;
  const c = clients.get(clientId);
  if (!c || c.grant === 'jwt_bearer') {
    return undefined;
  }
  const reject = (status, error, description) => {
    recordError('token', c.clientId, error, description);
    return { status, body: { error, error_description: description } };
  };
  if (single(params.client_assertion_type) !== CLIENT_ASSERTION_TYPE) {
    return reject(400, 'invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
  }
  if (formClientId !== undefined && formClientId !== c.clientId) {
    return reject(401, 'invalid_client',
      `client_id form parameter ${JSON.stringify(formClientId)} does not match the assertion's iss ${JSON.stringify(c.clientId)}`);
  }
  if (c.requireClientId && formClientId === undefined) {
    return reject(401, 'invalid_client', 'client_id form parameter is required for this client');
  }
  const expected = expectedAudienceFor(c);
  if (!audMatches(claims.aud, expected)) {
    return reject(401, 'invalid_client',
      `aud must be exactly ${JSON.stringify(expected)} (${c.audience}), got ${JSON.stringify(claims.aud ?? null)}`);
  }
  if (c.typ && !typMatches(header.typ, c.typ)) {
    return reject(401, 'invalid_client',
      `typ header must be ${JSON.stringify(c.typ)}, got ${JSON.stringify(header.typ ?? null)}`);
  }
  const scope = single(params.scope);
  if (typeof scope === 'string' && scope) {
    const allowed = c.grant === 'authorization_code' ? ['openid', 'offline_access', ...c.scopes] : c.scopes;
    const notAllowed = scope.split(' ').filter((s) => s && !allowed.includes(s));
    if (notAllowed.length) {
      return reject(400, 'invalid_scope',
        `scope not allowed for ${c.clientId}: ${notAllowed.join(' ')} (allowed: ${allowed.join(' ') || 'none'})`);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// RFC 7523 section 2.1 JWT grant (Maskinporten's rules)

const jwtGrantTokens = new Map(); // token -> { clientId, scope, exp }
const seenJti = new Map(); // `${iss}\u0000${jti}` -> exp

function sweep() {
  const t = now();
  for (const [k, exp] of seenJti) {
    if (exp < t - 300) seenJti.delete(k);
  }
  for (const [k, v] of jwtGrantTokens) {
    if (v.exp < t - 300) jwtGrantTokens.delete(k);
  }
}

async function keyForAssertion(c, header) {
  if (header.x5c !== undefined) {
    if (!Array.isArray(header.x5c) || !header.x5c.length || typeof header.x5c[0] !== 'string') {
      throw new Error('x5c header must be a non-empty array of base64 certificates');
    }
    const leaf = Buffer.from(header.x5c[0], 'base64');
    const cert = c.certificates.find((known) => known.der.equals(leaf));
    if (!cert) {
      throw new Error(`x5c leaf certificate is not one registered for ${c.clientId}`);
    }
    return jose.importX509(cert.pem, c.alg);
  }
  if (typeof header.kid === 'string' && header.kid) {
    const jwk = c.jwks.keys.find((k) => k.kid === header.kid);
    if (!jwk) {
      throw new Error(`kid ${JSON.stringify(header.kid)} is not in ${c.clientId}'s jwks`);
    }
    return jose.importJWK(jwk, c.alg);
  }
  throw new Error('the assertion header must carry kid or x5c');
}

async function jwtGrant(req, res) {
  stats.token_requests += 1;
  const fault = (status, error, description, clientId) => {
    recordError('jwtgrant', clientId, error, description);
    sendJSON(res, status, { error, error_description: description });
  };
  if (req.method !== 'POST') {
    return fault(405, 'invalid_request', 'use POST', undefined);
  }
  if (!isForm(req)) {
    return fault(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded', undefined);
  }
  const params = querystring.parse(await readBody(req));
  if (single(params.grant_type) !== JWT_GRANT_TYPE) {
    return fault(400, 'unsupported_grant_type', `grant_type must be ${JWT_GRANT_TYPE}`, undefined);
  }
  const assertion = single(params.assertion);
  if (typeof assertion !== 'string' || !assertion) {
    return fault(400, 'invalid_request', 'assertion form parameter is required', undefined);
  }
  const { header, claims } = seeAssertion('jwtgrant', assertion);
  if (!header || !claims) {
    return fault(400, 'invalid_grant', 'assertion is not a well-formed JWT', undefined);
  }
  if (req.headers.authorization || params.client_assertion !== undefined || params.client_secret !== undefined) {
    return fault(400, 'invalid_request', 'this endpoint takes no client authentication', claims.iss);
  }
  const c = typeof claims.iss === 'string' ? clients.get(claims.iss) : undefined;
  if (!c || c.grant !== 'jwt_bearer') {
    return fault(401, 'invalid_client', `iss ${JSON.stringify(claims.iss ?? null)} is not a registered jwt_bearer client`, undefined);
  }
  const formClientId = single(params.client_id);
  if (formClientId !== undefined && formClientId !== c.clientId) {
    return fault(401, 'invalid_client', `client_id form parameter ${JSON.stringify(formClientId)} does not match iss`, c.clientId);
  }
  if (header.alg !== c.alg) {
    return fault(401, 'invalid_client', `alg must be ${c.alg}, got ${JSON.stringify(header.alg ?? null)}`, c.clientId);
  }
  let key;
  try {
    key = await keyForAssertion(c, header);
  } catch (err) {
    return fault(401, 'invalid_client', err.message, c.clientId);
  }
  try {
    await jose.compactVerify(assertion, key, { algorithms: [c.alg] });
  } catch (err) {
    return fault(401, 'invalid_client', `signature verification failed (${err.code || err.message})`, c.clientId);
  }
  if (!audMatches(claims.aud, jwtGrantIssuer)) {
    return fault(400, 'invalid_grant', `aud must be exactly ${JSON.stringify(jwtGrantIssuer)}, got ${JSON.stringify(claims.aud ?? null)}`, c.clientId);
  }
  const t = now();
  if (!Number.isFinite(claims.exp) || !Number.isFinite(claims.iat)) {
    return fault(400, 'invalid_grant', 'exp and iat claims are required (numeric)', c.clientId);
  }
  if (claims.exp <= t) {
    return fault(400, 'invalid_grant', `assertion expired ${t - claims.exp} s ago`, c.clientId);
  }
  if (claims.iat > t + JWT_GRANT_MAX_IAT_SKEW) {
    return fault(400, 'invalid_grant', `iat is ${claims.iat - t} s in the future (max ${JWT_GRANT_MAX_IAT_SKEW} s)`, c.clientId);
  }
  if (claims.exp - claims.iat > JWT_GRANT_MAX_LIFETIME) {
    return fault(400, 'invalid_grant', `assertion lifetime exp - iat = ${claims.exp - claims.iat} s exceeds ${JWT_GRANT_MAX_LIFETIME} s`, c.clientId);
  }
  if (claims.nbf !== undefined && (!Number.isFinite(claims.nbf) || claims.nbf > t + JWT_GRANT_MAX_IAT_SKEW)) {
    return fault(400, 'invalid_grant', 'nbf is not yet valid', c.clientId);
  }
  if (typeof claims.jti !== 'string' || !claims.jti) {
    return fault(400, 'invalid_grant', 'jti claim is required', c.clientId);
  }
  if (typeof claims.scope !== 'string' || !claims.scope.trim()) {
    return fault(400, 'invalid_scope', 'scope claim is required', c.clientId);
  }
  const requested = claims.scope.split(' ').filter(Boolean);
  const notAllowed = requested.filter((s) => !c.scopes.includes(s));
  if (notAllowed.length) {
    return fault(400, 'invalid_scope', `scope not allowed for ${c.clientId}: ${notAllowed.join(' ')} (allowed: ${c.scopes.join(' ') || 'none'})`, c.clientId);
  }
  sweep();
  const jtiKey = `${c.clientId}\u0000${claims.jti}`;
  if (seenJti.has(jtiKey)) {
    return fault(400, 'invalid_grant', 'jti has already been used', c.clientId);
  }
  seenJti.set(jtiKey, claims.exp);

  const token = crypto.randomBytes(32).toString('base64url');
  const scope = requested.join(' ');
  jwtGrantTokens.set(token, { clientId: c.clientId, scope, exp: t + c.ttl });
  countToken(c.clientId);
  debug(`jwtgrant: issued for ${c.clientId} scope=${scope}`);
  return sendJSON(res, 200, {
    access_token: token, token_type: 'Bearer', expires_in: c.ttl, scope,
  });
}

function jwtGrantMetadata(res) {
  sendJSON(res, 200, {
    issuer: jwtGrantIssuer,
    token_endpoint: `${issuer}${jwtGrantTokenPath}`,
    grant_types_supported: [JWT_GRANT_TYPE],
    token_endpoint_auth_methods_supported: ['none'],
    token_endpoint_auth_signing_alg_values_supported: ALGS,
  });
}

// ---------------------------------------------------------------------------------------------
// Capturing token endpoint: POST /capture/<label>/token records the request (its form in
// order, and the JOSE header and claims of its assertion) and answers with a token the
// protected resource accepts. The parity tests post the same client's token request from Go,
// Newman's Get token and the collection's automatic fetch here and compare what arrived.

const captures = [];
const captureTokens = new Map(); // token -> { clientId, exp }
const MAX_CAPTURES = 2000;

async function captureToken(req, res, label) {
  if (req.method !== 'POST') {
    return sendJSON(res, 405, { error: 'invalid_request', error_description: 'use POST' });
  }
  const raw = await readBody(req);
  const form = new URLSearchParams(raw);
  const pairs = [...form.entries()];
  const assertion = form.get('client_assertion') ?? form.get('assertion') ?? '';
  let clientId = form.get('client_id') || '';
  if (!clientId && assertion) {
    try {
      clientId = jose.decodeJwt(assertion).iss || '';
    } catch {
      // recorded as it came
    }
  }
  if (captures.length >= MAX_CAPTURES) {
    captures.shift();
  }
  captures.push({ label, content_type: req.headers['content-type'] || '', form: pairs });
  const token = crypto.randomBytes(32).toString('base64url');
  captureTokens.set(token, { clientId: clientId || label, exp: now() + 300 });
  return sendJSON(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 300 });
}

// ---------------------------------------------------------------------------------------------
// Protected resource

async function lookupToken(token) {
  const captured = captureTokens.get(token);
  if (captured) {
    return captured.exp > now() ? { client_id: captured.clientId, scope: '', via: 'capture' } : undefined;
  }
  const own = jwtGrantTokens.get(token);
  if (own) {
    return own.exp > now() ? { client_id: own.clientId, scope: own.scope, via: 'jwtgrant' } : undefined;
  }
  // find() allows oidc-provider's clockTolerance (15 s) past exp; the resource is strict.
  const cc = await provider.ClientCredentials.find(token);
  if (cc && !cc.isExpired) {
    return { client_id: cc.clientId, scope: cc.scope || '', via: 'oidc' };
  }
  const at = await provider.AccessToken.find(token);
  if (at && !at.isExpired) {
    return {
      client_id: at.clientId, scope: at.scope || '', via: 'oidc', sub: at.accountId,
    };
  }
  return undefined;
}

async function api(req, res, url) {
  // Drain any body so keep-alive connections stay usable.
  await readBody(req).catch(() => {});
  const auth = req.headers.authorization || '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  const info = m ? await lookupToken(m[1]) : undefined;
  if (!info) {
    stats.api_rejected += 1;
    debug(`api: ${req.method} ${url.pathname} -> 401 (${m ? 'unknown or expired token' : 'no bearer token'})`);
    return sendJSON(res, 401, { error: 'invalid_token' }, {
      'www-authenticate': 'Bearer error="invalid_token"',
    });
  }
  stats.api_calls[info.client_id] = (stats.api_calls[info.client_id] || 0) + 1;
  return sendJSON(res, 200, { ...info, method: req.method, path: url.pathname });
}

// ---------------------------------------------------------------------------------------------
// Authorization code: an automatic login + consent (no UI). The account is the authorization
// request's login_hint, or "alice". A client following redirects with a cookie jar goes from
// /auth to the redirect_uri with a code.

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: single(params.login_hint) || 'alice' } };
  } else if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const d = prompt.details || {};
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    if (d.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(d.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    result = { error: 'access_denied', error_description: `unsupported prompt ${prompt.name}` };
  }
  debug(`interaction: ${prompt.name} for ${params.client_id}`);
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

// ---------------------------------------------------------------------------------------------
// Routing

server.on('request', async (req, res) => {
  let url;
  try {
    url = new URL(req.url, issuer);
  } catch {
    return sendJSON(res, 400, { error: 'invalid_request', error_description: 'bad request target' });
  }
  const path = url.pathname;
  res.on('finish', () => debug(`${req.method} ${path} -> ${res.statusCode}`));
  try {
    if (path === '/_stats') {
      if (req.method === 'DELETE') {
        resetStats();
      }
      return sendJSON(res, 200, stats);
    }
    if (path === '/_captures') {
      if (req.method === 'DELETE') {
        captures.length = 0;
      }
      return sendJSON(res, 200, captures);
    }
    const capture = /^\/capture\/([A-Za-z0-9._-]+)\/token$/.exec(path);
    if (capture) {
      return await captureToken(req, res, capture[1]);
    }
    if (path === '/api' || path.startsWith('/api/')) {
      return await api(req, res, url);
    }
    if (path === jwtGrantTokenPath) {
      return await jwtGrant(req, res);
    }
    if (path === '/jwtgrant/.well-known/oauth-authorization-server'
      || path === '/.well-known/oauth-authorization-server/jwtgrant/'
      || path === '/jwtgrant/' || path === '/jwtgrant') {
      return jwtGrantMetadata(res);
    }
    if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(path)) {
      return await interaction(req, res);
    }
    if (req.method === 'POST' && path === tokenPath) {
      stats.token_requests += 1;
      if (isForm(req)) {
        const raw = await readBody(req);
        const rejection = checkTokenRequest(querystring.parse(raw));
        if (rejection) {
          return sendJSON(res, rejection.status, rejection.body);
        }
        // oidc-provider reads an already consumed body from req.body.
        req.body = raw;
      }
    }
    return providerHandler(req, res);
  } catch (err) {
    process.stderr.write(`[e2e] ${req.method} ${path}: ${err.stack || err}\n`);
    if (!res.headersSent) {
      return sendJSON(res, err.status || 500, { error: 'server_error', error_description: err.message });
    }
    res.destroy();
    return undefined;
  }
});

// ---------------------------------------------------------------------------------------------
// Lifecycle

let stopping = false;
function stop(why) {
  if (stopping) return;
  stopping = true;
  debug(`stopping: ${why}`);
  server.close();
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

// Stop when the parent closes our stdin, but only when it is a pipe or socket (so that running
// the server from a script with stdin on /dev/null keeps it serving).
try {
  const st = fs.fstatSync(0);
  if (st.isFIFO() || st.isSocket()) {
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }
} catch {
  // no stdin at all
}

const discovery = {
  issuer,
  token_endpoint: provider.urlFor('token'),
  jwt_grant_issuer: jwtGrantIssuer,
  jwt_grant_token_endpoint: `${issuer}${jwtGrantTokenPath}`,
  api: `${issuer}/api/whoami`,
  authorization_endpoint: provider.urlFor('authorization'),
  jwks_uri: provider.urlFor('jwks'),
  userinfo_endpoint: provider.urlFor('userinfo'),
  introspection_endpoint: provider.urlFor('introspection'),
  revocation_endpoint: provider.urlFor('revocation'),
  discovery: `${issuer}/.well-known/openid-configuration`,
  stats: `${issuer}/_stats`,
  capture: `${issuer}/capture`,
};
process.stdout.write(`${JSON.stringify(discovery)}\n`);
debug(`listening on ${issuer} with ${clients.size} client(s)`);
