// API folder test: an API request refused with 401 or 403 fails the run (see checkAPI).
if (typeof postmint !== 'undefined') {
    postmint.checkAPI(pm);
}
