// Test-only end-to-end harness for postmint: a real OpenID provider (oidc-provider) doing
// private_key_jwt client authentication, an RFC 7523 section 2.1 JWT-grant endpoint with
// Maskinporten's rules, a protected resource and a stats endpoint, all on one 127.0.0.1 port.
//
//   node testdata/e2e/server.mjs CONFIG.json
//
// The config is {"clients": [...], "profile": "fapi2"?}; see CLIENT_FIELDS and loadConfig.
//
// DPoP (RFC 9449) and PAR (RFC 9126): oidc-provider's token and PAR endpoints take DPoP proofs
// (client fields "dpop", "dpop_nonce", "par"), and the protected resource verifies DPoP-bound
// tokens itself: /api/... accepts Bearer (unbound tokens) and DPoP; /dpop-nonce-api/... accepts
// DPoP only and also demands a resource-server nonce. /capture/<label>/token?dpop_nonce=1 demands
// a DPoP nonce before it answers (see captureToken).
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
// Client fields:
//   client_id, grant, jwks, certificates, alg, audience, typ, require_client_id, scope,
//   access_token_ttl, redirect_uris: see internal/e2e's Client.
//   dpop (bool): oidc-provider's dpop_bound_access_tokens; token requests without a DPoP proof
//     are refused (invalid_grant "DPoP proof JWT not provided") and tokens are bound (jkt).
//   dpop_nonce (bool): the token and PAR endpoints demand a server nonce in this client's DPoP
//     proofs (400 use_dpop_nonce with a DPoP-Nonce header first).
//   par (bool): require_pushed_authorization_requests (authorization_code clients).
const CLIENT_FIELDS = new Set([
  'client_id', 'grant', 'jwks', 'certificates', 'alg', 'audience', 'typ', 'require_client_id',
  'scope', 'access_token_ttl', 'redirect_uris', 'dpop', 'dpop_nonce', 'par',
]);
// The algs the token, PAR and resource endpoints accept in DPoP proofs.
const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA'];
// Top-level "profile": "fapi2" runs oidc-provider's FAPI 2.0 Security Profile
// (features.fapi { enabled: true, profile: '2.0' }). What that demands of clients:
//   - from oidc-provider itself: PKCE with S256 on every authorization request; a
//     private_key_jwt assertion whose aud is exactly the issuer (a string; not the token or PAR
//     endpoint, not an array); redirect_uri in every authorization request, even with one
//     registered; no access token in a query parameter;
//   - from this harness's FAPI configuration (FAPI 2.0 section 5.3.2 asks it of the server, and
//     oidc-provider leaves it to configuration): pushed authorization requests for every
//     authorization request (requirePushedAuthorizationRequests); sender-constrained tokens, so
//     every client is DPoP-bound (mTLS is impossible on plain-HTTP loopback); client assertions
//     and DPoP proofs signed with PS256, ES256 or EdDSA only; a client's audience must be
//     "issuer" (the default in this mode); authorization codes live 60 s.
const PROFILES = ['fapi2'];
const FAPI2_ALGS = ['PS256', 'ES256', 'EdDSA'];
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
  const extra = Object.keys(config).filter((k) => k !== 'clients' && k !== 'profile');
  if (extra.length) {
    fail(`config: unknown field(s) ${extra.join(', ')}`);
  }
  if (!config.clients.length) {
    fail('config: "clients" is empty');
  }
  if (config.profile !== undefined && config.profile !== '' && !PROFILES.includes(config.profile)) {
    fail(`config: profile must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(config.profile)}`);
  }
  const fapi2 = config.profile === 'fapi2';

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
      audience: raw.audience || (fapi2 ? 'issuer' : 'token_endpoint'),
      typ: raw.typ || '',
      requireClientId: raw.require_client_id === true,
      scopes: [],
      ttl: raw.access_token_ttl ?? 300,
      redirectUris: raw.redirect_uris || [],
      jwks: raw.jwks,
      certificates: [],
      dpop: raw.dpop === true || fapi2,
      dpopNonce: raw.dpop_nonce === true,
      par: raw.par === true,
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
    for (const flag of ['require_client_id', 'dpop', 'dpop_nonce', 'par']) {
      if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean') {
        fail(`${w}: ${flag} must be a boolean`);
      }
    }
    if ((c.dpop || c.dpopNonce || c.par) && c.grant === 'jwt_bearer') {
      fail(`${w}: dpop, dpop_nonce and par are for oidc-provider clients, not grant jwt_bearer`);
    }
    if (c.par && c.grant !== 'authorization_code') {
      fail(`${w}: par needs grant authorization_code`);
    }
    if (fapi2 && !FAPI2_ALGS.includes(c.alg)) {
      fail(`${w}: profile fapi2 allows alg ${FAPI2_ALGS.join(', ')} only, got ${c.alg}`);
    }
    if (fapi2 && c.audience !== 'issuer') {
      fail(`${w}: profile fapi2 requires audience issuer (oidc-provider demands aud = issuer), got ${c.audience}`);
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
  return { clients, profile: fapi2 ? 'fapi2' : '' };
}

