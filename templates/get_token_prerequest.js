// Sign a fresh client assertion for this token request (postmint's signer is defined by
// the collection-level script, which runs just before this one).
if (typeof postmint === 'undefined') {
    throw new Error('postmint: the collection-level pre-request script did not run; import the whole collection, not this request alone');
}
pm.environment.set('clientAssertion', postmint.assertion());
