// Build this token request with a freshly signed client assertion (postmint's client is
// defined by the collection-level pre-request script, which runs just before this one).
if (typeof postmint === 'undefined') {
    throw new Error('postmint: the collection-level pre-request script did not run; import the whole collection, not this request alone');
}
postmint.prepare(pm, postmintKind);
