// Check the token response and keep the access token (and any refresh token) for the API
// requests; a response without a token fails this test with the cause in words. A DPoP server
// asking for a nonce gets one more request, with its nonce and a fresh assertion.
if (typeof postmint === 'undefined') {
    throw new Error('postmint: the collection-level pre-request script did not run; import the whole collection, not this request alone');
}
postmint.answered(pm, postmintKind, function (problem) {
    pm.test('token endpoint returned a token' + (problem ? ': ' + problem : ''), function () {
        if (problem) {
            throw new Error(problem);
        }
    });
});
