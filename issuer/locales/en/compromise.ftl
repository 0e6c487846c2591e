# Re-sealing after a key compromise (issuer/src/server/reseal.rs).
reseal-route-invalid-body = the body must be {"{"}"compromised": "<16 hex digits>"{"}"}: { $error }
reseal-route-same-key = the service still signs with the compromised key { $key }: put the new key in place and reload it first (POST /api/v1/admin/reload-key)
