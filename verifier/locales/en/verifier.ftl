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
fact-serial = Serial no.
fact-issued = Issued on
fact-expires = Valid until
person-age = { $age } years
office-issuing = Issuing office
office-key-of = Office whose key signed it
office-claimed = Office it claims
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
