# sonod-scan: what the scanner's reports say, in English (after the Bangla of
# ../bn/sonod-scan.ftl). The verdicts' own headlines and reasons are sonod-judge's.

## A verdict as lines for a person

reason-label = reason
development = development keys: not a real certificate
look-alike-host = the QR's host { $host } is not an official verifier: do not trust that link
office-label = office
office-unverified-label = office of the key the code names (not verified)
certificate-label = certificate
number-label = certificate no.
detail-label = technical detail
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

## A revocation known from the status list only (a verdict's reason)

revoked-by-status-list = marked revoked in the office's status list (the date is the list's)

## Reading images and folders

error-label = error
no-qr-in-image = no QR code found in the image
no-qr-in-any-image = no QR code found in any image
cannot-watch = cannot watch { $dir }
watching = watching { $dir } for new files (Ctrl-C to stop)
cannot-read-folder = cannot read folder
no-files-in-folder = no files in the folder
unit-images = images
time-left = left

## The summary at the end of a folder

summary-valid = { $n } valid
summary-unconfirmed = { $n } not fully checked
summary-bad-signature = { $n } forged (bad signature)
summary-key-compromised = { $n } signed with a compromised key
summary-revoked = { $n } revoked
summary-not-issued = { $n } not issued by the office
summary-untrusted-issuer = { $n } from an unknown issuer
summary-expired = { $n } expired
summary-not-yet-valid = { $n } not yet valid
summary-unsupported-version = { $n } of a version not read here
summary-malformed = { $n } not a certificate's code
summary-read = { $n } codes read
summary-no-qr = { $n } no QR code
summary-unreadable = { $n } unreadable
summary-failed = { $n } could not be checked
summary-skipped = { $n } not an image or PDF (skipped)
summary-nothing = nothing was read
not-an-image-skipped = not an image or PDF — skipped
no-images-found = no image or PDF found

## sonod-scan sync

sync-connecting = connecting
sync-source-label = source
sync-source-verifier = verifier
sync-source-issuer = issuer
sync-trust-verified = trust list verified (sequence { $sequence })
sync-old-snapshot-ignored = old snapshot ignored, syncing afresh
sync-office-untrusted = office { $office } is not in the trust list, skipped
sync-office-old-data = office { $office }: old data ignored
sync-office-missing = the source does not have this office
sync-too-many-pages = too many feed pages
sync-bad-hash = feed event { $seq } has an invalid hash
sync-status-older = office { $office }: the source's status list is older, the earlier one is kept
sync-no-status = office { $office }: the source has no status list yet
sync-status-compromised = office { $office }: the source's status list is signed with a compromised key and is ignored (revocations come from the feed pages)
sync-source-behind = office { $office }: the source is behind the snapshot ({ $source } < { $position }); feed kept as it was
sync-position = position
sync-done = done
unit-offices = offices
unit-pages = pages
unit-new-events = new events
unit-bytes-fetched = bytes fetched
unit-bytes = bytes
floor-not-written = cannot record the trust list's sequence in { $path } ({ $error }): a rollback to an older list may go unnoticed

## Errors (the Display of the error types)
root-missing = no root key: give --root FILE, or install the root key as { $system_root } (owned by the administrator); the copy in a snapshot store is never trusted
root-unreadable = cannot read the root key { $path }: { $message }
root-unprotected = { $path } can be changed by someone other than the administrator, so it cannot be trusted: make it and its folder owned by root and writable by no one else ({ $why })
root-mismatch = the root key { $given_id } ({ $given }) is not the one pinned on this machine, { $pinned_id } ({ $pinned })
floor-rollback = the trust list is older than one this machine has already seen (sequence { $got }, seen { $have }): an older list may trust a key since marked compromised. Fetch the current one (`sonod-scan sync`); to go back on purpose, delete { $path }
floor-unreadable = cannot read the state file { $path } ({ $message }): repair or delete it
sync-busy = another sync is running in { $n0 }; try again when it has finished
sync-bad-url = not a valid URL (must start with http:// or https://): { $n0 }
sync-connect = cannot reach { $url }: { $message }
sync-timeout = { $url } timed out: { $message }
sync-status = { $url } answered HTTP { $status }{ $detail }
sync-too-large = the answer from { $url } is larger than { $limit } bytes
sync-not-sonod = { $n0 } is neither a Sonod verifier nor an issuer
sync-trust-needed = an issuer does not publish the trust list: give --trust FILE or URL
sync-trust = trust list { $n0 }: { $n1 }
sync-trust-rollback = the trust list is older than the snapshot's (sequence { $got }, have { $have })
sync-store = cannot write the store { $n0_display }: { $n1 }
snapshot-missing = no snapshot in { $n0_display }: run `sonod-scan sync --from URL` first, or give --trust and --root
snapshot-damaged = snapshot damaged or tampered with ({ $n0 }); run `sonod-scan sync` again
snapshot-trust = the snapshot's trust list: { $n0 }
snapshot-io = cannot read the snapshot: { $n0 }
decode-image-io = cannot read the file: { $n0 }
stream-io = read error: { $n0 }
stream-frame-too-large = frame larger than { $n0 } bytes
stream-unknown-format = unknown frame format (JPEG, PNG or BMP expected)
stream-truncated = the stream ended inside a frame
cli-about = Sonod scan: read QR codes from images and verify the certificates
root-built-in = built in
online-bad-answer = unexpected answer from the verifier: { $what }
check-cannot-open = cannot open { $path }: { $error }

cli-after-help =
    Examples:
      sonod-scan photo.jpg scans/                 photos and folders
      ffmpeg -i /dev/video0 -f image2pipe -vcodec mjpeg - | sonod-scan --kiosk -
      sonod-scan --watch /srv/scanner/inbox       a scanner's drop folder

    Exit status (the worst input decides: 2, then 1, 3, 0):
      0  every certificate valid, fully checked
      1  any certificate not valid, or no QR code found
      2  usage or I/O error, or a damaged, tampered or rolled-back store or trust list
      3  the signature holds but issuance or revocation could not be checked (a trust list
         only, a stale snapshot, or a certificate newer than it): sync, or verify online

    Root key: --root FILE, or pinned on this machine (/etc/sonod/root.pub.pem, or built in
    with SONOD_ROOT_PUB), which --root must then match; no file of the store is trusted for it.
    The highest trust-list sequence seen is kept in $XDG_STATE_HOME/sonod-scan/ (delete
    trust-sequence.json there to go back on purpose).
