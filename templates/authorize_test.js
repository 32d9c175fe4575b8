// The authorization endpoint answers with a login page or a redirect; the user continues in
// a browser (redirects are not followed here, so no code is spent).
pm.test('authorization endpoint answered', function () {
    pm.expect(pm.response.code, 'HTTP ' + pm.response.code).to.be.below(500);
});
