// Prints the e2e harness config (testdata/e2e/server.mjs CONFIG.json) for one client that signs
// with the private key in KEY.pem: its public JWK is registered, the audience is the token
// endpoint. Used by the bench scripts.
//
//   node bench/e2e-config.mjs CLIENT_ID ALG KEY.pem > config.json
import crypto from 'node:crypto';
import fs from 'node:fs';

const [clientId, alg, keyPath] = process.argv.slice(2);
if (!clientId || !alg || !keyPath) {
  process.stderr.write('usage: node bench/e2e-config.mjs CLIENT_ID ALG KEY.pem\n');
  process.exit(2);
}
const jwk = crypto.createPublicKey(fs.readFileSync(keyPath)).export({ format: 'jwk' });
const config = {
  clients: [{
    client_id: clientId,
    alg,
    audience: 'token_endpoint',
    jwks: { keys: [{ ...jwk, use: 'sig', kid: 'bench-kid' }] },
    access_token_ttl: 300,
  }],
};
process.stdout.write(JSON.stringify(config, null, 2) + '\n');