const { clients, profile } = await loadConfig(process.argv[2]);
const fapi2 = profile === 'fapi2';

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
  // DPoP and PAR (decoded proof headers and claims only, never the compact proof or a token)
  dpop_token_requests: [], // per token/PAR request: {endpoint, client_id, dpop, header, claims}
  dpop_proofs_verified: 0, // proofs the protected resource accepted
  dpop_proofs: [], // {where, method, path, client_id, header, claims} of those proofs
  dpop_errors: [], // {where, client_id, error, error_description}
  par_requests: 0, // POSTs to the PAR endpoint
};

function resetStats() {
  stats.tokens_issued = {};
  stats.assertions_seen = 0;
  stats.token_requests = 0;
  stats.token_errors = [];
  stats.assertions = [];
  stats.api_calls = {};
  stats.api_rejected = 0;
  stats.dpop_token_requests = [];
  stats.dpop_proofs_verified = 0;
  stats.dpop_proofs = [];
  stats.dpop_errors = [];
  stats.par_requests = 0;
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

// A DPoP proof's JOSE header for stats: its jwk keeps only public members; the names of any
// private members it wrongly carried are listed in jwk.private_members instead.
function safeProofHeader(header) {
  if (!header || typeof header.jwk !== 'object' || header.jwk === null) {
    return header;
  }
  const jwk = {};
  const leaked = [];
  for (const [k, v] of Object.entries(header.jwk)) {
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'].includes(k)) {
      leaked.push(k);
    } else {
      jwk[k] = v;
    }
  }
  if (leaked.length) {
    jwk.private_members = leaked;
  }
  return { ...header, jwk };
}

// Decodes a DPoP proof's JOSE header and claims (never kept: the signature or compact form).
function decodeProof(proof) {
  if (typeof proof !== 'string') {
    return { header: null, claims: null };
  }
  try {
    return { header: safeProofHeader(jose.decodeProtectedHeader(proof)), claims: jose.decodeJwt(proof) };
  } catch {
    return { header: null, claims: null };
  }
}

// Records whether a token or PAR request carried a DPoP proof, and the proof decoded.
function seeTokenRequestProof(endpoint, clientId, req) {
  const values = req.headersDistinct?.dpop ?? [];
  const { header, claims } = decodeProof(values[0]);
  pushBounded(stats.dpop_token_requests, {
    endpoint, client_id: clientId || null, dpop: values.length > 0, header, claims,
  });
}

function recordDpopError(where, clientId, error, description) {
  pushBounded(stats.dpop_errors, {
    where, client_id: clientId || null, error, error_description: description,
  });
  debug(`dpop ${where}: ${clientId || '?'} -> ${error}: ${description}`);
}

