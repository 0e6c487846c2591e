# The verifier's pages, in English (under the Bangla). The same ids in ../bn/verifier.ftl.

## The layout
footer = Sonod — certificate verification. This page keeps no record of what you check.
title-verification = Sonod verification
title-scan = Check a QR code

## A verdict
issued-by = Issued by { $office }
signed-with-key-of = Signed with the key of { $office }
checked = Checked { $time }
look-alike-warning = Warning: this QR code points to { $host }, which is not an official verification address in the trust list. It may be a look-alike site — verify only on an official address.
facts-unconfirmed = Signed facts — not confirmed
facts-unconfirmed-hint = These facts carry the office key's signature, but whether the office issued this certificate and has not revoked it is not confirmed. Do not rely on them alone.
facts = Signed facts
facts-hint = Compare every fact with the paper.
fact-type = Certificate
fact-number = Certificate no.
fact-issued = Issued on
fact-expires = Valid until
person-age = { $age } years
office-issuing = Issuing office
office-key-of = Office whose key signed it
office-unverified = Office of the key the code names — not verified
technical = Technical detail
technical-hint = For the people who run verifiers. The reason above is all the holder and the clerk need.
technical-detail = Detail
checked-at = Checked at
feed-as-of = Office's revocation list as of
feed-not-followed = this verifier does not follow this office's list — issuance and revocation were not checked
feed-unavailable = not available — revocation could not be checked
signing-key = Signing key
check-another = Check another certificate
dhaka-time = { $date } { $time } (Dhaka time, UTC+6)

## Errors
could-not-check = Could not check
form-unreadable = cannot read the form
server-busy = the server is busy, try again shortly
no-qr-in-image = No QR code was found in the image. Photograph the code again, larger and sharper.
nothing-sent = No image or text was sent.

## The scan page
scan-heading = Check a certificate
scan-intro = Photograph the certificate's QR code or choose a photo, then press "Check".
scan-photo = Take a photo
scan-file = or choose an image
scan-text = or paste the code's text
scan-go = Check
serve-client = cannot build the HTTP client: { $n0 }
app-too-large = request body too large (at most { $n0 } bytes)
app-too-many-requests = too many requests; retry in { $retry_secs_0 } s
app-batch-limited = this batch has { $asked } payloads; { $allowed_now } may be sent now, all { $asked } after { $retry_secs_wait } s (Retry-After)
image-empty = no image was sent
image-file-too-large = the image file is too large (at most 8 MiB)
image-too-many-pixels = the image is too large ({ $w }×{ $h }); JPEG photos up to { $photo_mp } megapixels, other images at most { $side } pixels a side and { $mp } megapixels
image-expands = a compressed part of the image expands far too much; send another picture
image-not-an-image = the image could not be read: { $n0 }
image-timed-out = No QR code was found in time. Photograph the code again, larger and sharper.
sync-no-trust-list = no trust list loaded
sync-fetch = cannot fetch the feed: { $n0 }
sync-position = inconsistent feed position: { $n0 }
sync-not-mirror = { $url } is not a verifier's mirror: { $url }/api/v1/offices is not a sonod-mirror/1 listing
sync-mirror-too-many = the mirror { $url } lists too many offices (at most { $max })
replica-store = replica store error: { $n0 }
replica-position = feed position mismatch (replica at { $have }, page after { $page })
replica-bad-hash = feed event { $n0 } has an invalid hash
trust-load-fetch = cannot fetch the trust list: { $n0 }
trust-load-rollback = refused an older trust list: its sequence is { $new }, but this verifier accepted sequence { $current } before (to go back on purpose, stop the service and run `sonod-verifier accept-trust-rollback --to { $new }`)
floor-io = cannot read or write the trust-list sequence file { $path }: { $error }
floor-damaged = the trust-list sequence file { $path } is damaged ({ $error }); to set it on purpose, run `sonod-verifier accept-trust-rollback --to N`
verify-no-trust-list = no valid trust list is loaded; cannot verify now
floor-lowered = trust-list rollback in effect: an operator lowered the highest accepted sequence on purpose
api-unreadable = cannot read the request: { $error }
api-invalid-json = invalid JSON: { $error }
api-batch-too-large = at most { $max } payloads in one batch (got { $n })
api-after-not-number = after must be a number: { $error }
internal-error = internal error
limit-batch-over-burst = without an exemption token a batch may hold at most { $burst } payloads (got { $asked }); send smaller batches
cli-about = Sonod verifier: the public verification service
cli-serve = Serve the verification API and pages
cli-rollback = Go back to an older trust list on purpose
cli-rollback-long = The service refuses a trust list whose sequence is below the highest it ever accepted (kept in the data directory), also after a restart. On the national authority's instruction, with the service stopped, this lowers that record to --to, so that the next start accepts a list of that sequence or later.
cli-error = error
cli-trust-needed = give the trust list and root key: --trust FILE|URL --root ROOT.pub.pem, or --dev-keys DIR
cli-bad-mirror = --mirror { $url }: expected a verifier's http(s) base URL such as http://127.0.0.1:8081
cli-bad-issuer = --issuer { $url }: expected an office's http(s) base URL such as http://127.0.0.1:8080
cli-dev-keys = development keys in { $dir }
cli-root-key = cannot read the root key { $path }
cli-listen = cannot listen on { $addr }
cli-replica-unopenable = cannot open the replica { $dir }: { $error }. If the directory is not writable or its disk is full, fix that; if it is corrupt, it is rebuilt from the feeds: move the directory away and start again
cli-not-started = starting the verifier
cli-rollback-unchanged = nothing changed: the highest accepted sequence is { $to }, not above { $asked }
cli-rollback-done = WARNING: the highest accepted trust-list sequence was lowered from { $from } to { $to } in { $dir }; the next start accepts a trust list of sequence { $to } or later. Do this only on the national authority's instruction.
