# sonod-scan: what the scanner's reports say, in English (after the Bangla of
# ../bn/sonod-scan.ftl). The verdicts' own headlines and reasons are sonod-judge's.

## A verdict as lines for a person

reason-label = reason
development = development keys: not a real certificate
look-alike-host = the QR's host { $host } is not an official verifier: do not trust that link
office-label = office
certificate-label = certificate
serial-label = serial
issued-label = issued
expires-label = expires

## A verdict as one kiosk line

hint-not-yet-published = not yet in the office's published list — check again later
hint-stale = the snapshot is too old — sync
hint-unchecked = issuance and revocation not checked — sync or verify online
kiosk-development = development keys
kiosk-look-alike = look-alike link

## What the source adds

duration-days-hours = { $d } d { $h } h
duration-hours-minutes = { $h } h { $m } min
duration-minutes = { $m } min
duration-seconds = { $s } s
stale-age = the snapshot is { $age } old (limit { $limit }): recent revocations may be missing — run `sonod-scan sync`
stale-unknown = no signed document says how old the snapshot is: recent revocations may be missing — run `sonod-scan sync`
snapshot-label = snapshot
snapshot-as-of = as of { $time }, { $age } old
office-not-in-snapshot = this office is not in the snapshot: revocation and issuance not checked
verifier-label = verifier
feed-age = feed { $age } old
