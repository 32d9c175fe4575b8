// Check the token response and keep the access token (and any refresh token) for the API
// requests; a response without a token fails this test with the cause in words.
if (typeof postmint === 'undefined') {
    throw new Error('postmint: the collection-level pre-request script did not run; import the whole collection, not this request alone');
}
var postmintProblem = postmint.accept(pm, pm.response.code, pm.response.text(), pm.environment.get('clientAssertion'));
pm.test('token endpoint returned a token' + (postmintProblem ? ': ' + postmintProblem : ''), function () {
    if (postmintProblem) {
        throw new Error(postmintProblem);
    }
});