function recordError(endpoint, clientId, error, description) {
  if (/dpop/i.test(`${error} ${description}`)) {
    recordDpopError(endpoint, clientId, error, description);
  }
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
  if (c.dpop) {
    meta.dpop_bound_access_tokens = true;
  }
  if (c.par) {
    meta.require_pushed_authorization_requests = true;
  }
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
  enabledJWA: {
    clientAuthSigningAlgValues: fapi2 ? [...FAPI2_ALGS] : [...ALGS],
    dPoPSigningAlgValues: fapi2 ? [...FAPI2_ALGS] : [...DPOP_ALGS],
  },
  features: {
    clientCredentials: { enabled: true },
    dPoP: {
      enabled: true,
      nonceSecret: crypto.randomBytes(32),
      // Decided per client: ctx.oidc.client is the authenticated client at the token and PAR
      // endpoints (undefined elsewhere, e.g. userinfo, where no nonce is demanded).
      requireNonce: (ctx) => clients.get(ctx.oidc?.client?.clientId)?.dpopNonce === true,
    },
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: fapi2 },
    ...(fapi2 ? { fapi: { enabled: true, profile: '2.0' } } : {}),
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
  // FAPI 2.0 requires PKCE (S256, the only method oidc-provider supports) for every client.
  pkce: { required: () => fapi2 },
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
provider.on('pushed_authorization_request.error', (ctx, err) => {
  recordError('par', ctx.oidc?.client?.clientId ?? single(ctx.oidc?.params?.client_id),
    err.error || err.message, err.error_detail || err.error_description || err.message);
});
provider.on('pushed_authorization_request.success', (ctx) => {
  debug(`par: request_uri issued for ${ctx.oidc.client?.clientId}`);
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
const parEndpoint = provider.urlFor('pushed_authorization_request');
const parPath = new URL(parEndpoint).pathname;
const providerHandler = provider.callback();

function expectedAudienceFor(c) {
  switch (c.audience) {
    case 'issuer': return issuer;
    case 'issuer_slash': return `${issuer}/`;
    default: return provider.urlFor('token');
  }
}

// The client a token or PAR request names (the assertion's iss, else client_id), or undefined.
function requestClientId(params) {
  const assertion = single(params.client_assertion);
  if (typeof assertion === 'string') {
    try {
      const { iss } = jose.decodeJwt(assertion);
      if (typeof iss === 'string') return iss;
    } catch {
      // fall back to client_id
    }
  }
  return single(params.client_id);
}

// The per-client rules in front of oidc-provider's token endpoint (endpoint "token") and PAR
// endpoint ("par"). Returns a rejection {status, body} or undefined to let oidc-provider handle
// the request. At the PAR endpoint the client's own audience rule applies too, and RFC 9126
// section 2 adds the PAR endpoint's URL (oidc-provider itself accepts the issuer, the token
// endpoint and the PAR endpoint at both endpoints, or only the issuer under FAPI 2.0).
function checkTokenRequest(params, endpoint = 'token') {
  const assertion = single(params.client_assertion);
  const formClientId = single(params.client_id);
  if (typeof assertion !== 'string') {
    return undefined;
  }
  const { header, claims } = seeAssertion(endpoint, assertion);
  if (!header || !claims) {
    return undefined; // oidc-provider rejects it
  }
  const clientId = typeof claims.iss === 'string' ? claims.iss : formClientId;
  const c = clients.get(clientId);
  if (!c || c.grant === 'jwt_bearer') {
    return undefined;
  }
  const reject = (status, error, description) => {
    recordError(endpoint, c.clientId, error, description);
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
  const parOK = endpoint === 'par' && !fapi2 && audMatches(claims.aud, parEndpoint);
  if (!audMatches(claims.aud, expected) && !parOK) {
    const also = endpoint === 'par' && !fapi2 ? ` or ${JSON.stringify(parEndpoint)}` : '';
    return reject(401, 'invalid_client',
      `aud must be exactly ${JSON.stringify(expected)} (${c.audience})${also}, got ${JSON.stringify(claims.aud ?? null)}`);
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
// DPoP proofs (RFC 9449 section 4.3) checked by this harness itself: at the protected resource,
// the capturing endpoint and the JWT-grant endpoint. (oidc-provider checks its own endpoints'.)

const DPOP_IAT_WINDOW = 60; // seconds either side of now
const DPOP_JTI_MAX = 10000; // bounded replay cache
const dpopJtis = new Map(); // `${jkt}.${jti}` -> expiry (epoch seconds), oldest first
const resourceAlgs = fapi2 ? FAPI2_ALGS : DPOP_ALGS;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

class DpopError extends Error {
  constructor(error, description) {
    super(description);
    this.error = error;
  }
}

// The resource-server nonce: rotated every 120 s; the current and the previous are accepted.
const RS_NONCE_PERIOD = 120;
const rsNonce = { current: crypto.randomBytes(16).toString('base64url'), previous: '', at: now() };

function currentNonce() {
  if (now() - rsNonce.at >= RS_NONCE_PERIOD) {
    rsNonce.previous = rsNonce.current;
    rsNonce.current = crypto.randomBytes(16).toString('base64url');
    rsNonce.at = now();
  }
  return rsNonce.current;
}

function nonceAccepted(nonce) {
  const current = currentNonce();
  return typeof nonce === 'string' && nonce !== '' && (nonce === current || nonce === rsNonce.previous);
}

// The URL a request was sent to, without query and fragment, normalized as RFC 9449 section
// 4.3 asks (RFC 3986 section 6: scheme and host lower case, default port dropped, dot segments
// removed), which is what WHATWG URL parsing does.
function requestHtu(req, url) {
  const host = req.headers.host || new URL(issuer).host;
  const u = URL.parse(`http://${host}${url.pathname}`);
  return u ? u.href : `${issuer}${url.pathname}`;
}

function normalizeHtu(htu) {
  if (typeof htu !== 'string') return undefined;
  const u = URL.parse(htu);
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return undefined;
  u.search = '';
  u.hash = '';
  return u.href;
}

function ath(accessToken) {
  return crypto.createHash('sha256').update(accessToken).digest('base64url');
}

// Verifies the request's DPoP proof: exactly one DPoP header, a JWS with typ dpop+jwt, an
// allowed asymmetric alg, a public jwk that verifies it, htm, htu, iat within 60 s, a jti not
// seen before and, when accessToken is given, ath. Returns {thumbprint, header, claims,
// commit()}; commit() records the jti once the caller accepted the request. Throws DpopError.
async function verifyProof(req, htu, accessToken) {
  const values = req.headersDistinct?.dpop ?? [];
  const bad = (description) => new DpopError('invalid_dpop_proof', description);
  if (values.length !== 1) {
    throw bad(values.length ? `exactly one DPoP header is allowed, got ${values.length}` : 'DPoP header is missing');
  }
  const proof = values[0].trim();
  let header;
  try {
    if (proof.split('.').length !== 3) throw new Error();
    header = jose.decodeProtectedHeader(proof);
  } catch {
    throw bad('DPoP proof is not a well-formed compact JWS');
  }
  if (header.typ !== 'dpop+jwt') {
    throw bad(`typ must be dpop+jwt, got ${JSON.stringify(header.typ ?? null)}`);
  }
  if (!resourceAlgs.includes(header.alg)) {
    throw bad(`alg must be one of ${resourceAlgs.join(' ')}, got ${JSON.stringify(header.alg ?? null)}`);
  }
  const { jwk } = header;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk) || typeof jwk.kty !== 'string') {
    throw bad('jwk header must be a JWK');
  }
  if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) {
    throw bad('jwk header must not hold private or symmetric key members');
  }
  let key;
  try {
    key = await jose.importJWK(jwk, header.alg);
  } catch {
    throw bad(`jwk header is not a ${header.alg} public key`);
  }
  let claims;
  try {
    const { payload } = await jose.compactVerify(proof, key, { algorithms: [header.alg] });
    claims = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (err) {
    throw bad(err instanceof SyntaxError ? 'claims are not JSON' : 'signature does not verify with the jwk header');
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
    throw bad('claims must be a JSON object');
  }
  if (claims.htm !== req.method) {
    throw bad(`htm mismatch: want ${req.method}, got ${JSON.stringify(claims.htm ?? null)}`);
  }
  const got = normalizeHtu(claims.htu);
  if (got !== htu) {
    throw bad(`htu mismatch: want ${htu}, got ${JSON.stringify(claims.htu ?? null)}`);
  }
  const t = now();
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) {
    throw bad('iat must be a number');
  }
  if (Math.abs(t - claims.iat) > DPOP_IAT_WINDOW) {
    throw bad(`iat is ${claims.iat - t} s from now (allowed: ±${DPOP_IAT_WINDOW} s)`);
  }
  if (typeof claims.jti !== 'string' || !claims.jti) {
    throw bad('jti must be a non-empty string');
  }
  if (accessToken !== undefined && claims.ath !== ath(accessToken)) {
    throw bad(claims.ath === undefined ? 'ath is missing' : 'ath mismatch: not the SHA-256 of the access token');
  }
  const thumbprint = await jose.calculateJwkThumbprint(jwk, 'sha256');
  const jtiKey = `${thumbprint}.${claims.jti}`;
  for (const [k, exp] of dpopJtis) {
    if (exp >= t && dpopJtis.size <= DPOP_JTI_MAX) break;
    dpopJtis.delete(k);
  }
  if (dpopJtis.has(jtiKey)) {
    throw bad('jti replayed: this proof was already used');
  }
  return {
    thumbprint,
    header: safeProofHeader(header),
    claims,
    commit() {
      dpopJtis.set(jtiKey, t + 2 * DPOP_IAT_WINDOW);
    },
  };
}

function dpopChallenge(error, description) {
  const d = String(description).replace(/["\\]/g, "'");
  return `DPoP error="${error}", error_description="${d}", algs="${resourceAlgs.join(' ')}"`;
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
  seeTokenRequestProof('jwtgrant', claims?.iss, req);
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
  // An optional DPoP proof (Maskinporten supports DPoP) binds the token to its key.
  let proof;
  if (req.headersDistinct?.dpop) {
    try {
      proof = await verifyProof(req, `${issuer}${jwtGrantTokenPath}`);
    } catch (err) {
      if (!(err instanceof DpopError)) throw err;
      return fault(400, err.error, err.message, c.clientId);
    }
  }
  sweep();
  const jtiKey = `${c.clientId}\u0000${claims.jti}`;
  if (seenJti.has(jtiKey)) {
    return fault(400, 'invalid_grant', 'jti has already been used', c.clientId);
  }
  seenJti.set(jtiKey, claims.exp);
  proof?.commit();

  const token = crypto.randomBytes(32).toString('base64url');
  const scope = requested.join(' ');
  jwtGrantTokens.set(token, {
    clientId: c.clientId, scope, exp: t + c.ttl, jkt: proof?.thumbprint,
  });
  countToken(c.clientId);
  debug(`jwtgrant: issued for ${c.clientId} scope=${scope}${proof ? ' (DPoP-bound)' : ''}`);
  return sendJSON(res, 200, {
    access_token: token, token_type: proof ? 'DPoP' : 'Bearer', expires_in: c.ttl, scope,
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
//
// With a DPoP header the capture also records the proof's decoded JOSE header and claims (and
// dpop_error when the proof does not verify for POST to this URL), and the answer is a
// DPoP-bound token (token_type DPoP) the resource accepts only with proofs of that key.
// With ?dpop_nonce=1 in the URL the endpoint demands a DPoP nonce: a request whose proof
// carries none (or a stale one) is recorded with status 400 and answered 400 use_dpop_nonce
// with a DPoP-Nonce header; the retry with that nonce gets the token. Every attempt is recorded,
// so a test can check that the retry carried the nonce and a fresh client assertion.

const captures = [];
const captureTokens = new Map(); // token -> { clientId, exp }
const MAX_CAPTURES = 2000;

async function captureToken(req, res, label, url) {
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
  const entry = { label, content_type: req.headers['content-type'] || '', form: pairs, status: 200 };
  captures.push(entry);
  const hasProof = req.headersDistinct?.dpop !== undefined;
  const demandNonce = url.searchParams.get('dpop_nonce') === '1';
  let proof;
  if (hasProof) {
    seeTokenRequestProof('capture', clientId || label, req);
    entry.dpop = decodeProof(req.headersDistinct.dpop[0]);
    try {
      proof = await verifyProof(req, requestHtu(req, url));
    } catch (err) {
      if (!(err instanceof DpopError)) throw err;
      entry.dpop_error = err.message;
      recordDpopError('capture', clientId || label, err.error, err.message);
    }
  }
  if (demandNonce) {
    const fault = (error, description, headers = {}) => {
      entry.status = 400;
      recordDpopError('capture', clientId || label, error, description);
      return sendJSON(res, 400, { error, error_description: description }, headers);
    };
    if (!hasProof) {
      return fault('invalid_dpop_proof', 'this capture demands a DPoP proof with a nonce');
    }
    if (!nonceAccepted(entry.dpop.claims?.nonce)) {
      return fault('use_dpop_nonce', entry.dpop.claims?.nonce === undefined
        ? 'Authorization server requires nonce in DPoP proof' : 'DPoP nonce is stale or unknown',
      { 'dpop-nonce': currentNonce() });
    }
  }
  // A proof that does not verify is still recorded; the token is then bound to its jwk if it
  // has one, so the resource refuses the token with any other key.
  let jkt = proof?.thumbprint;
  if (hasProof && !jkt && entry.dpop.header?.jwk) {
    jkt = await jose.calculateJwkThumbprint(entry.dpop.header.jwk, 'sha256').catch(() => undefined);
  }
  proof?.commit();
  const token = crypto.randomBytes(32).toString('base64url');
  captureTokens.set(token, { clientId: clientId || label, exp: now() + 300, jkt });
  return sendJSON(res, 200, { access_token: token, token_type: jkt ? 'DPoP' : 'Bearer', expires_in: 300 });
}

// ---------------------------------------------------------------------------------------------
// Protected resource

async function lookupToken(token) {
  const captured = captureTokens.get(token);
  if (captured) {
    return captured.exp > now() ? {
      client_id: captured.clientId, scope: '', via: 'capture', jkt: captured.jkt,
    } : undefined;
  }
  const own = jwtGrantTokens.get(token);
  if (own) {
    return own.exp > now() ? {
      client_id: own.clientId, scope: own.scope, via: 'jwtgrant', jkt: own.jkt,
    } : undefined;
  }
  // find() allows oidc-provider's clockTolerance (15 s) past exp; the resource is strict.
  // The models' jkt is the token's confirmation (cnf.jkt, RFC 9449 section 6).
  const cc = await provider.ClientCredentials.find(token);
  if (cc && !cc.isExpired) {
    return {
      client_id: cc.clientId, scope: cc.scope || '', via: 'oidc', jkt: cc.jkt,
    };
  }
  const at = await provider.AccessToken.find(token);
  if (at && !at.isExpired) {
    return {
      client_id: at.clientId, scope: at.scope || '', via: 'oidc', sub: at.accountId, jkt: at.jkt,
    };
  }
  return undefined;
}

// The protected resource. /api/... takes Bearer tokens (not DPoP-bound ones) and DPoP tokens
// with proofs; /dpop-nonce-api/... (nonceRequired) takes DPoP only and demands the resource
// server's nonce in the proof.
async function api(req, res, url, nonceRequired = false) {
  // Drain any body so keep-alive connections stay usable.
  await readBody(req).catch(() => {});
  const auth = req.headers.authorization || '';
  const where = nonceRequired ? 'dpop-nonce-api' : 'api';
  if (/^DPoP(\s|$)/i.test(auth) || nonceRequired) {
    return dpopApi(req, res, url, where, nonceRequired);
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  const info = m ? await lookupToken(m[1]) : undefined;
  if (info?.jkt) {
    stats.api_rejected += 1;
    const description = 'a DPoP-bound token must be sent with the DPoP scheme and a proof, not as Bearer';
    recordDpopError(where, info.client_id, 'invalid_token', description);
    return sendJSON(res, 401, { error: 'invalid_token', error_description: description }, {
      'www-authenticate': dpopChallenge('invalid_token', description),
    });
  }
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

// RFC 9449 section 7.1: Authorization: DPoP <token> with a DPoP proof of the key the token is
// bound to, for this method and URL, with ath; and, on /dpop-nonce-api, the server's nonce.
async function dpopApi(req, res, url, where, nonceRequired) {
  let clientId;
  const refuse = (error, description, headers = {}) => {
    stats.api_rejected += 1;
    recordDpopError(where, clientId, error, description);
    return sendJSON(res, 401, { error, error_description: description }, {
      'www-authenticate': dpopChallenge(error, description), ...headers,
    });
  };
  const m = /^DPoP\s+(\S+)\s*$/i.exec(req.headers.authorization || '');
  if (!m) {
    return refuse('invalid_token', nonceRequired
      ? 'this resource takes DPoP-bound tokens only: Authorization: DPoP <token> with a DPoP proof'
      : 'Authorization must be DPoP <token>');
  }
  const token = m[1];
  const info = await lookupToken(token);
  clientId = info?.client_id;
  if (!info) {
    return refuse('invalid_token', 'unknown or expired access token');
  }
  let proof;
  try {
    proof = await verifyProof(req, requestHtu(req, url), token);
  } catch (err) {
    if (!(err instanceof DpopError)) throw err;
    return refuse(err.error, err.message);
  }
  if (nonceRequired && !nonceAccepted(proof.claims.nonce)) {
    return refuse('use_dpop_nonce', proof.claims.nonce === undefined
      ? 'Resource server requires nonce in DPoP proof' : 'DPoP nonce is stale or unknown',
    { 'dpop-nonce': currentNonce() });
  }
  if (!info.jkt) {
    return refuse('invalid_token', 'the access token is not DPoP-bound (a Bearer token) but came with the DPoP scheme');
  }
  if (info.jkt !== proof.thumbprint) {
    return refuse('invalid_token', 'cnf.jkt mismatch: the token is bound to a different key than the proof\'s jwk');
  }
  proof.commit();
  stats.dpop_proofs_verified += 1;
  pushBounded(stats.dpop_proofs, {
    where, method: req.method, path: url.pathname, client_id: info.client_id, header: proof.header, claims: proof.claims,
  });
  stats.api_calls[info.client_id] = (stats.api_calls[info.client_id] || 0) + 1;
  const headers = {};
  if (nonceRequired && proof.claims.nonce !== currentNonce()) {
    headers['dpop-nonce'] = currentNonce();
  }
  return sendJSON(res, 200, {
    ...info, token_type: 'DPoP', method: req.method, path: url.pathname,
  }, headers);
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
      return await captureToken(req, res, capture[1], url);
    }
    if (path === '/api' || path.startsWith('/api/')) {
      return await api(req, res, url);
    }
    if (path === '/dpop-nonce-api' || path.startsWith('/dpop-nonce-api/')) {
      return await api(req, res, url, true);
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
    if (req.method === 'POST' && (path === tokenPath || path === parPath)) {
      const endpoint = path === tokenPath ? 'token' : 'par';
      if (endpoint === 'token') {
        stats.token_requests += 1;
      } else {
        stats.par_requests += 1;
      }
      if (isForm(req)) {
        const raw = await readBody(req);
        const params = querystring.parse(raw);
        seeTokenRequestProof(endpoint, requestClientId(params), req);
        const rejection = checkTokenRequest(params, endpoint);
        if (rejection) {
          return sendJSON(res, rejection.status, rejection.body);
        }
        // oidc-provider reads an already consumed body from req.body.
        req.body = raw;
      } else {
        seeTokenRequestProof(endpoint, undefined, req);
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
  pushed_authorization_request_endpoint: parEndpoint,
  dpop_api: `${issuer}/api/dpop/whoami`,
  dpop_nonce_api: `${issuer}/dpop-nonce-api/whoami`,
  profile,
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
