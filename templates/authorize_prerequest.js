// Start the authorization code flow (RFC 6749 §4.1.1) with PKCE S256 (RFC 7636): a fresh
// code verifier, state and nonce for every attempt.
if (typeof postmint === 'undefined') {
    throw new Error('postmint: the collection-level pre-request script did not run; import the whole collection, not this request alone');
}
var start = postmint.pkce();
pm.environment.set('codeVerifier', start.verifier);
pm.environment.set('codeChallenge', start.challenge);
pm.environment.set('state', start.state);
pm.environment.set('nonce', start.nonce);
console.log('postmint: open this URL in a browser, log in, and paste the code from the redirect into the authorizationCode variable, then send Auth / Exchange code: ' + pm.variables.replaceIn(pm.request.url.toString()));
